"""CSV files for people who open them in a spreadsheet (Excel, in Japan): UTF-8 with a byte-order mark, so the
Japanese text reads right, and no cell that a spreadsheet would run as a formula (names, organisations and
e-mail addresses are typed by users)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """``value`` as a cell: text that starts like a formula gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def download(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Response:
    """A whole CSV file as an attachment (for tables that fit in memory; the roster's exports stream)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return Response(BOM + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
