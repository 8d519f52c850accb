"""The question-type registry: one class per ``type`` key, registered by that key (as CTFd registers challenge
types). A type knows how to

- ``parse`` its answer-key fields from a bank file (reporting every problem, writing nothing),
- fix a per-attempt ``layout`` (option order, seeded by the attempt),
- give the ``public`` data an open attempt may show: never a key, a feedback or an explanation,
- ``clean`` a submitted response (refusing unknown or tampered ids and wrong types),
- ``grade`` a response purely (via :mod:`lms.quizzes.grading`),
- ``summarise`` a response for item statistics, and say what the ``review`` may show.

A definition is a JSON-able dict: the common texts (``stem``, ``explanation``, ``objective``: bilingual) and the
type's own keys, exactly as in ``assessments/README.md``. Texts are Markdown in files, HTML once synced.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

from lms.quizzes import grading

#: A reporter of problems in a file: ``report(line, message)``.
Report = Callable[[int | None, str], None]

MAX_TEXT_ANSWER = 500
ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")


class ResponseError(ValueError):
    """A response that does not fit its question (wrong type, unknown option); the message is user-facing."""


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.type] = cls()
    return cls


def get(type_key: str) -> QuestionType:
    return REGISTRY[type_key]


def is_bilingual(value: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and set(value) <= {"en", "ja"}
        and bool(value)
        and all(isinstance(v, str) and v.strip() for v in value.values())
    )


def _line(data: Any, default: int | None) -> int | None:
    return getattr(data, "line", None) or default


def _pick(text: Mapping[str, str] | None, lang: str) -> str:
    if not text:
        return ""
    return text.get(lang) or next((v for v in text.values() if v), "")


class QuestionType:
    type: ClassVar[str]
    #: Keys this type needs / may have besides the common ones.
    required: ClassVar[frozenset[str]] = frozenset()
    optional: ClassVar[frozenset[str]] = frozenset()
    #: Bilingual Markdown fields of the definition that sync renders to HTML (paths handled by ``texts``).
    label: ClassVar[str] = ""

    # -- files ------------------------------------------------------------------------------------------
    def parse(self, data: Mapping[str, Any], report: Report, line: int | None) -> dict[str, Any] | None:
        """Validate the type's own keys; return them as a JSON-able dict, or None after reporting."""
        raise NotImplementedError

    def texts(self, definition: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
        """(container, key) pairs of the bilingual Markdown texts of the type's own keys, to render at sync."""
        return []

    # -- attempts ---------------------------------------------------------------------------------------
    def layout(self, definition: Mapping[str, Any], rng: random.Random, shuffle: bool) -> dict[str, Any]:
        return {}

    def public(self, definition: Mapping[str, Any], layout: Mapping[str, Any], lang: str) -> dict[str, Any]:
        return {}

    def clean(self, definition: Mapping[str, Any], layout: Mapping[str, Any], raw: Any) -> Any:
        raise NotImplementedError

    def from_form(self, definition: Mapping[str, Any], layout: Mapping[str, Any], form: Any, name: str) -> Any:
        value = form.get(name)
        return None if value in (None, "") else value

    def grade(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> float:
        raise NotImplementedError

    def summarise(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> str | None:
        """A short text of the response, grouped by item statistics (Moodle's response summary)."""
        return None if response is None else str(response)[:200]

    def review(
        self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any, lang: str
    ) -> dict[str, Any]:
        """What the review page may show once the policy allows: the right answer and the feedback."""
        return {}


# ---------------------------------------------------------------------------------------------------------
# Choice types


class _Choice(QuestionType):
    required = frozenset({"options"})

    def parse(self, data: Mapping[str, Any], report: Report, line: int | None) -> dict[str, Any] | None:
        options = data.get("options")
        if not isinstance(options, list) or len(options) < 2:
            report(_line(options, line), f"{self.type}: 'options' must be a list of 2 or more options")
            return None
        parsed: list[dict[str, Any]] = []
        ok = True
        seen: set[str] = set()
        for option in options:
            oline = _line(option, line)
            if not isinstance(option, Mapping):
                report(oline, "an option must be a mapping with 'id' and 'text'")
                ok = False
                continue
            unknown = set(option) - {"id", "text", "feedback", "correct"}
            if unknown:
                report(oline, f"option: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
                ok = False
            oid = option.get("id")
            if not isinstance(oid, str) or not oid or not set(oid) <= ID_CHARS:
                report(oline, "option: 'id' must be lower-case letters, digits or hyphens")
                ok = False
                continue
            if oid in seen:
                report(oline, f"option: duplicate id '{oid}'")
                ok = False
            seen.add(oid)
            if not is_bilingual(option.get("text")):
                report(oline, f"option '{oid}': 'text' must be a bilingual text {{en: ..., ja: ...}}")
                ok = False
            if "feedback" in option and not is_bilingual(option["feedback"]):
                report(oline, f"option '{oid}': 'feedback' must be a bilingual text")
                ok = False
            correct = option.get("correct", False)
            if not isinstance(correct, bool):
                report(oline, f"option '{oid}': 'correct' must be true or false")
                ok = False
            parsed.append(
                {
                    "id": oid,
                    "text": dict(option.get("text") or {}),
                    "feedback": dict(option["feedback"]) if option.get("feedback") else None,
                    "correct": bool(correct),
                }
            )
        if not ok:
            return None
        n_correct = sum(1 for o in parsed if o["correct"])
        if not self._key_count_ok(n_correct, len(parsed)):
            report(_line(options, line), self._key_message(n_correct))
            return None
        return {"options": parsed}

    def _key_count_ok(self, n_correct: int, n: int) -> bool:
        raise NotImplementedError

    def _key_message(self, n_correct: int) -> str:
        raise NotImplementedError

    def texts(self, definition: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
        found: list[tuple[dict[str, Any], str]] = []
        for option in definition["options"]:
            found.append((option, "text"))
            if option.get("feedback"):
                found.append((option, "feedback"))
        return found

    def layout(self, definition: Mapping[str, Any], rng: random.Random, shuffle: bool) -> dict[str, Any]:
        ids = [o["id"] for o in definition["options"]]
        if shuffle:
            rng.shuffle(ids)
        return {"options": ids}

    def public(self, definition: Mapping[str, Any], layout: Mapping[str, Any], lang: str) -> dict[str, Any]:
        by_id = {o["id"]: o for o in definition["options"]}
        return {"options": [{"id": i, "text": _pick(by_id[i]["text"], lang)} for i in layout["options"]]}

    def review(
        self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any, lang: str
    ) -> dict[str, Any]:
        chosen = set(response if isinstance(response, list) else [response] if response else [])
        by_id = {o["id"]: o for o in definition["options"]}
        return {
            "options": [
                {
                    "id": i,
                    "text": _pick(by_id[i]["text"], lang),
                    "correct": by_id[i]["correct"],
                    "chosen": i in chosen,
                    "feedback": _pick(by_id[i].get("feedback"), lang),
                }
                for i in layout["options"]
            ]
        }


@register
class SingleChoice(_Choice):
    type = "single_choice"

    def _key_count_ok(self, n_correct: int, n: int) -> bool:
        return n_correct == 1

    def _key_message(self, n_correct: int) -> str:
        return f"single_choice: exactly one option must have 'correct: true' (found {n_correct})"

    def clean(self, definition: Mapping[str, Any], layout: Mapping[str, Any], raw: Any) -> Any:
        if raw is None:
            return None
        if not isinstance(raw, str) or raw not in layout["options"]:
            raise ResponseError(_l("The chosen option is not one of this question's options."))
        return raw

    def grade(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> float:
        correct = next(o["id"] for o in definition["options"] if o["correct"])
        return grading.single_choice(correct, response)


@register
class MultipleResponse(_Choice):
    type = "multiple_response"

    def _key_count_ok(self, n_correct: int, n: int) -> bool:
        return n_correct >= 1

    def _key_message(self, n_correct: int) -> str:
        return "multiple_response: at least one option must have 'correct: true'"

    def from_form(self, definition: Mapping[str, Any], layout: Mapping[str, Any], form: Any, name: str) -> Any:
        return form.getlist(name) if hasattr(form, "getlist") else form.get(name)

    def clean(self, definition: Mapping[str, Any], layout: Mapping[str, Any], raw: Any) -> Any:
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ResponseError(_l("A multiple-response answer must be a list of option ids."))
        if not set(raw) <= set(layout["options"]):
            raise ResponseError(_l("A chosen option is not one of this question's options."))
        return sorted(set(raw))

    def grade(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> float:
        correct = [o["id"] for o in definition["options"] if o["correct"]]
        wrong = [o["id"] for o in definition["options"] if not o["correct"]]
        return grading.multiple_response(correct, wrong, response)

    def summarise(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> str | None:
        return None if response is None else ";".join(response)


@register
class TrueFalse(QuestionType):
    type = "true_false"
    required = frozenset({"answer"})
    optional = frozenset({"feedback"})

    def parse(self, data: Mapping[str, Any], report: Report, line: int | None) -> dict[str, Any] | None:
        answer = data.get("answer")
        if not isinstance(answer, bool):
            report(line, "true_false: 'answer' must be true or false")
            return None
        feedback = data.get("feedback")
        if feedback is not None and (
            not isinstance(feedback, Mapping)
            or not set(feedback) <= {True, False}
            or not all(is_bilingual(v) for v in feedback.values())
        ):
            report(_line(feedback, line), "true_false: 'feedback' must map true and/or false to bilingual texts")
            return None
        return {
            "answer": answer,
            "feedback": {"true": dict(feedback.get(True) or {}), "false": dict(feedback.get(False) or {})}
            if feedback
            else None,
        }

    def texts(self, definition: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
        fb = definition.get("feedback")
        return [(fb, k) for k in ("true", "false") if fb and fb.get(k)]

    def from_form(self, definition: Mapping[str, Any], layout: Mapping[str, Any], form: Any, name: str) -> Any:
        value = form.get(name)
        return {"true": True, "false": False}.get(value, value) if value not in (None, "") else None

    def clean(self, definition: Mapping[str, Any], layout: Mapping[str, Any], raw: Any) -> Any:
        if raw is None or isinstance(raw, bool):
            return raw
        raise ResponseError(_l("A true/false answer must be true or false."))

    def grade(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> float:
        return grading.true_false(definition["answer"], response)

    def summarise(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> str | None:
        return None if response is None else ("true" if response else "false")

    def review(
        self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any, lang: str
    ) -> dict[str, Any]:
        fb = definition.get("feedback") or {}
        return {
            "answer": definition["answer"],
            "feedback": _pick(fb.get("true" if response else "false"), lang) if response is not None else "",
        }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


@register
class Numeric(QuestionType):
    type = "numeric"
    required = frozenset({"answer"})
    optional = frozenset({"tolerance", "unit"})

    def parse(self, data: Mapping[str, Any], report: Report, line: int | None) -> dict[str, Any] | None:
        answer = _number(data.get("answer"))
        tolerance = _number(data.get("tolerance", 0))
        ok = True
        if answer is None:
            report(line, "numeric: 'answer' must be a number")
            ok = False
        if tolerance is None or tolerance < 0:
            report(line, "numeric: 'tolerance' must be a number of 0 or more")
            ok = False
        unit = data.get("unit")
        if unit is not None and not is_bilingual(unit):
            report(line, "numeric: 'unit' must be a bilingual text")
            ok = False
        return {"answer": answer, "tolerance": tolerance, "unit": dict(unit) if unit else None} if ok else None

    def public(self, definition: Mapping[str, Any], layout: Mapping[str, Any], lang: str) -> dict[str, Any]:
        return {"unit": _pick(definition.get("unit"), lang)}

    def clean(self, definition: Mapping[str, Any], layout: Mapping[str, Any], raw: Any) -> Any:
        if raw is None:
            return None
        if isinstance(raw, str):
            text = grading.normalise_text(raw).replace(",", "")
            if not text:
                return None
            try:
                raw = float(text)
            except ValueError:
                raise ResponseError(_l("Enter a number, such as 12 or 0.5.")) from None
        value = _number(raw)
        if value is None or abs(value) > 1e15:
            raise ResponseError(_l("Enter a number, such as 12 or 0.5."))
        return value

    def grade(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> float:
        return grading.numeric(definition["answer"], definition["tolerance"], response)

    def summarise(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> str | None:
        return None if response is None else f"{response:g}"

    def review(
        self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any, lang: str
    ) -> dict[str, Any]:
        return {
            "answer": f"{definition['answer']:g}",
            "tolerance": f"{definition['tolerance']:g}",
            "unit": _pick(definition.get("unit"), lang),
        }


@register
class ShortText(QuestionType):
    type = "short_text"
    required = frozenset({"accept"})

    def parse(self, data: Mapping[str, Any], report: Report, line: int | None) -> dict[str, Any] | None:
        accept = data.get("accept")
        if (
            not isinstance(accept, Mapping)
            or not accept
            or not set(accept) <= {"en", "ja"}
            or not all(
                isinstance(v, list) and v and all(isinstance(a, str | int | float) and str(a).strip() for a in v)
                for v in accept.values()
            )
        ):
            report(_line(accept, line), "short_text: 'accept' must map en and/or ja to lists of accepted answers")
            return None
        return {"accept": {lang: [str(a) for a in answers] for lang, answers in accept.items()}}

    def clean(self, definition: Mapping[str, Any], layout: Mapping[str, Any], raw: Any) -> Any:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise ResponseError(_l("A short-text answer must be text."))
        if len(raw) > MAX_TEXT_ANSWER:
            raise ResponseError(_l("An answer may be at most %(n)d characters.", n=MAX_TEXT_ANSWER))
        return raw

    def grade(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> float:
        accepted = [a for answers in definition["accept"].values() for a in answers]
        return grading.short_text(accepted, response)

    def summarise(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> str | None:
        return None if response is None else grading.normalise_text(response)[:200]

    def review(
        self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any, lang: str
    ) -> dict[str, Any]:
        accept = definition["accept"]
        return {"accepted": accept.get(lang) or next(iter(accept.values()))}


@register
class Ordering(QuestionType):
    type = "ordering"
    required = frozenset({"items"})

    def parse(self, data: Mapping[str, Any], report: Report, line: int | None) -> dict[str, Any] | None:
        items = data.get("items")
        if not isinstance(items, list) or len(items) < 2:
            report(_line(items, line), "ordering: 'items' must be a list of 2 or more items in the right order")
            return None
        parsed = []
        seen: set[str] = set()
        for item in items:
            iline = _line(item, line)
            if not isinstance(item, Mapping) or set(item) - {"id", "text"}:
                report(iline, "ordering: each item is a mapping with 'id' and 'text' only")
                return None
            iid = item.get("id")
            if not isinstance(iid, str) or not iid or not set(iid) <= ID_CHARS or iid in seen:
                report(iline, f"ordering: item id {iid!r} is missing, malformed or a duplicate")
                return None
            seen.add(iid)
            if not is_bilingual(item.get("text")):
                report(iline, f"ordering: item '{iid}' needs a bilingual 'text'")
                return None
            parsed.append({"id": iid, "text": dict(item["text"])})
        return {"items": parsed}

    def texts(self, definition: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
        return [(item, "text") for item in definition["items"]]

    def layout(self, definition: Mapping[str, Any], rng: random.Random, shuffle: bool) -> dict[str, Any]:
        # Always shuffled, and never shown in the right order: that would give the answer away.
        ids = [i["id"] for i in definition["items"]]
        shown = ids[:]
        rng.shuffle(shown)
        if shown == ids:
            shown = shown[1:] + shown[:1]
        return {"items": shown}

    def public(self, definition: Mapping[str, Any], layout: Mapping[str, Any], lang: str) -> dict[str, Any]:
        by_id = {i["id"]: i for i in definition["items"]}
        return {"items": [{"id": i, "text": _pick(by_id[i]["text"], lang)} for i in layout["items"]]}

    def from_form(self, definition: Mapping[str, Any], layout: Mapping[str, Any], form: Any, name: str) -> Any:
        numbered: dict[str, int] = {}
        for item in layout["items"]:
            value = form.get(f"{name}.{item}")
            if value in (None, ""):
                continue
            try:
                numbered[item] = int(value)
            except (TypeError, ValueError):
                raise ResponseError(_l("Each position must be a number.")) from None
        if len(numbered) != len(layout["items"]):
            return None
        return sorted(layout["items"], key=lambda item: (numbered[item], layout["items"].index(item)))

    def clean(self, definition: Mapping[str, Any], layout: Mapping[str, Any], raw: Any) -> Any:
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ResponseError(_l("An ordering answer must be a list of item ids."))
        if sorted(raw) != sorted(layout["items"]):
            raise ResponseError(_l("An ordering answer must list every item of the question once."))
        return raw

    def grade(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> float:
        return grading.ordering([i["id"] for i in definition["items"]], response)

    def summarise(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> str | None:
        return None if response is None else ">".join(response)

    def review(
        self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any, lang: str
    ) -> dict[str, Any]:
        return {"correct_order": [_pick(i["text"], lang) for i in definition["items"]]}


@register
class Matching(QuestionType):
    type = "matching"
    required = frozenset({"pairs"})
    optional = frozenset({"distractors"})

    def parse(self, data: Mapping[str, Any], report: Report, line: int | None) -> dict[str, Any] | None:
        pairs = data.get("pairs")
        if not isinstance(pairs, list) or len(pairs) < 2:
            report(_line(pairs, line), "matching: 'pairs' must be a list of 2 or more pairs")
            return None
        parsed = []
        seen: set[str] = set()
        for pair in pairs:
            pline = _line(pair, line)
            if not isinstance(pair, Mapping) or set(pair) != {"id", "prompt", "answer"}:
                report(pline, "matching: each pair is a mapping with exactly 'id', 'prompt' and 'answer'")
                return None
            pid = pair["id"]
            if not isinstance(pid, str) or not pid or not set(pid) <= ID_CHARS or pid in seen:
                report(pline, f"matching: pair id {pid!r} is malformed or a duplicate")
                return None
            seen.add(pid)
            if not is_bilingual(pair["prompt"]) or not is_bilingual(pair["answer"]):
                report(pline, f"matching: pair '{pid}' needs bilingual 'prompt' and 'answer'")
                return None
            parsed.append({"id": pid, "prompt": dict(pair["prompt"]), "answer": dict(pair["answer"])})
        distractors = data.get("distractors") or []
        if not isinstance(distractors, list) or not all(is_bilingual(d) for d in distractors):
            report(_line(distractors, line), "matching: 'distractors' must be a list of bilingual texts")
            return None
        return {"pairs": parsed, "distractors": [{"text": dict(d)} for d in distractors]}

    def texts(self, definition: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
        found: list[tuple[dict[str, Any], str]] = []
        for pair in definition["pairs"]:
            found += [(pair, "prompt"), (pair, "answer")]
        found += [(d, "text") for d in definition["distractors"]]
        return found

    @staticmethod
    def _answers(definition: Mapping[str, Any]) -> dict[str, Mapping[str, str]]:
        answers = {p["id"]: p["answer"] for p in definition["pairs"]}
        answers.update({f"~{i}": d["text"] for i, d in enumerate(definition["distractors"])})
        return answers

    def layout(self, definition: Mapping[str, Any], rng: random.Random, shuffle: bool) -> dict[str, Any]:
        prompts = [p["id"] for p in definition["pairs"]]
        if shuffle:
            rng.shuffle(prompts)
        # The answers are always shuffled and shown by position only: their keys name the pair they match.
        choices = list(self._answers(definition))
        rng.shuffle(choices)
        return {"prompts": prompts, "choices": choices}

    def public(self, definition: Mapping[str, Any], layout: Mapping[str, Any], lang: str) -> dict[str, Any]:
        prompts = {p["id"]: p["prompt"] for p in definition["pairs"]}
        answers = self._answers(definition)
        return {
            "prompts": [{"id": p, "text": _pick(prompts[p], lang)} for p in layout["prompts"]],
            "choices": [{"index": n, "text": _pick(answers[key], lang)} for n, key in enumerate(layout["choices"])],
        }

    def from_form(self, definition: Mapping[str, Any], layout: Mapping[str, Any], form: Any, name: str) -> Any:
        chosen = {}
        for prompt in layout["prompts"]:
            value = form.get(f"{name}.{prompt}")
            if value not in (None, ""):
                try:
                    chosen[prompt] = int(value)
                except ValueError:
                    raise ResponseError(_l("A matching choice must be one of the listed answers.")) from None
        return chosen or None

    def clean(self, definition: Mapping[str, Any], layout: Mapping[str, Any], raw: Any) -> Any:
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise ResponseError(_l("A matching answer must map each prompt to a chosen answer."))
        cleaned: dict[str, int] = {}
        for prompt, index in raw.items():
            if prompt not in layout["prompts"]:
                raise ResponseError(_l("A matching answer names a prompt this question does not have."))
            if index is None:
                continue
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(layout["choices"]):
                raise ResponseError(_l("A matching choice must be one of the listed answers."))
            cleaned[prompt] = index
        return cleaned or None

    def grade(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> float:
        correct = {p["id"]: p["id"] for p in definition["pairs"]}
        given = {prompt: layout["choices"][index] for prompt, index in (response or {}).items()}
        return grading.matching(correct, given)

    def summarise(self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any) -> str | None:
        if not response:
            return None
        return ";".join(f"{p}={layout['choices'][i]}" for p, i in sorted(response.items()))[:200]

    def review(
        self, definition: Mapping[str, Any], layout: Mapping[str, Any], response: Any, lang: str
    ) -> dict[str, Any]:
        answers = self._answers(definition)
        prompts = {p["id"]: p["prompt"] for p in definition["pairs"]}
        given = response or {}
        return {
            "pairs": [
                {
                    "prompt": _pick(prompts[p], lang),
                    "answer": _pick(answers[p], lang),
                    "given": _pick(answers[layout["choices"][given[p]]], lang) if p in given else "",
                    "correct": p in given and layout["choices"][given[p]] == p,
                }
                for p in layout["prompts"]
            ]
        }
