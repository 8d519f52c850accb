"""Pure rules of the curriculum (no request, no database): CSV rows, search snippets, diffs."""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
MAX_CSV_ROWS = 2000


@dataclass
class CsvRow:
    line: int
    email: str
    #: None when the row is acceptable so far; else why it is refused.
    error: str | None = None


def parse_enrolment_csv(text: str) -> tuple[list[CsvRow], str | None]:
    """Rows of a CSV with an ``email`` column (header required). Returns the rows (each with its own error, if
    any) and an error for the whole file (no header, too many rows), or None."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
    except csv.Error:
        return [], "the file is not a readable CSV"
    if not header or "email" not in [h.strip().lower() for h in header]:
        return [], "the first line must be a header with an 'email' column"
    column = [h.strip().lower() for h in header].index("email")
    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_CSV_ROWS:
                return rows, f"the file has more than {MAX_CSV_ROWS} rows"
            email = record[column].strip().lower() if column < len(record) else ""
            row = CsvRow(line, email)
            if not email:
                row.error = "no email in this row"
            elif not EMAIL.match(email):
                row.error = "not a valid email address"
            elif email in seen:
                row.error = f"duplicate of line {seen[email]}"
            else:
                seen[email] = line
            rows.append(row)
    except csv.Error:
        return rows, "the file is not a readable CSV"
    if not rows:
        return rows, "the file has no rows after the header"
    return rows, None


def snippet(text: str, query: str, *, width: int = 60) -> Markup:
    """Escaped text around the first case-insensitive match of ``query``, the match wrapped in <mark>."""
    lowered, needle = text.lower(), query.lower()
    at = lowered.find(needle)
    if at < 0:
        return Markup(escape(text[: width * 2]))  # noqa: S704 - escaped + ("…" if len(text) > width * 2 else "")
    start, end = max(0, at - width), min(len(text), at + len(query) + width)
    before, hit, after = text[start:at], text[at : at + len(query)], text[at + len(query) : end]
    return (  # every piece of text is escaped; only our own <mark> tags are markup
        Markup("…" if start else "")  # noqa: S704
        + escape(before)
        + Markup("<mark>")
        + escape(hit)
        + Markup("</mark>")
        + escape(after)
        + Markup("…" if end < len(text) else "")  # noqa: S704
    )


def like_pattern(query: str) -> str:
    """A LIKE pattern matching ``query`` anywhere, with LIKE's wildcards escaped (escape character ``\\``)."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(query: str) -> str:
    """An FTS5 string literal matching ``query`` as a phrase (no operator in it is interpreted)."""
    return '"' + query.replace('"', '""') + '"'


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    """Lines of a unified diff with a kind for styling: ``add``, ``del``, ``hunk`` or ``same``."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), old_name, new_name, lineterm=""):
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        lines.append((kind, line))
    return lines
