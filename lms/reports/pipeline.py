"""The certification pipeline: how many trainees reached each stage, by track, prefecture, organisation or cohort.

Every count is of (trainee, track) pairs: a trainee enrolled in at least one course a track requires is one pair
(a trainee in two tracks is two, one in each track's row). The scope narrows the pairs by track, by the cohort
and by the date of the trainee's first enrolment in the track; each later stage counts the pairs that had
reached it when the snapshot was taken (``models.py``). One GROUP BY statement per table.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from lms.core.db import db
from lms.reports.models import PipelineRow
from lms.reports.stages import Scope, scope_conditions

#: The stages in order, as the rows' attribute names.
STAGES = ("enrolled", "completed", "passed", "practicum", "certified", "rostered")
#: What a pipeline table can be grouped by.
DIMENSIONS = ("track", "prefecture", "organisation", "cohort")


@dataclass(frozen=True)
class Row:
    #: The track id, prefecture code, organisation text or cohort id; None for "not given".
    key: str | int | None
    enrolled: int
    completed: int
    passed: int
    practicum: int
    certified: int
    rostered: int

    def counts(self) -> tuple[int, ...]:
        return tuple(getattr(self, stage) for stage in STAGES)


def table(dimension: str, scope: Scope) -> list[Row]:
    """The pipeline grouped by ``dimension`` (one of DIMENSIONS), largest population first. One statement."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    p = PipelineRow
    key = {"track": p.track_id, "prefecture": p.prefecture_code, "organisation": p.organisation,
           "cohort": p.cohort_id}[dimension]

    def reached(flag: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.count(sa.case((flag.is_(True), 1)))

    enrolled = sa.func.count()
    stmt = (
        sa.select(key.label("key"), enrolled, reached(p.completed), reached(p.passed), reached(p.practicum),
                  reached(p.certified), reached(p.rostered))
        .where(*scope_conditions(p, scope))
        .group_by(key)
        .order_by(enrolled.desc(), key)
    )
    return [Row(*r) for r in db.session.execute(stmt)]


def totals(rows: list[Row]) -> tuple[int, ...] | None:
    """Column sums (pure): every pair is in exactly one row of a table. None for no rows."""
    if not rows:
        return None
    return tuple(sum(column) for column in zip(*(r.counts() for r in rows), strict=True))
