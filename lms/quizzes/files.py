"""Reading ``assessments/banks/*.yml`` and ``assessments/quizzes/*.yml`` into dataclasses, reporting every
problem with file and line and writing nothing. The format is ``assessments/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lms.core.content import LineDict, Problems, check_keys, read_yaml
from lms.quizzes import types

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_KEY = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
DIFFICULTIES = ("easy", "medium", "hard")
KINDS = ("lesson", "final")
REVIEW_POLICIES = ("after_attempt", "after_close", "never")
GRADING = ("highest", "last", "average")
COMMON_REQUIRED = {"id", "type", "stem", "explanation", "objective", "source"}
COMMON_OPTIONAL = {"difficulty", "tags", "points"}


@dataclass
class Question:
    id: str
    type: str
    bank: str
    path: str
    line: int
    points: float
    difficulty: str
    tags: tuple[str, ...]
    #: stem, explanation, objective (bilingual Markdown), source, and the type's own keys.
    definition: dict[str, Any]
    case_study: str | None = None

    @property
    def content_hash(self) -> str:
        return _hash(
            {"type": self.type, "points": self.points, "difficulty": self.difficulty, "tags": self.tags,
             "case_study": self.case_study, "definition": self.definition}
        )


@dataclass
class CaseStudy:
    id: str
    bank: str
    path: str
    line: int
    title: dict[str, str]
    scenario: dict[str, str]
    source: str
    question_ids: list[str]

    @property
    def content_hash(self) -> str:
        return _hash({"title": self.title, "scenario": self.scenario, "source": self.source,
                      "questions": self.question_ids})

    @property
    def tags(self) -> set[str]:
        return set()


@dataclass
class Bank:
    id: str
    path: str
    title: dict[str, str]
    question_ids: list[str] = field(default_factory=list)
    case_study_ids: list[str] = field(default_factory=list)
    content_hash: str = ""


@dataclass
class Pool:
    bank: str
    line: int
    tags: tuple[str, ...] = ()
    #: Explicitly named questions or case studies (units).
    units: tuple[str, ...] = ()
    draw: int | None = None


@dataclass
class Quiz:
    id: str
    course: str
    kind: str
    lesson: str | None
    title: dict[str, str]
    pools: list[Pool]
    path: str
    line: int
    shuffle_questions: bool = True
    shuffle_options: bool = True
    time_limit_minutes: int | None = None
    attempts: int | None = None
    grading: str = "highest"
    pass_mark: float = 0.0
    available_from: datetime | None = None
    available_until: datetime | None = None
    review: str = "after_attempt"

    @property
    def content_hash(self) -> str:
        data = {k: v for k, v in self.__dict__.items() if k not in {"path", "line"}}
        return _hash(data)


@dataclass
class Assessments:
    """The parsed result of the "assessments" content source: ``parsed["assessments"]``."""

    banks: dict[str, Bank] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    case_studies: dict[str, CaseStudy] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)

    def units(self, bank: str) -> list[str]:
        """The drawable units of a bank: standalone questions and whole case studies, in file order."""
        b = self.banks[bank]
        standalone = [q for q in b.question_ids if self.questions[q].case_study is None]
        return standalone + b.case_study_ids

    def unit_tags(self, unit: str) -> set[str]:
        if unit in self.case_studies:
            return {t for q in self.case_studies[unit].question_ids for t in self.questions[q].tags}
        return set(self.questions[unit].tags)

    def candidates(self, pool: Pool) -> list[str]:
        if pool.units:
            return list(pool.units)
        units = self.units(pool.bank)
        if pool.tags:
            units = [u for u in units if self.unit_tags(u) & set(pool.tags)]
        return units

    def unit_questions(self, unit: str) -> list[str]:
        return list(self.case_studies[unit].question_ids) if unit in self.case_studies else [unit]


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _bilingual(data: Mapping[str, Any], key: str, path: Path, problems: Problems, what: str) -> dict[str, str]:
    value = data.get(key)
    if not types.is_bilingual(value):
        problems.add(path, getattr(value, "line", None) or data.line, f"{what}: '{key}' must be a bilingual text "
                     "{en: ..., ja: ...} with non-empty texts")
        return {}
    return dict(value)


# ---------------------------------------------------------------------------------------------------------
# Banks


def parse_banks(root: Path, problems: Problems, result: Assessments) -> None:
    folder = root / "assessments" / "banks"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yaml":
            problems.add(path, None, "bank files end in .yml")
        elif path.suffix == ".yml":
            parse_bank(path, problems, result)


def parse_bank(path: Path, problems: Problems, result: Assessments) -> None:
    data = read_yaml(path, problems)
    if data is None:
        return
    if not isinstance(data, LineDict):
        problems.add(path, 1, "a bank file must be a mapping with 'bank', 'title' and 'questions'")
        return
    check_keys(data, path, problems, required={"bank", "title"}, optional={"questions", "case_studies"}, what="bank")
    bank_id = data.get("bank")
    if bank_id != path.stem:
        problems.add(path, data.line, f"bank: 'bank' must equal the file name '{path.stem}' (found {bank_id!r})")
        return
    if bank_id in result.banks:
        problems.add(path, data.line, f"bank: duplicate bank id '{bank_id}'")
        return
    bank = Bank(id=bank_id, path=str(path), title=_bilingual(data, "title", path, problems, "bank"))
    bank.content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    result.banks[bank_id] = bank
    questions = data.get("questions") or []
    if not isinstance(questions, list):
        problems.add(path, data.line, "bank: 'questions' must be a list")
        questions = []
    for item in questions:
        question = parse_question(item, path, problems, result, bank=bank_id, case=None)
        if question:
            bank.question_ids.append(question.id)
    cases = data.get("case_studies") or []
    if not isinstance(cases, list):
        problems.add(path, data.line, "bank: 'case_studies' must be a list")
        cases = []
    for item in cases:
        parse_case_study(item, path, problems, result, bank)
    if not questions and not cases:
        problems.add(path, data.line, "bank: it has no questions and no case studies")


def _check_unique_id(
    value: Any, line: int, path: Path, problems: Problems, result: Assessments, *, what: str
) -> bool:
    if not isinstance(value, str) or not ID.match(value):
        problems.add(path, line, f"{what}: 'id' must be lower-case ASCII letters, digits and hyphens (found {value!r})")
        return False
    if value in result.questions or value in result.case_studies:
        where = result.questions.get(value) or result.case_studies.get(value)
        problems.add(path, line, f"{what}: duplicate id '{value}' (also in {Path(where.path).name}:{where.line})")
        return False
    return True


def parse_case_study(item: Any, path: Path, problems: Problems, result: Assessments, bank: Bank) -> None:
    if not isinstance(item, LineDict):
        problems.add(path, getattr(item, "line", None), "case study: must be a mapping")
        return
    check_keys(item, path, problems, required={"id", "title", "scenario", "source", "questions"}, optional=set(),
               what="case study")
    cid = item.get("id")
    if not _check_unique_id(cid, item.line, path, problems, result, what="case study"):
        return
    source = item.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.add(path, item.line, f"case study '{cid}': 'source' must be a non-empty text")
    case = CaseStudy(
        id=cid, bank=bank.id, path=str(path), line=item.line,
        title=_bilingual(item, "title", path, problems, f"case study '{cid}'"),
        scenario=_bilingual(item, "scenario", path, problems, f"case study '{cid}'"),
        source=str(source or ""), question_ids=[],
    )
    result.case_studies[cid] = case
    questions = item.get("questions")
    if not isinstance(questions, list) or not questions:
        problems.add(path, item.line, f"case study '{cid}': 'questions' must be a non-empty list")
        return
    for q in questions:
        question = parse_question(q, path, problems, result, bank=bank.id, case=cid)
        if question:
            case.question_ids.append(question.id)
            bank.question_ids.append(question.id)
    bank.case_study_ids.append(cid)


def parse_question(
    item: Any, path: Path, problems: Problems, result: Assessments, *, bank: str, case: str | None
) -> Question | None:
    if not isinstance(item, LineDict):
        problems.add(path, getattr(item, "line", None), "question: must be a mapping")
        return None
    qid = item.get("id")
    what = f"question '{qid}'" if isinstance(qid, str) else "question"
    type_key = item.get("type")
    qtype = types.REGISTRY.get(type_key) if isinstance(type_key, str) else None
    if qtype is None:
        problems.add(path, item.line, f"{what}: unknown type {type_key!r}; use one of {', '.join(types.REGISTRY)}")
        return None
    ok = check_keys(item, path, problems, required=COMMON_REQUIRED | qtype.required,
                    optional=COMMON_OPTIONAL | qtype.optional, what=what)
    ok = _check_unique_id(qid, item.line, path, problems, result, what="question") and ok
    count = len(problems)
    stem = _bilingual(item, "stem", path, problems, what)
    explanation = _bilingual(item, "explanation", path, problems, what)
    objective = _bilingual(item, "objective", path, problems, what)
    source = item.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.add(path, item.line, f"{what}: 'source' must say where the fact comes from")
    difficulty = item.get("difficulty", "medium")
    if difficulty not in DIFFICULTIES:
        problems.add(path, item.line, f"{what}: 'difficulty' must be one of {', '.join(DIFFICULTIES)}")
    tags = item.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
        problems.add(path, getattr(tags, "line", item.line), f"{what}: 'tags' must be a list of words")
        tags = []
    points = item.get("points", 1)
    if isinstance(points, bool) or not isinstance(points, int | float) or not 0 < points <= 1000:
        problems.add(path, item.line, f"{what}: 'points' must be a positive number")
        points = 1
    keys = qtype.parse(item, lambda line, message: problems.add(path, line, f"{what}: {message}"), item.line)
    if not ok or keys is None or len(problems) != count:
        return None
    question = Question(
        id=qid, type=type_key, bank=bank, path=str(path), line=item.line, points=float(points),
        difficulty=difficulty, tags=tuple(tags), case_study=case,
        definition={"stem": stem, "explanation": explanation, "objective": objective, "source": source.strip(),
                    **keys},
    )
    result.questions[qid] = question
    return question


# ---------------------------------------------------------------------------------------------------------
# Quizzes

QUIZ_REQUIRED = {"id", "kind", "title", "pools", "pass_mark"}
QUIZ_OPTIONAL = {"lesson", "shuffle_questions", "shuffle_options", "time_limit_minutes", "attempts", "grading",
                 "available_from", "available_until", "review"}


def parse_quizzes(root: Path, problems: Problems, result: Assessments, courses: Mapping[str, Any] | None) -> None:
    folder = root / "assessments" / "quizzes"
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix == ".yaml":
                problems.add(path, None, "quiz files end in .yml")
            elif path.suffix == ".yml":
                parse_quiz_file(path, problems, result, courses)
    # A content root without assessments/ (a courses-only checkout or fixture) has no quizzes to check against.
    if courses is not None and (root / "assessments").is_dir():
        check_lesson_quizzes(problems, result, courses)


def parse_quiz_file(path: Path, problems: Problems, result: Assessments, courses: Mapping[str, Any] | None) -> None:
    data = read_yaml(path, problems)
    if data is None:
        return
    if not isinstance(data, LineDict):
        problems.add(path, 1, "a quizzes file must be a mapping with 'course' and 'quizzes'")
        return
    check_keys(data, path, problems, required={"course", "quizzes"}, optional=set(), what="quizzes file")
    course = data.get("course")
    if course != path.stem:
        problems.add(path, data.line, f"'course' must equal the file name '{path.stem}' (found {course!r})")
        return
    course_obj = None
    if courses is not None:
        course_obj = courses.get(course)
        if course_obj is None:
            problems.add(path, data.line, f"course '{course}' does not exist in courses/")
    quizzes = data.get("quizzes")
    if not isinstance(quizzes, list) or not quizzes:
        problems.add(path, data.line, "'quizzes' must be a non-empty list")
        return
    for item in quizzes:
        quiz = parse_quiz(item, path, problems, result, course)
        if quiz is not None and course_obj is not None and quiz.kind == "lesson":
            lessons = getattr(course_obj, "lessons", {}) or {}
            lesson = lessons.get(quiz.lesson)
            if lesson is None:
                problems.add(path, quiz.line, f"quiz '{quiz.id}': lesson '{quiz.lesson}' does not exist in "
                             f"courses/{course}/")
            else:
                named = getattr(lesson, "quiz", None)
                if named and named != quiz.id:
                    problems.add(path, quiz.line, f"quiz '{quiz.id}': lesson '{quiz.lesson}' names quiz "
                                 f"'{named}' in its front matter, not this one")


def check_lesson_quizzes(problems: Problems, result: Assessments, courses: Mapping[str, Any]) -> None:
    """A lesson's front matter ``quiz:`` must name a lesson quiz of that lesson."""
    for slug, course in courses.items():
        for key, lesson in (getattr(course, "lessons", {}) or {}).items():
            named = getattr(lesson, "quiz", None)
            if not named:
                continue
            quiz = result.quizzes.get(named)
            where = getattr(lesson, "path", None) or f"courses/{slug}/{key}.md"
            if quiz is None:
                problems.add(where, getattr(lesson, "line", None) or 1,
                             f"lesson '{slug}/{key}' names quiz '{named}', which no file in "
                             "assessments/quizzes/ defines")
            elif quiz.course != slug or quiz.lesson != key:
                problems.add(where, getattr(lesson, "line", None) or 1,
                             f"lesson '{slug}/{key}' names quiz '{named}', which belongs to "
                             f"'{quiz.course}/{quiz.lesson or 'final'}'")


def _datetime(value: Any, path: Path, line: int, problems: Problems, what: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = None
    if not isinstance(value, datetime) or value.tzinfo is None:
        problems.add(path, line, f"{what} must be a date and time with a time zone, e.g. 2026-04-01T00:00:00+09:00")
        return None
    return value


def parse_quiz(item: Any, path: Path, problems: Problems, result: Assessments, course: str) -> Quiz | None:
    if not isinstance(item, LineDict):
        problems.add(path, getattr(item, "line", None), "quiz: must be a mapping")
        return None
    qid = item.get("id")
    what = f"quiz '{qid}'" if isinstance(qid, str) else "quiz"
    count = len(problems)
    check_keys(item, path, problems, required=QUIZ_REQUIRED, optional=QUIZ_OPTIONAL, what=what)
    if not isinstance(qid, str) or not ID.match(qid):
        problems.add(path, item.line, f"{what}: 'id' must be lower-case ASCII letters, digits and hyphens")
        return None
    if qid in result.quizzes:
        other = result.quizzes[qid]
        problems.add(path, item.line, f"{what}: duplicate quiz id (also in {Path(other.path).name}:{other.line})")
        return None
    kind = item.get("kind")
    lesson = item.get("lesson")
    if kind not in KINDS:
        problems.add(path, item.line, f"{what}: 'kind' must be lesson or final")
    elif kind == "lesson" and (not isinstance(lesson, str) or not LESSON_KEY.match(lesson)):
        problems.add(path, item.line, f"{what}: a lesson quiz needs 'lesson', the lesson's file name without .md "
                     "(e.g. 01-patents)")
    elif kind == "final" and lesson is not None:
        problems.add(path, item.line, f"{what}: a final exam has no 'lesson'")

    def boolean(key: str) -> bool:
        value = item.get(key, True)
        if not isinstance(value, bool):
            problems.add(path, item.line, f"{what}: '{key}' must be true or false")
            return True
        return value

    def positive_int(key: str) -> int | None:
        value = item.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.add(path, item.line, f"{what}: '{key}' must be a whole number of 1 or more (or omitted)")
            return None
        return value

    grading_method = item.get("grading", "highest")
    if grading_method not in GRADING:
        problems.add(path, item.line, f"{what}: 'grading' must be one of {', '.join(GRADING)}")
    review = item.get("review", "after_attempt")
    if review not in REVIEW_POLICIES:
        problems.add(path, item.line, f"{what}: 'review' must be one of {', '.join(REVIEW_POLICIES)}")
    pass_mark = item.get("pass_mark")
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int | float) or not 0 <= pass_mark <= 100:
        problems.add(path, item.line, f"{what}: 'pass_mark' must be a percentage from 0 to 100")
        pass_mark = 0
    available_from = _datetime(item.get("available_from"), path, item.line, problems, f"{what}: 'available_from'")
    available_until = _datetime(item.get("available_until"), path, item.line, problems, f"{what}: 'available_until'")
    if available_from and available_until and available_until <= available_from:
        problems.add(path, item.line, f"{what}: 'available_until' must be after 'available_from'")
    pools = [p for p in (_pool(raw, path, problems, result, what) for raw in _list(item.get("pools"))) if p]
    if not _list(item.get("pools")):
        problems.add(path, item.line, f"{what}: 'pools' must be a non-empty list")
    quiz = Quiz(
        id=qid, course=course, kind=str(kind), lesson=lesson if kind == "lesson" else None,
        title=_bilingual(item, "title", path, problems, what), pools=pools, path=str(path), line=item.line,
        shuffle_questions=boolean("shuffle_questions"), shuffle_options=boolean("shuffle_options"),
        time_limit_minutes=positive_int("time_limit_minutes"), attempts=positive_int("attempts"),
        grading=str(grading_method), pass_mark=float(pass_mark), available_from=available_from,
        available_until=available_until, review=str(review),
    )
    if len(problems) != count:
        return None
    result.quizzes[qid] = quiz
    return quiz


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _pool(  # noqa: PLR0911, PLR0912 - one check after another, each reported
    raw: Any, path: Path, problems: Problems, result: Assessments, what: str
) -> Pool | None:
    if not isinstance(raw, LineDict):
        problems.add(path, getattr(raw, "line", None), f"{what}: a pool must be a mapping with 'bank'")
        return None
    if not check_keys(raw, path, problems, required={"bank"}, optional={"tags", "questions", "draw"},
                      what=f"{what} pool"):
        return None
    bank = raw["bank"]
    if bank not in result.banks:
        problems.add(path, raw.line, f"{what}: pool names bank '{bank}', which does not exist in assessments/banks/")
        return None
    tags, units = raw.get("tags"), raw.get("questions")
    if tags is not None and units is not None:
        problems.add(path, raw.line, f"{what}: a pool selects by 'tags' or by 'questions', not both")
        return None
    if tags is not None and (not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags)):
        problems.add(path, raw.line, f"{what}: pool 'tags' must be a non-empty list of tags")
        return None
    if units is not None:
        if not isinstance(units, list) or not units or not all(isinstance(u, str) for u in units):
            problems.add(path, raw.line, f"{what}: pool 'questions' must be a non-empty list of ids")
            return None
        ok = True
        for unit in units:
            question = result.questions.get(unit)
            if unit in result.case_studies and result.case_studies[unit].bank == bank:
                continue
            if question is not None and question.bank == bank and question.case_study is None:
                continue
            if question is not None and question.case_study is not None:
                problems.add(path, raw.line, f"{what}: '{unit}' belongs to case study '{question.case_study}'; "
                             "a quiz draws the case study whole, so name the case study")
            else:
                problems.add(path, raw.line, f"{what}: pool names '{unit}', which is not a question or case study "
                             f"of bank '{bank}'")
            ok = False
        if not ok:
            return None
        if len(set(units)) != len(units):
            problems.add(path, raw.line, f"{what}: pool names a question twice")
            return None
    draw = raw.get("draw")
    if draw is not None and (isinstance(draw, bool) or not isinstance(draw, int) or draw < 1):
        problems.add(path, raw.line, f"{what}: pool 'draw' must be a whole number of 1 or more")
        return None
    pool = Pool(bank=bank, line=raw.line, tags=tuple(tags or ()), units=tuple(units or ()), draw=draw)
    available = len(result.candidates(pool))
    if available == 0:
        problems.add(path, raw.line, f"{what}: pool matches no question of bank '{bank}'")
        return None
    if draw is not None and draw > available:
        problems.add(path, raw.line, f"{what}: pool cannot supply its draw of {draw}: only {available} "
                     "question(s) or case studies match")
        return None
    return pool
