"""Catalogue, course and lesson pages, enrolment, progress, search, and browser authoring."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import contains_eager
from werkzeug.routing import BuildError

from lms.core.access import Permission, public, requires, signed_in
from lms.core.db import db
from lms.core.i18n import current_language
from lms.curriculum import operations, tracks
from lms.curriculum import search as lesson_search
from lms.curriculum.forms import MAX_CSV_BYTES, ActionForm, BulkEnrolForm, CohortForm, LessonEditForm
from lms.curriculum.models import (
    LANGUAGES,
    Cohort,
    Course,
    Enrolment,
    Lesson,
    LessonCompletion,
    LessonText,
    LessonVersion,
    Level,
)
from lms.curriculum.progress import progress_by_course, progress_for
from lms.curriculum.rules import unified_diff

bp = Blueprint("curriculum", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/curriculum")

LEVEL_LABELS = {"foundation": _l("Foundation"), "intermediate": _l("Intermediate"), "advanced": _l("Advanced")}


def _course_or_404(slug: str) -> Course:
    course = db.session.scalar(sa.select(Course).where(Course.slug == slug, Course.retired.is_(False)))
    if course is None:
        abort(404)
    return course


def _refuse(error: operations.CurriculumError) -> Any:
    db.session.rollback()
    abort(error.status, error.message)


@bp.get("/courses")
@public
def catalogue() -> Any:
    level = request.args.get("level", "")
    language = request.args.get("language", "")
    track = request.args.get("track", "")
    stmt = sa.select(Course).where(Course.retired.is_(False)).order_by(Course.level, Course.slug)
    if level:
        if level not in {lv.value for lv in Level}:
            abort(400, _("Unknown level."))
        stmt = stmt.where(Course.level == Level(level))
    courses = list(db.session.scalars(stmt))
    if language:
        if language not in LANGUAGES:
            abort(400, _("Unknown language."))
        courses = [c for c in courses if language in c.title]
    provider = tracks.provider()
    track_choices = provider.tracks() if provider else []
    if track and provider:
        slugs = provider.course_slugs(track)
        if slugs is None:
            abort(400, _("Unknown track."))
        courses = [c for c in courses if c.slug in slugs]
    lesson_counts = dict(
        db.session.execute(
            sa.select(Lesson.course_id, sa.func.count()).where(Lesson.retired.is_(False)).group_by(Lesson.course_id)
        ).all()
    )
    mine = progress_by_course(current_user.id) if current_user.is_authenticated else {}
    return render_template(
        "curriculum/catalogue.html", courses=courses, level=level, language=language, track=track,
        track_choices=track_choices, lesson_counts=lesson_counts, mine=mine, levels=LEVEL_LABELS,
    )


def _lesson_rows(course: Course) -> list[Lesson]:
    return list(
        db.session.scalars(
            sa.select(Lesson)
            .join(Lesson.texts)
            .options(contains_eager(Lesson.texts))
            .where(Lesson.course_id == course.id, Lesson.retired.is_(False))
            .order_by(Lesson.number, LessonText.language)
        ).unique()
    )


def _text_for(texts: list[LessonText], lang: str) -> tuple[LessonText | None, bool]:
    """The text in ``lang`` or else the other one; the flag says it is a fallback (translation missing)."""
    by_lang = {t.language: t for t in texts}
    if lang in by_lang:
        return by_lang[lang], False
    return next(iter(by_lang.values()), None), True


@bp.get("/courses/<slug>")
@public
def course(slug: str) -> Any:
    course = _course_or_404(slug)
    lessons = _lesson_rows(course)
    lang = current_language()
    enrolment = progress = None
    if current_user.is_authenticated:
        enrolment = db.session.scalar(
            sa.select(Enrolment).where(Enrolment.user_id == current_user.id, Enrolment.course_id == course.id)
        )
        if enrolment is not None:
            progress = progress_for(current_user.id, course.id)
    prerequisites = list(
        db.session.execute(sa.select(Course.slug, Course.title).where(Course.slug.in_(course.prerequisites)))
    )
    can_author = current_user.is_authenticated and operations.may_author(current_user, course)
    return render_template(
        "curriculum/course.html", course=course, lessons=[(ls, *_text_for(ls.texts, lang)) for ls in lessons],
        enrolment=enrolment, progress=progress, prerequisites=prerequisites, levels=LEVEL_LABELS,
        missing_translation=lang not in course.title, lang=lang, form=ActionForm(), can_author=can_author,
    )


@bp.post("/courses/<slug>/enrol")
@requires(Permission.COURSE_STUDY)
def enrol(slug: str) -> Any:
    course = _course_or_404(slug)
    if not ActionForm().validate():
        abort(400)
    try:
        operations.enrol(current_user, course, actor_id=current_user.id)
    except operations.CurriculumError as error:
        return _refuse(error)
    db.session.commit()
    flash(_("You are enrolled. Start with the first lesson."), "success")
    return redirect(url_for("curriculum.course", slug=slug))


def _lesson_or_404(slug: str, key: str) -> tuple[Course, Lesson]:
    lesson = db.session.scalar(
        sa.select(Lesson)
        .join(Lesson.course)
        .options(contains_eager(Lesson.course))
        .where(Course.slug == slug, Course.retired.is_(False), Lesson.key == key, Lesson.retired.is_(False))
    )
    if lesson is None:
        abort(404)
    return lesson.course, lesson


def quiz_url(quiz_id: str | None) -> str | None:
    """The quizzes feature's page for a quiz, once that feature exists; None before."""
    if not quiz_id:
        return None
    try:
        return url_for("quizzes.start", quiz_id=quiz_id)
    except BuildError:
        return None


@bp.get("/courses/<slug>/<key>")
@requires(Permission.COURSE_STUDY)
def lesson(slug: str, key: str) -> Any:
    course, lesson = _lesson_or_404(slug, key)
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == current_user.id, Enrolment.course_id == course.id)
    )
    can_author = operations.may_author(current_user, course)
    if enrolment is None and not can_author:
        flash(_("Enrol in the course to read its lessons."), "info")
        return redirect(url_for("curriculum.course", slug=slug))
    lang = current_language()
    texts = list(db.session.scalars(sa.select(LessonText).where(LessonText.lesson_id == lesson.id)))
    text, fallback = _text_for(texts, lang)
    if text is None:
        abort(404)
    siblings = db.session.execute(
        sa.select(Lesson.key, Lesson.number, LessonText.language, LessonText.title)
        .join(LessonText, LessonText.lesson_id == Lesson.id)
        .where(
            Lesson.course_id == course.id,
            Lesson.retired.is_(False),
            Lesson.number.in_(
                sa.union(
                    sa.select(sa.func.max(Lesson.number)).where(
                        Lesson.course_id == course.id, Lesson.retired.is_(False), Lesson.number < lesson.number
                    ),
                    sa.select(sa.func.min(Lesson.number)).where(
                        Lesson.course_id == course.id, Lesson.retired.is_(False), Lesson.number > lesson.number
                    ),
                ).scalar_subquery()
            ),
        )
    ).all()
    neighbours: dict[str, dict[str, Any]] = {}
    for row in siblings:
        side = "prev" if row.number < lesson.number else "next"
        entry = neighbours.setdefault(side, {"key": row.key, "titles": {}})
        entry["titles"][row.language] = row.title
    completed = None
    if enrolment is not None:
        completed = db.session.scalar(
            sa.select(LessonCompletion).where(
                LessonCompletion.user_id == current_user.id, LessonCompletion.lesson_id == lesson.id
            )
        )
        if enrolment.last_lesson_id != lesson.id:
            operations.open_lesson(enrolment, lesson)
            db.session.commit()
    return render_template(
        "curriculum/lesson.html", course=course, lesson=lesson, text=text, fallback=fallback, lang=lang,
        neighbours=neighbours, completed=completed, enrolment=enrolment, quiz_url=quiz_url(lesson.quiz_id),
        form=ActionForm(), can_author=can_author,
    )


@bp.post("/courses/<slug>/<key>/complete")
@requires(Permission.COURSE_STUDY)
def complete(slug: str, key: str) -> Any:
    course, lesson = _lesson_or_404(slug, key)
    if not ActionForm().validate():
        abort(400)
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.user_id == current_user.id, Enrolment.course_id == course.id)
    )
    try:
        done = operations.complete_lesson(current_user.id, lesson, enrolment)
    except operations.CurriculumError as error:
        return _refuse(error)
    db.session.commit()
    if done is not None:
        flash(_("Lesson marked complete."), "success")
    return redirect(url_for("curriculum.lesson", slug=slug, key=key))


@bp.get("/my-learning")
@signed_in
def my_learning() -> str:
    enrolments = list(
        db.session.scalars(
            sa.select(Enrolment)
            .join(Enrolment.course)
            .options(contains_eager(Enrolment.course))
            .where(Enrolment.user_id == current_user.id, Course.retired.is_(False))
            .order_by(Enrolment.enrolled_at.desc())
        )
    )
    counts = progress_by_course(current_user.id)
    last_ids = [e.last_lesson_id for e in enrolments if e.last_lesson_id]
    last = (
        dict(db.session.execute(sa.select(Lesson.id, Lesson.key).where(Lesson.id.in_(last_ids))).all())
        if last_ids
        else {}
    )
    return render_template("curriculum/my_learning.html", enrolments=enrolments, counts=counts, last=last)


@bp.get("/search")
@public
def search() -> Any:
    q = request.args.get("q", "").strip()
    language = request.args.get("language", "")
    if language and language not in LANGUAGES:
        abort(400, _("Unknown language."))
    if len(q) > lesson_search.MAX_QUERY:
        abort(400, _("The search text is too long."))
    hits = lesson_search.search(q, language or None) if q else []
    return render_template("curriculum/search.html", q=q, language=language, hits=hits)


# ---------------------------------------------------------------------------------------------------------
# Enrolment management


def _managed_course(slug: str) -> Course:
    course = _course_or_404(slug)
    if not (current_user.can(Permission.COURSE_AUTHOR_ANY) or course.owned_by(current_user.email)):
        abort(403)
    return course


def _cohort_choices() -> list[tuple[str, str]]:
    return [("", _("No cohort"))] + [
        (str(c.id), f"{c.name} ({c.starts_on} – {c.ends_on})")
        for c in db.session.scalars(sa.select(Cohort).order_by(Cohort.starts_on.desc()))
    ]


@bp.route("/courses/<slug>/enrolments", methods=["GET", "POST"])
@requires(Permission.ENROLMENT_MANAGE)
def enrolments(slug: str) -> Any:
    course = _managed_course(slug)
    form = BulkEnrolForm()
    form.cohort.choices = _cohort_choices()
    results: list[operations.BulkResult] = []
    written = False
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            cohort = None
            if form.cohort.data:
                cohort = db.session.get(Cohort, int(form.cohort.data)) if form.cohort.data.isdigit() else None
                if cohort is None:
                    form.cohort.errors = [_("Choose one of the cohorts.")]
            raw = form.file.data.read(MAX_CSV_BYTES + 1)
            if len(raw) > MAX_CSV_BYTES:
                form.file.errors = [_("The file is larger than 1 MiB.")]
            if not form.file.errors and not form.cohort.errors:
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    form.file.errors = [_("The file is not UTF-8 text.")]
                else:
                    try:
                        results, written = operations.bulk_enrol(
                            text, course, cohort=cohort, actor_id=current_user.id
                        )
                    except operations.CurriculumError as error:
                        db.session.rollback()
                        form.file.errors = [error.message]
                    else:
                        if written:
                            db.session.commit()
                            status = 200
                            count = sum(r.outcome == "enrolled" for r in results)
                            flash(_("%(n)d users enrolled.", n=count), "success")
                        else:
                            db.session.rollback()
                            flash(_("Some rows are wrong, so nobody was enrolled. Correct them and upload again."),
                                  "error")
    rows = db.session.execute(
        sa.select(Enrolment, Cohort.name)
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.course_id == course.id)
        .order_by(Enrolment.enrolled_at.desc())
        .limit(500)
    ).all()
    from lms.accounts.models import User

    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_([e.user_id for e, _n in rows])))}
    return render_template(
        "curriculum/enrolments.html", course=course, form=form, results=results, written=written, rows=rows,
        users=users,
    ), status


@bp.route("/cohorts", methods=["GET", "POST"])
@requires(Permission.ENROLMENT_MANAGE)
def cohorts() -> Any:
    form = CohortForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            try:
                operations.create_cohort(
                    form.name.data, form.starts_on.data, form.ends_on.data, actor_id=current_user.id
                )
            except operations.CurriculumError as error:
                db.session.rollback()
                form.form_errors.append(error.message)
                status = error.status
            else:
                db.session.commit()
                flash(_("The cohort has been created."), "success")
                return redirect(url_for("curriculum.cohorts"))
    counts = dict(
        db.session.execute(
            sa.select(Enrolment.cohort_id, sa.func.count()).where(Enrolment.cohort_id.is_not(None))
            .group_by(Enrolment.cohort_id)
        ).all()
    )
    rows = list(db.session.scalars(sa.select(Cohort).order_by(Cohort.starts_on.desc())))
    return render_template("curriculum/cohorts.html", form=form, cohorts=rows, counts=counts), status


# ---------------------------------------------------------------------------------------------------------
# Authoring


def _authored_lesson(slug: str, key: str) -> tuple[Course, Lesson]:
    course, lesson = _lesson_or_404(slug, key)
    if not operations.may_author(current_user, course):
        abort(403)
    return course, lesson


def _language_arg() -> str:
    lang = request.args.get("lang", "en")
    if lang not in LANGUAGES:
        abort(400, _("Unknown language."))
    return lang


@bp.route("/courses/<slug>/<key>/edit", methods=["GET", "POST"])
@requires(Permission.COURSE_AUTHOR)
def edit(slug: str, key: str) -> Any:
    course, lesson = _authored_lesson(slug, key)
    lang = _language_arg()
    row = db.session.scalar(sa.select(LessonText).where(LessonText.lesson_id == lesson.id, LessonText.language == lang))
    form = LessonEditForm(data={"source": row.source if row else ""})
    problems: list[Any] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            try:
                saved = operations.save_lesson_text(course, lesson, lang, form.source.data, actor_id=current_user.id)
            except operations.CurriculumError as error:
                db.session.rollback()
                form.form_errors.append(error.message)
                problems = error.problems
            else:
                db.session.commit()
                flash(_("Saved as version %(n)d.", n=saved.version) if saved else _("Nothing changed."), "success")
                return redirect(url_for("curriculum.edit", slug=slug, key=key, lang=lang))
    return render_template(
        "curriculum/edit.html", course=course, lesson=lesson, lang=lang, form=form, problems=problems, row=row
    ), status


@bp.post("/courses/<slug>/<key>/preview")
@requires(Permission.COURSE_AUTHOR)
def preview(slug: str, key: str) -> Any:
    course, lesson = _authored_lesson(slug, key)
    lang = _language_arg()
    form = LessonEditForm()
    if not form.validate():
        return jsonify(ok=False, problems=[_("The lesson cannot be empty.")]), 422
    try:
        rendered = operations.preview(course, lesson, lang, form.source.data)
    except operations.CurriculumError as error:
        return jsonify(ok=False, problems=[str(p) for p in error.problems] or [error.message]), 422
    return jsonify(ok=True, html=rendered.html)


@bp.get("/courses/<slug>/<key>/history")
@requires(Permission.COURSE_AUTHOR)
def history(slug: str, key: str) -> Any:
    course, lesson = _authored_lesson(slug, key)
    from lms.accounts.models import User

    rows = db.session.execute(
        sa.select(LessonVersion, User)
        .outerjoin(User, User.id == LessonVersion.author_id)
        .where(LessonVersion.lesson_id == lesson.id)
        .order_by(LessonVersion.language, LessonVersion.version.desc())
    ).all()
    return render_template("curriculum/history.html", course=course, lesson=lesson, rows=rows, form=ActionForm())


def _version_or_404(lesson: Lesson, version_id: int) -> LessonVersion:
    version = db.session.get(LessonVersion, version_id)
    if version is None or version.lesson_id != lesson.id:
        abort(404)
    return version


@bp.get("/courses/<slug>/<key>/history/<int:version_id>")
@requires(Permission.COURSE_AUTHOR)
def version(slug: str, key: str, version_id: int) -> Any:
    course, lesson = _authored_lesson(slug, key)
    version = _version_or_404(lesson, version_id)
    previous = db.session.scalar(
        sa.select(LessonVersion)
        .where(
            LessonVersion.lesson_id == lesson.id,
            LessonVersion.language == version.language,
            LessonVersion.version < version.version,
        )
        .order_by(LessonVersion.version.desc())
        .limit(1)
    )
    diff = unified_diff(
        previous.source if previous else "", version.source,
        f"v{previous.version}" if previous else "-", f"v{version.version}",
    )
    return render_template(
        "curriculum/version.html", course=course, lesson=lesson, version=version, previous=previous, diff=diff,
        form=ActionForm(),
    )


@bp.post("/courses/<slug>/<key>/history/<int:version_id>/restore")
@requires(Permission.COURSE_AUTHOR)
def restore(slug: str, key: str, version_id: int) -> Any:
    course, lesson = _authored_lesson(slug, key)
    version = _version_or_404(lesson, version_id)
    if not ActionForm().validate():
        abort(400)
    try:
        saved = operations.restore_version(course, lesson, version, actor_id=current_user.id)
    except operations.CurriculumError as error:
        return _refuse(error)
    db.session.commit()
    if saved:
        flash(_("Version %(old)d restored as version %(new)d.", old=version.version, new=saved.version), "success")
    else:
        flash(_("Nothing changed: that version is the current text."), "info")
    return redirect(url_for("curriculum.history", slug=slug, key=key))


@bp.get("/courses/<slug>/export.zip")
@requires(Permission.COURSE_AUTHOR)
def export(slug: str) -> Response:
    course = _course_or_404(slug)
    if not operations.may_author(current_user, course):
        abort(403)
    return Response(
        operations.export_course(course),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}.zip"'},
    )
