"""The "assessments" content source: banks and quizzes from assessments/, validated against the courses parsed
by the "courses" source (registered before this one), written in one transaction with everything else.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from lms.core.content import Changes, Problems, reconcile
from lms.core.db import db
from lms.core.markdown import render
from lms.curriculum.models import Course, Lesson
from lms.quizzes import files, types
from lms.quizzes.models import Bank, CaseStudy, GradingMethod, Question, QuestionVersion, Quiz, QuizKind, ReviewPolicy

_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


def render_text(text: Mapping[str, str] | None, *, inline: bool = False) -> dict[str, str] | None:
    if not text:
        return None if text is None else {}
    rendered = {}
    for lang, value in text.items():
        html = render(value).html.strip()
        if inline:
            match = _PARAGRAPH.match(html)
            if match and "<p>" not in match.group(1):
                html = match.group(1)
        rendered[lang] = html
    return rendered


def render_definition(question_type: str, definition: Mapping[str, Any]) -> dict[str, Any]:
    """The stored definition: Markdown texts rendered once, here, to sanitised HTML."""
    out = copy.deepcopy(dict(definition))
    out["stem"] = render_text(out["stem"])
    out["explanation"] = render_text(out["explanation"])
    out["objective"] = render_text(out["objective"], inline=True)
    for container, key in types.get(question_type).texts(out):
        container[key] = render_text(container[key], inline=key not in {"feedback", "true", "false"})
    return out


def courses_in_database() -> dict[str, Any]:
    """The courses as the database has them, in the shape the "courses" source parses to (used when no
    "courses" source runs before this one): slug -> object with ``lessons`` keyed "NN-slug" with ``quiz``."""
    courses: dict[str, Any] = {}
    for course in db.session.scalars(sa.select(Course).where(Course.retired.is_(False))):
        courses[course.slug] = SimpleNamespace(lessons={})
    rows = db.session.execute(
        sa.select(Course.slug, Lesson.key, Lesson.quiz_id)
        .join(Lesson, Lesson.course_id == Course.id)
        .where(Course.retired.is_(False), Lesson.retired.is_(False))
    )
    for slug, key, quiz_id in rows:
        courses[slug].lessons[key] = SimpleNamespace(quiz=quiz_id)
    return courses


class AssessmentsSource:
    name = "assessments"

    def parse(self, root: Path, parsed: Mapping[str, Any], problems: Problems) -> files.Assessments:
        result = files.Assessments()
        files.parse_banks(root, problems, result)
        courses = parsed["courses"] if "courses" in parsed else courses_in_database()
        files.parse_quizzes(root, problems, result, courses)
        return result

    def write(self, result: files.Assessments, parsed: Mapping[str, Any]) -> Changes:
        changes = Changes()
        banks = {b.id: b for b in db.session.scalars(sa.select(Bank))}

        def fill_bank(row: Bank, bank: files.Bank) -> None:
            row.title = bank.title
            db.session.flush()
            self._write_bank(bank, result, changes)

        def retire_bank(row: Bank) -> None:
            for child in (Question, CaseStudy):
                db.session.execute(sa.update(child).where(child.bank_id == row.id).values(retired=True))

        reconcile(banks, result.banks, changes, new=lambda bank_id: Bank(id=bank_id), fill=fill_bank,
                  label=lambda bank_id: f"bank:{bank_id}", retire=retire_bank)
        # Every count is of banks, questions and quizzes alike: an unchanged bank's questions are unchanged too.
        written = set(changes.added) | set(changes.changed)
        changes.unchanged += sum(len(bank.question_ids) for bank_id, bank in result.banks.items()
                                 if f"bank:{bank_id}" not in written)
        self._write_quizzes(result, changes)
        db.session.flush()
        return changes

    def _write_bank(self, bank: files.Bank, result: files.Assessments, changes: Changes) -> None:
        cases = {c.id: c for c in db.session.scalars(sa.select(CaseStudy).where(CaseStudy.bank_id == bank.id))}
        for position, cid in enumerate(bank.case_study_ids):
            case = result.case_studies[cid]
            row = cases.pop(cid, None) or db.session.get(CaseStudy, cid)
            if row is None:
                row = CaseStudy(id=cid)
                db.session.add(row)
            row.bank_id, row.title, row.source, row.position = bank.id, case.title, case.source, position
            row.scenario_html = render_text(case.scenario) or {}
            row.content_hash, row.retired = case.content_hash, False
        for row in cases.values():
            row.retired = True
        db.session.flush()
        existing = {q.id: q for q in db.session.scalars(sa.select(Question).where(Question.bank_id == bank.id))}
        latest = dict(
            db.session.execute(
                sa.select(QuestionVersion.question_id, QuestionVersion.content_hash)
                .join(Question, Question.id == QuestionVersion.question_id)
                .where(Question.bank_id == bank.id, QuestionVersion.version == Question.current_version)
            ).all()
        )
        for position, qid in enumerate(bank.question_ids):
            question = result.questions[qid]
            row = existing.pop(qid, None) or db.session.get(Question, qid)
            digest = question.content_hash
            if row is None:
                row = Question(id=qid, current_version=1)
                db.session.add(row)
                version = 1
                changes.added.append(f"question:{qid}")
            elif latest.get(qid) != digest or row.type != question.type:
                version = row.current_version + 1
                changes.changed.append(f"question:{qid}")
            else:
                version = None
                changes.unchanged += 1
            row.bank_id, row.case_study_id, row.type = bank.id, question.case_study, question.type
            row.difficulty, row.tags, row.points, row.position, row.retired = (
                question.difficulty, list(question.tags), question.points, position, False)
            if version is not None:
                db.session.flush()
                row.current_version = version
                definition = render_definition(question.type, question.definition)
                definition["points"] = question.points
                definition["type"] = question.type
                db.session.add(QuestionVersion(question_id=qid, version=version, content_hash=digest,
                                               definition=definition))
        for row in existing.values():
            if not row.retired:
                row.retired = True
                changes.removed.append(f"question:{row.id}")

    def _write_quizzes(self, result: files.Assessments, changes: Changes) -> None:
        rows = {q.id: q for q in db.session.scalars(sa.select(Quiz))}
        courses = {c.slug: c for c in db.session.scalars(sa.select(Course))}
        lessons = {(le.course_id, le.key): le for le in db.session.scalars(sa.select(Lesson))}

        def fill_quiz(row: Quiz, quiz: files.Quiz) -> None:
            course = courses[quiz.course]
            row.course_id, row.kind = course.id, QuizKind(quiz.kind)
            row.lesson_id = lessons[(course.id, quiz.lesson)].id if quiz.lesson else None
            row.title = quiz.title
            row.pools = [{"bank": p.bank, "tags": list(p.tags), "units": list(p.units), "draw": p.draw}
                         for p in quiz.pools]
            row.shuffle_questions, row.shuffle_options = quiz.shuffle_questions, quiz.shuffle_options
            row.time_limit_minutes, row.attempts_allowed = quiz.time_limit_minutes, quiz.attempts
            row.grading, row.pass_mark = GradingMethod(quiz.grading), quiz.pass_mark
            row.available_from, row.available_until = quiz.available_from, quiz.available_until
            row.review = ReviewPolicy(quiz.review)

        reconcile(rows, result.quizzes, changes, new=lambda quiz_id: Quiz(id=quiz_id), fill=fill_quiz,
                  label=lambda quiz_id: f"quiz:{quiz_id}")
