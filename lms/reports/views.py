"""Report pages and their CSV exports. Views parse the filters, authorise, run the report's statements, render.

Administrators (``reports:all``) see every report; instructors (``reports:own``) see the completion and pass
rates of the courses they own, and get a 404 for any other course.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.certification.models import Track
from lms.core import prefectures, spreadsheet
from lms.core.access import Permission, requires
from lms.core.db import db, utcnow
from lms.core.extensions import limiter
from lms.core.i18n import current_language, pick
from lms.core.views import safe_next
from lms.curriculum.models import Cohort
from lms.reports import charts, courses, coverage, filters, operations, pipeline
from lms.reports.filters import FilterError
from lms.reports.stages import Scope

bp = Blueprint(
    "reports", __name__, url_prefix="/reports", template_folder="templates", static_folder="static",
    static_url_path="/static",
)

STAGE_LABELS = {
    "enrolled": _l("Enrolled"),
    "completed": _l("Completed"),
    "passed": _l("Passed"),
    "practicum": _l("Practicum passed"),
    "certified": _l("Certified"),
    "rostered": _l("On the roster"),
}
DIMENSION_LABELS = {
    "track": _l("Track"),
    "prefecture": _l("Prefecture"),
    "organisation": _l("Organisation"),
    "cohort": _l("Cohort"),
}
#: Why the per-SME view cannot be shown, by ``coverage.SmeCounts.problem``.
SME_PROBLEMS = {
    "missing": _l("The per-SME view is unavailable: the file of SME counts per prefecture is missing."),
    "empty": _l("The per-SME view is unavailable: no per-prefecture SME counts from an official source have "
                "been entered yet, and none are estimated. The source to use is named below."),
    "malformed": _l("The per-SME view is unavailable: the file of SME counts per prefecture is not in the "
                    "expected form (code,name_ja,smes, one row per prefecture)."),
}
VIEWS = ("count", "smes")


@bp.errorhandler(FilterError)
def _bad_filter(error: FilterError) -> Any:
    return render_template("reports/bad_filter.html", message=str(error)), 400


# --- Shared lookups (one statement each) -----------------------------------------------------------------------


def _tracks() -> dict[str, dict[str, str]]:
    rows = db.session.execute(sa.select(Track.id, Track.name_en, Track.name_ja).order_by(Track.id))
    return {r.id: {"en": r.name_en, "ja": r.name_ja} for r in rows}


def _cohorts() -> dict[int, str]:
    return dict(db.session.execute(sa.select(Cohort.id, Cohort.name).order_by(Cohort.starts_on, Cohort.id)).all())


def _filename(*parts: str) -> str:
    return "-".join([*parts, utcnow().strftime("%Y%m%d")]) + ".csv"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


# --- Index and the snapshot ----------------------------------------------------------------------------------


@bp.get("/")
@requires(Permission.REPORTS_OWN)
def index() -> Any:
    return render_template("reports/index.html", everything=current_user.can(Permission.REPORTS_ALL))


@bp.context_processor
def _snapshot() -> dict[str, Any]:
    return {"snapshot": operations.last_refresh}


#: Refreshes per account: each recomputes every trainee's stages (seconds on a large database), and anyone who
#: sees a report may ask for one.
REFRESH_LIMIT = "20 per hour"


def _refresh_limit() -> str:
    return current_app.config.get("LMS_REPORTS_REFRESH_RATE_LIMIT", REFRESH_LIMIT)


def _account_key() -> str:
    return f"reports-refresh-by-{current_user.id if current_user.is_authenticated else None}"


@bp.post("/refresh")
@requires(Permission.REPORTS_OWN)
@limiter.limit(_refresh_limit, key_func=_account_key)
def refresh() -> Any:
    """Take the snapshot again (a few seconds on a large database), then go back to the report."""
    row, took = operations.refresh(utcnow())
    seconds = row.seconds
    db.session.commit()
    if took:
        flash(_("The figures were brought up to date in %(seconds).1f seconds.", seconds=seconds), "success")
    else:
        flash(_("A refresh was already running: these are its figures, brought up to date in %(seconds).1f "
                "seconds.", seconds=seconds), "success")
    target = request.form.get("next", "")
    return redirect(safe_next(target if target.startswith(url_for("reports.index")) else None, "reports.index"))


# --- Pipeline ------------------------------------------------------------------------------------------------


def _pipeline_request() -> tuple[str, Scope, dict[str, dict[str, str]], dict[int, str], list[pipeline.Row]]:
    tracks, cohorts = _tracks(), _cohorts()
    dimension = filters.choice(request.args, "by", pipeline.DIMENSIONS, "track")
    scope = filters.scope(request.args, tracks.keys(), cohorts.keys())
    return dimension, scope, tracks, cohorts, pipeline.table(dimension, scope)


def _row_label(dimension: str, key: Any, tracks: dict[str, dict[str, str]], cohorts: dict[int, str]) -> str:
    if key is None or key == "":
        return _("(no cohort)") if dimension == "cohort" else _("(not given)")
    if dimension == "track":
        return pick(tracks.get(key)) or str(key)
    if dimension == "prefecture":
        return prefectures.name(key, current_language()) or str(key)
    if dimension == "cohort":
        return cohorts.get(key, str(key))
    return str(key)


@bp.get("/pipeline")
@requires(Permission.REPORTS_ALL)
def pipeline_page() -> Any:
    dimension, scope, tracks, cohorts, rows = _pipeline_request()
    labelled = [(_row_label(dimension, r.key, tracks, cohorts), r) for r in rows]
    stage_names = [str(STAGE_LABELS[s]) for s in pipeline.STAGES]

    def funnel(counts: tuple[int, ...]) -> charts.Chart:
        return charts.bar_chart([(name, n, f"{n:,}") for name, n in zip(stage_names, counts, strict=True)],
                                series=len(stage_names))

    totals = pipeline.totals(rows)
    funnels = [(_("All rows of this table"), funnel(totals))] if totals else []
    if dimension == "track" and len(rows) > 1:
        funnels += [(label, funnel(r.counts())) for label, r in labelled]
    return render_template(
        "reports/pipeline.html", dimension=dimension, scope=scope, tracks=tracks, cohorts=cohorts, rows=labelled,
        totals=totals, funnels=funnels, stages=pipeline.STAGES, stage_labels=STAGE_LABELS,
        dimensions=DIMENSION_LABELS,
        csv_args={k: v for k, v in request.args.items() if k in {"by", "track", "cohort", "from", "to"}},
    )


@bp.get("/pipeline.csv")
@requires(Permission.REPORTS_ALL)
def pipeline_csv() -> Any:
    dimension, _scope, tracks, cohorts, rows = _pipeline_request()
    header = [str(DIMENSION_LABELS[dimension]), *(str(STAGE_LABELS[s]) for s in pipeline.STAGES)]
    if dimension in {"track", "prefecture", "cohort"}:
        header.insert(0, _("Code"))
    body = []
    for r in rows:
        line = [_row_label(dimension, r.key, tracks, cohorts), *r.counts()]
        if dimension in {"track", "prefecture", "cohort"}:
            line.insert(0, "" if r.key is None else r.key)
        body.append(line)
    return spreadsheet.download(_filename("pipeline", "by", dimension), header, body)


# --- Coverage ------------------------------------------------------------------------------------------------


def _sme_counts() -> coverage.SmeCounts:
    return coverage.read_sme_counts(Path(current_app.config.get("LMS_SME_COUNTS_PATH") or coverage.SME_COUNTS))


def _coverage_rows(counts: dict[str, int], smes: coverage.SmeCounts) -> list[tuple[str, str, int, int | None,
                                                                                    float | None]]:
    lang = current_language()
    return [(p.code, prefectures.name(p.code, lang), counts.get(p.code, 0), smes.counts.get(p.code),
             coverage.per_smes(counts.get(p.code, 0), smes.counts.get(p.code))) for p in prefectures.PREFECTURES]


@bp.get("/coverage")
@requires(Permission.REPORTS_ALL)
def coverage_page() -> Any:
    view = filters.choice(request.args, "view", VIEWS, "count")
    smes = _sme_counts()
    if view == "smes" and not smes.available:
        view = "count"  # the page says why (sme_problem) and shows the counts instead
    now = utcnow()
    counts = coverage.professionals_by_prefecture(now)
    tiles, top = coverage.tiles(counts, smes, view == "smes", coverage.read_tile_map())
    return render_template(
        "reports/coverage.html", view=view, smes=smes,
        sme_problem=None if smes.available else SME_PROBLEMS[smes.problem or "empty"],
        tiles=tiles, legend=coverage.legend(top) if view == "smes" else coverage.count_legend(int(top)),
        rows=_coverage_rows(counts, smes),
        listed=coverage.listed_count(now), gaps=sum(1 for t in tiles if t.professionals == 0),
    )


@bp.get("/coverage.csv")
@requires(Permission.REPORTS_ALL)
def coverage_csv() -> Any:
    smes = _sme_counts()
    rows = _coverage_rows(coverage.professionals_by_prefecture(utcnow()), smes)
    header = [_("Code"), _("Prefecture"), _("Professionals serving it"), _("SMEs"), _("Per 10,000 SMEs")]
    return spreadsheet.download(_filename("roster-coverage"), header,
                [(code, name, n, "" if s is None else s, "" if d is None else f"{d:.3f}")
                 for code, name, n, s, d in rows])


# --- Courses -------------------------------------------------------------------------------------------------


def _course_scope(cohorts: dict[int, str]) -> Scope:
    args = {k: v for k, v in request.args.items() if k != "track"}
    return filters.scope(args, (), cohorts.keys())


def _courses_request() -> tuple[Scope, dict[int, str], list[tuple[courses.CourseInfo, courses.CourseRow]]]:
    cohorts = _cohorts()
    scope = _course_scope(cohorts)
    visible = courses.visible_courses(current_user)
    table = {r.course_id: r for r in courses.course_table([c.id for c in visible], scope)}
    empty = courses.CourseRow(0, 0, 0, None)
    return scope, cohorts, [(c, table.get(c.id, empty)) for c in visible]


@bp.get("/courses")
@requires(Permission.REPORTS_OWN)
def courses_page() -> Any:
    scope, cohorts, rows = _courses_request()
    chart_rows = []
    for info, row in rows:
        title = pick(info.title) or info.slug
        completion = courses.rate(row.completed, row.enrolled)
        passing = courses.rate(row.passed, row.enrolled)
        chart_rows.append((_("%(course)s: completed", course=title), completion or 0, f"{completion or 0:.0f}%"))
        chart_rows.append((_("%(course)s: passed", course=title), passing or 0,
                           "—" if passing is None else f"{passing:.0f}%"))
    return render_template("reports/courses.html", scope=scope, cohorts=cohorts, rows=rows, rate=courses.rate,
                           chart=charts.bar_chart(chart_rows, top=100, series=2),
                           csv_args={k: v for k, v in request.args.items() if k in {"cohort", "from", "to"}})


@bp.get("/courses.csv")
@requires(Permission.REPORTS_OWN)
def courses_csv() -> Any:
    rows = _courses_request()[2]
    header = [_("Course"), _("Title"), _("Enrolled"), _("Completed"), _("Completion rate (%)"),
              _("Passed the final exam"), _("Pass rate (%)")]
    return spreadsheet.download(_filename("course-completion"), header, [
        (info.slug, pick(info.title), r.enrolled, r.completed, _pct(courses.rate(r.completed, r.enrolled)),
         "" if r.passed is None else r.passed, _pct(courses.rate(r.passed, r.enrolled)))
        for info, r in rows
    ])


def _course_request(course_id: int) -> tuple[courses.CourseInfo, Scope, dict[int, str], list[courses.QuizRow]]:
    info = courses.visible_course(current_user, course_id)
    if info is None:
        abort(404)  # unknown, or a course the instructor does not own: the same answer, nothing revealed
    cohorts = _cohorts()
    scope = _course_scope(cohorts)
    return info, scope, cohorts, courses.quiz_table(course_id, scope)


@bp.get("/courses/<int:course_id>")
@requires(Permission.REPORTS_OWN)
def course_page(course_id: int) -> Any:
    info, scope, cohorts, rows = _course_request(course_id)
    chart_rows = [(pick(r.title) or r.quiz_id, courses.rate(r.passed, r.graded) or 0,
                   "—" if not r.graded else f"{courses.rate(r.passed, r.graded):.0f}%") for r in rows]
    return render_template("reports/course.html", course=info, scope=scope, cohorts=cohorts, rows=rows,
                           rate=courses.rate, chart=charts.bar_chart(chart_rows, top=100),
                           csv_args={k: v for k, v in request.args.items() if k in {"cohort", "from", "to"}})


@bp.get("/courses/<int:course_id>/quizzes.csv")
@requires(Permission.REPORTS_OWN)
def course_csv(course_id: int) -> Any:
    info, rows = _course_request(course_id)[::3]
    header = [_("Quiz"), _("Title"), _("Kind"), _("Pass mark (%)"), _("Trainees graded"), _("Passed"),
              _("Pass rate (%)"), _("Graded attempts"), _("Mean grade (%)")]
    return spreadsheet.download(_filename(info.slug, "quizzes"), header, [
        (r.quiz_id, pick(r.title), r.kind, r.pass_mark, r.graded, r.passed, _pct(courses.rate(r.passed, r.graded)),
         r.attempts, _pct(r.mean_grade))
        for r in rows
    ])
