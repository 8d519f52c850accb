"""Pure comparison of two report versions, section by section, line by line (difflib)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SectionDiff:
    id: str
    title: dict[str, str]
    changed: bool
    #: (kind, text): kind is "same", "removed" or "added".
    lines: list[tuple[str, str]] = field(default_factory=list)


def diff_sections(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]]) -> list[SectionDiff]:
    """Sections in the newer version's order, then any the newer version dropped."""
    old_by_id = {s["id"]: s for s in old}
    new_ids = [s["id"] for s in new]
    result = []
    for section in [*new, *(s for s in old if s["id"] not in new_ids)]:
        before = old_by_id.get(section["id"], {}).get("markdown", "")
        after = section.get("markdown", "") if section["id"] in new_ids else ""
        result.append(SectionDiff(section["id"], section["title"], before != after, diff_lines(before, after)))
    return result


def diff_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(), after.splitlines()
    lines: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines.extend(("same", line) for line in a[i1:i2])
            continue
        lines.extend(("removed", line) for line in a[i1:i2])
        lines.extend(("added", line) for line in b[j1:j2])
    return lines
