"""Moodle GIFT import: text in, questions in our bank format out, and a report of what could not be taken.

Supported: multiple choice, multiple response (``~%50%`` weights: positive weight = correct option), true/false,
short answer, matching, numerical (``#answer:tolerance``, ``#min..max``, several ``=`` answers), missing-word
questions, ``$CATEGORY:`` (becomes tags and the objective), ``//`` comments, ``::title::``, per-answer
``#feedback``, general feedback ``####``, ``[markdown]``/``[html]``/``[plain]``/``[moodle]`` markers and the
escapes ``\\~ \\= \\# \\{ \\} \\: \\n \\\\``.

Refused, with line and reason: essays (``{}``), descriptions (no answer block), numerical or short answers without
a 100 % answer, and syntax errors. A syntax error anywhere means nothing is written (the bank stays as it was);
unsupported questions are skipped and listed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003", "\\{": "\ue004", "\\}": "\ue005",
            "\\:": "\ue006"}
_UNESCAPE = {v: k[1] for k, v in _ESCAPES.items()}
_FORMAT = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]\s*", re.IGNORECASE)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"


class GiftSyntaxError(ValueError):
    pass


class Unsupported(ValueError):
    pass


@dataclass(frozen=True)
class Issue:
    line: int
    message: str
    title: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" + (f" ({self.title})" if self.title else "")


@dataclass
class Result:
    questions: list[dict[str, Any]] = field(default_factory=list)
    #: Syntax errors: nothing may be written while there is one.
    errors: list[Issue] = field(default_factory=list)
    #: Questions that were skipped (an essay, say).
    skipped: list[Issue] = field(default_factory=list)
    #: Questions taken with a change worth checking (weights dropped, placeholder explanation).
    notes: list[Issue] = field(default_factory=list)


def _escape(text: str) -> str:
    text = text.replace("\\\\", _ESCAPES["\\\\"])
    for raw, placeholder in _ESCAPES.items():
        text = text.replace(raw, placeholder)
    return text.replace("\\n", "\n")


def _unescape(text: str) -> str:
    for placeholder, char in _UNESCAPE.items():
        text = text.replace(placeholder, char)
    return text


def _clean(text: str) -> str:
    return _unescape(_FORMAT.sub("", text)).strip()


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _text(value: str, lang: str | None) -> dict[str, str]:
    chosen = lang or ("ja" if _JAPANESE.search(value) else "en")
    return {chosen: value}


def _blocks(source: str) -> list[tuple[int, str]]:
    """Questions separated by blank lines, without ``//`` comment lines, each with its first line number."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(source.splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                blocks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def parse(source: str, *, bank: str, lang: str | None = None, source_note: str = "Moodle GIFT import") -> Result:
    result = Result()
    category: list[str] = []
    used: set[str] = set()
    for line, raw in _blocks(source.lstrip("\ufeff")):
        block = _escape(raw)
        if block.lstrip().startswith("$CATEGORY:"):
            path = block.split(":", 1)[1].strip()
            category = [p for p in _unescape(path).split("/") if p and not p.startswith("$")]
            if category and category[0] == "top":
                category = category[1:]
            continue
        title = ""
        try:
            title, question = _question(block, line, lang)
        except GiftSyntaxError as error:
            result.errors.append(Issue(line, f"syntax error: {error}", title))
            continue
        except Unsupported as error:
            result.skipped.append(Issue(line, f"not imported: {error}", _unescape(_title(block))))
            continue
        qid = _id(bank, title, used)
        notes = question.pop("_notes", [])
        result.notes += [Issue(line, note, title or qid) for note in notes]
        leaf = category[-1] if category else ""
        tags = [t for t in (slug(c) for c in category) if t]
        entry: dict[str, Any] = {"id": qid, "type": question.pop("type"), "stem": question.pop("stem")}
        entry.update(question)
        explanation = entry.pop("explanation", None)
        if not explanation:
            explanation = _text("Imported from Moodle without general feedback: add an explanation.", lang or "en")
            result.notes.append(Issue(line, "no general feedback (####): the explanation is a placeholder", qid))
        entry["explanation"] = explanation
        entry["objective"] = _text(leaf, lang) if leaf else _text(f"(set the learning objective of {qid})", "en")
        entry["source"] = source_note
        if tags:
            entry["tags"] = tags
        result.questions.append(entry)
    return result


def _title(block: str) -> str:
    stripped = block.lstrip()
    if stripped.startswith("::"):
        end = stripped.find("::", 2)
        if end != -1:
            return stripped[2:end].strip()
    return ""


def _id(bank: str, title: str, used: set[str]) -> str:
    base = f"{bank}-{slug(title)}" if slug(title) else f"{bank}-q"
    n = 1
    candidate = base if slug(title) else f"{base}{n}"
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}" if slug(title) else f"{base}{n}"
    used.add(candidate)
    return candidate


def _question(block: str, line: int, lang: str | None) -> tuple[str, dict[str, Any]]:
    text = block.strip()
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            raise GiftSyntaxError("the title '::' is not closed")
        title = _unescape(text[2:end].strip())
        text = text[end + 2 :].strip()
    open_at = text.find("{")
    if open_at == -1:
        if "}" in text:
            raise GiftSyntaxError("'}' without '{' (escape it as \\} in text)")
        raise Unsupported("a description without an answer block {...}")
    close_at = text.find("}", open_at)
    if close_at == -1:
        raise GiftSyntaxError("the answer block '{' is not closed")
    if "{" in text[open_at + 1 : close_at]:
        raise GiftSyntaxError("a '{' inside an answer block (escape it as \\{)")
    if "{" in text[close_at + 1 :] or "}" in text[close_at + 1 :]:
        raise GiftSyntaxError("more than one answer block in a question")
    before, answers, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
    stem = before.rstrip() + (" _____ " + after.strip() if after.strip() else "")
    stem = _clean(stem)
    if not stem:
        raise GiftSyntaxError("the question has no text")
    question = _answers(answers.strip(), lang)
    question["stem"] = _text(stem, lang)
    return title, question


def _split_general_feedback(answers: str) -> tuple[str, str]:
    if "####" in answers:
        body, general = answers.split("####", 1)
        return body.strip(), _clean(general)
    return answers, ""


def _tokens(body: str) -> list[tuple[str, str]]:
    """``=`` and ``~`` answers as (marker, rest)."""
    parts = re.split(r"([=~])", body)
    if parts[0].strip():
        raise GiftSyntaxError(f"unexpected text {_unescape(parts[0].strip())!r} before the first answer")
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def _weight(text: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(text.strip())
    if not match:
        return None, text.strip()
    return float(match.group(1)), text.strip()[match.end() :]


def _feedback(text: str) -> tuple[str, str]:
    if "#" in text:
        answer, feedback = text.split("#", 1)
        return _clean(answer), _clean(feedback)
    return _clean(text), ""


def _answers(answers: str, lang: str | None) -> dict[str, Any]:
    body, general = _split_general_feedback(answers)
    extra: dict[str, Any] = {"explanation": _text(general, lang)} if general else {}
    if not body:
        raise Unsupported("an essay question (empty answer block)")
    tf = re.fullmatch(r"(TRUE|FALSE|T|F)((?:#[^#]*){0,2})", body.strip())
    if tf:
        answer = tf.group(1).startswith("T")
        feedbacks = [_clean(f) for f in tf.group(2).split("#")[1:]]
        fb: dict[bool, dict[str, str]] = {}
        if feedbacks and feedbacks[0]:
            fb[not answer] = _text(feedbacks[0], lang)  # shown to a wrong answer
        if len(feedbacks) > 1 and feedbacks[1]:
            fb[answer] = _text(feedbacks[1], lang)  # shown to a right answer
        result: dict[str, Any] = {"type": "true_false", "answer": answer, **extra}
        if fb:
            result["feedback"] = fb
        return result
    if body.startswith("#"):
        return {**_numeric(body[1:].strip()), **extra}
    tokens = _tokens(body)
    if not tokens:
        raise GiftSyntaxError("no answers in the answer block")
    markers = {m for m, _ in tokens}
    if any("->" in rest for m, rest in tokens if m == "="):
        return {**_matching(tokens, lang), **extra}
    if "~" in markers:
        return {**_choice(tokens, lang), **extra}
    return {**_short(tokens, lang), **extra}


def _numeric(spec: str) -> dict[str, Any]:
    notes: list[str] = []
    if spec.startswith("="):
        best = None
        for _marker, rest in _tokens(spec):
            weight, value = _weight(rest)
            value, _fb = _feedback(value)
            if weight in (None, 100.0):
                best = value
                break
            notes.append(f"numerical answer {value} at {weight:g}% dropped (no partial credit)")
        if best is None:
            raise Unsupported("a numerical question without a 100 % answer")
        spec = best
    else:
        spec, _fb = _feedback(spec)
    spec = _unescape(spec).strip()
    if m := re.fullmatch(rf"({_NUMBER})\s*\.\.\s*({_NUMBER})", spec):
        low, high = float(m.group(1)), float(m.group(2))
        if high < low:
            raise GiftSyntaxError(f"numerical range {spec} runs backwards")
        answer, tolerance = (low + high) / 2, (high - low) / 2
    elif m := re.fullmatch(rf"({_NUMBER})\s*(?::\s*({_NUMBER}))?", spec):
        answer, tolerance = float(m.group(1)), abs(float(m.group(2) or 0))
    else:
        raise GiftSyntaxError(f"not a numerical answer: {spec!r}")
    result: dict[str, Any] = {"type": "numeric", "answer": _plain_number(answer), "tolerance": _plain_number(tolerance)}
    if notes:
        result["_notes"] = notes
    return result


def _plain_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _choice(tokens: list[tuple[str, str]], lang: str | None) -> dict[str, Any]:
    options = []
    notes: list[str] = []
    weighted = any(_weight(rest)[0] is not None for _m, rest in tokens)
    n_equals = sum(1 for m, _ in tokens if m == "=")
    multiple = n_equals != 1 or (weighted and n_equals == 0)
    for index, (marker, rest) in enumerate(tokens):
        weight, value = _weight(rest)
        text, feedback = _feedback(value)
        if not text:
            raise GiftSyntaxError("an empty answer")
        correct = marker == "=" or (weight is not None and weight > 0)
        if marker == "~" and weight is not None and weight > 0 and n_equals == 1:
            notes.append(f"partial weight {weight:g}% on '{text}' dropped (single choice is all or nothing)")
            correct = False
        option: dict[str, Any] = {"id": _option_id(index), "text": _text(text, lang)}
        if correct:
            option["correct"] = True
        if feedback:
            option["feedback"] = _text(feedback, lang)
        options.append(option)
    n_correct = sum(1 for o in options if o.get("correct"))
    if n_correct == 0:
        raise Unsupported("a choice question with no correct answer")
    result: dict[str, Any] = {"type": "multiple_response" if multiple else "single_choice", "options": options}
    if multiple and weighted:
        notes.append("Moodle weights replaced by the multiple-response rule (+1/C per right, -1/W per wrong option)")
    if notes:
        result["_notes"] = notes
    return result


def _option_id(index: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < 26 else f"o{index + 1}"


def _short(tokens: list[tuple[str, str]], lang: str | None) -> dict[str, Any]:
    accepted: list[str] = []
    notes: list[str] = []
    for _marker, rest in tokens:
        weight, value = _weight(rest)
        text, _fb = _feedback(value)
        if not text:
            raise GiftSyntaxError("an empty answer")
        if weight not in (None, 100.0):
            notes.append(f"answer '{text}' at {weight:g}% dropped (no partial credit)")
            continue
        accepted.append(text)
    if not accepted:
        raise Unsupported("a short answer without a 100 % answer")
    chosen = lang or ("ja" if any(_JAPANESE.search(a) for a in accepted) else "en")
    result: dict[str, Any] = {"type": "short_text", "accept": {chosen: accepted}}
    if notes:
        result["_notes"] = notes
    return result


def _matching(tokens: list[tuple[str, str]], lang: str | None) -> dict[str, Any]:
    pairs: list[dict[str, Any]] = []
    distractors: list[dict[str, str]] = []
    for marker, rest in tokens:
        if marker != "=" or "->" not in rest:
            raise GiftSyntaxError("a matching question's answers are all '=prompt -> answer'")
        prompt, answer = rest.split("->", 1)
        prompt, answer = _clean(prompt), _clean(answer)
        if not answer:
            raise GiftSyntaxError("a matching pair without an answer")
        if not prompt:
            distractors.append(_text(answer, lang))
            continue
        pairs.append({"id": f"p{len(pairs) + 1}", "prompt": _text(prompt, lang), "answer": _text(answer, lang)})
    if len(pairs) < 2:
        raise Unsupported("a matching question needs at least 2 pairs")
    result: dict[str, Any] = {"type": "matching", "pairs": pairs}
    if distractors:
        result["distractors"] = distractors
    return result


def to_yaml(bank: str, title: str, questions: list[dict[str, Any]]) -> str:
    document = {"bank": bank, "title": _text(title, None), "questions": questions}
    header = "# Imported from Moodle GIFT by `lms assessments import-gift`. Review the placeholders.\n"
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)
