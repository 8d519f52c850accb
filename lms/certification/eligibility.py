"""Certification eligibility, computed from exactly the criteria a track publishes. Pure: no request, no DB.

The trainee's checklist, the request button and the administrators' queue all call ``evaluate``, so what a
trainee sees is what an administrator is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequiredCourse:
    course: str
    final_exam: str
    #: Percent, compared with the final exam's grade.
    min_score: float


@dataclass(frozen=True)
class Criteria:
    """A track's published requirements."""

    required_courses: Sequence[RequiredCourse]
    practicum_required: bool


@dataclass(frozen=True)
class Record:
    """What the trainee has done, as the curriculum, quizzes and practicum features report it."""

    completed_courses: frozenset[str] = frozenset()
    #: Final-exam grades in percent by quiz id; a quiz never graded is absent.
    grades: Mapping[str, float] = field(default_factory=dict)
    practicum_passed: bool = False


@dataclass(frozen=True)
class Item:
    """One line of the checklist. ``kind`` is course, exam or practicum; ``subject`` the course or quiz id."""

    kind: str
    subject: str
    done: bool
    #: For exams: the grade reached (None if not yet graded) and the grade needed.
    score: float | None = None
    needed: float | None = None


@dataclass(frozen=True)
class Checklist:
    items: tuple[Item, ...]

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def missing(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if not item.done)


def evaluate(criteria: Criteria, record: Record) -> Checklist:
    items: list[Item] = []
    for required in criteria.required_courses:
        items.append(Item("course", required.course, required.course in record.completed_courses))
        grade = record.grades.get(required.final_exam)
        items.append(
            Item(
                "exam",
                required.final_exam,
                grade is not None and grade >= required.min_score,
                score=grade,
                needed=required.min_score,
            )
        )
    if criteria.practicum_required:
        items.append(Item("practicum", "practicum", record.practicum_passed))
    return Checklist(tuple(items))
