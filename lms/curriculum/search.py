"""Lesson search in both languages: n-grams, because Japanese has no spaces between words.

SQLite: the FTS5 trigram table ``lesson_search`` (queries of 3+ characters) with ``snippet()``; shorter queries
fall back to ``instr()`` on the ordinary table (the trigram index cannot match them). PostgreSQL: ``ILIKE`` served
by the pg_trgm GIN index on ``lesson_texts.plain``; the snippet is cut around the match in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape

from lms.core.db import db
from lms.curriculum import rules
from lms.curriculum.models import Course, Lesson, LessonText

MAX_QUERY = 100
LIMIT = 50
_OPEN, _CLOSE = "\x02", "\x03"


@dataclass(frozen=True)
class Hit:
    course_slug: str
    course_title: dict[str, str]
    lesson_key: str
    language: str
    title: str
    snippet: Markup


def _base() -> sa.Select:
    return (
        sa.select(
            LessonText.id, LessonText.language, LessonText.title, Lesson.key, Course.slug, Course.title.label("ct")
        )
        .join(Lesson, Lesson.id == LessonText.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(Lesson.retired.is_(False), Course.retired.is_(False))
        .order_by(Course.slug, Lesson.number, LessonText.language)
        .limit(LIMIT)
    )


def search(query: str, language: str | None = None) -> list[Hit]:
    query = query.strip()[:MAX_QUERY]
    if not query:
        return []
    stmt = _base()
    if language:
        stmt = stmt.where(LessonText.language == language)
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite" and len(query) >= 3:
        fts = sa.table("lesson_search", sa.column("rowid"))
        snippet = sa.func.snippet(sa.literal_column("lesson_search"), 1, _OPEN, _CLOSE, "…", 24)
        stmt = (
            stmt.add_columns(snippet.label("snip"))
            .join(fts, fts.c.rowid == LessonText.id)
            .where(sa.literal_column("lesson_search").op("MATCH")(rules.fts_phrase(query)))
        )
        return [_hit(row, _marked(row.snip)) for row in db.session.execute(stmt)]
    if dialect == "sqlite":
        stmt = stmt.add_columns(LessonText.plain).where(
            sa.func.instr(sa.func.lower(LessonText.plain), query.lower()) > 0
        )
    else:
        stmt = stmt.add_columns(LessonText.plain).where(
            LessonText.plain.ilike(rules.like_pattern(query), escape="\\")
        )
    return [_hit(row, rules.snippet(row.plain, query)) for row in db.session.execute(stmt)]


def _marked(snippet: str) -> Markup:
    """FTS5's snippet with our sentinel characters turned into <mark>, everything else escaped."""
    return Markup(str(escape(snippet)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))  # noqa: S704 - escaped


def _hit(row: sa.Row, snippet: Markup) -> Hit:
    return Hit(row.slug, row.ct, row.key, row.language, row.title, snippet)
