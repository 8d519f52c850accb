"""Regional coverage: rostered professionals serving each prefecture, absolute and per 10,000 SMEs, on a tile map.

The counts come from one GROUP BY over the roster's prefectures, restricted to the roster's own definition of who
is listed. The SME counts are a data file (``data/sme_counts.csv``, source in its comment lines); when it has no
rows the per-SME view is unavailable and the page says why, no number is ever made up. The rest is pure.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

import sqlalchemy as sa

from lms.core.db import db
from lms.core.prefectures import BY_CODE, CODES
from lms.roster.listing import listed_user_ids
from lms.roster.models import RosterPrefecture

DATA = Path(__file__).resolve().parent / "data"
#: Overridden by the ``LMS_SME_COUNTS_PATH`` setting (tests pass a file of their own).
SME_COUNTS = DATA / "sme_counts.csv"
TILE_MAP = DATA / "tile_map.csv"
#: Colour classes for prefectures with at least one professional; 0 has a class of its own ("gap").
LEVELS = 5
PER = 10_000


def professionals_by_prefecture(now: datetime) -> dict[str, int]:
    """Prefecture code -> listed professionals who serve it (one may serve several). One statement."""
    rows = db.session.execute(
        sa.select(RosterPrefecture.prefecture_code, sa.func.count())
        .where(RosterPrefecture.user_id.in_(listed_user_ids(now)))
        .group_by(RosterPrefecture.prefecture_code)
    )
    return {row[0]: row[1] for row in rows}


def listed_count(now: datetime) -> int:
    """Professionals on the roster at ``now`` (serving any prefecture or none). One statement."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(listed_user_ids(now).subquery())) or 0


# --- SME counts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmeCounts:
    """The SME counts file as read: counts by prefecture code, the source (the file's comment lines), and the
    reason the per-SME view cannot be shown (None when it can)."""

    counts: dict[str, int]
    source: list[str]
    problem: str | None

    @property
    def available(self) -> bool:
        return self.problem is None


class _Malformed(ValueError):
    pass


def _parse_rows(data: list[str]) -> dict[str, int]:
    rows = list(csv.reader(data))
    if [h.strip() for h in rows[0]] != ["code", "name_ja", "smes"]:
        raise _Malformed
    counts: dict[str, int] = {}
    for row in rows[1:]:
        if len(row) != 3 or row[0].strip() not in BY_CODE or row[0].strip() in counts:
            raise _Malformed
        try:
            smes = int(row[2].strip())
        except ValueError:
            raise _Malformed from None
        if smes <= 0:
            raise _Malformed
        counts[row[0].strip()] = smes
    return counts


def read_sme_counts(path: Path) -> SmeCounts:
    """Read ``code,name_ja,smes`` rows; lines starting with ``#`` are the source. Never raises for a bad file:
    the problem is returned for the page to show (as a key of ``views.SME_PROBLEMS``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        return SmeCounts({}, [], "missing")
    except UnicodeDecodeError:  # saved from Excel as Shift_JIS, say
        return SmeCounts({}, [], "malformed")
    source = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    data = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    try:
        counts = _parse_rows(data) if data else {}
    except (_Malformed, csv.Error):
        return SmeCounts({}, source, "malformed")
    return SmeCounts(counts, source, None if counts else "empty")


def per_smes(professionals: int, smes: int | None) -> float | None:
    """Professionals per 10,000 SMEs; None when the prefecture has no SME count."""
    if not smes:
        return None
    return professionals * PER / smes


# --- The tile map --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tile:
    code: str
    row: int
    col: int
    professionals: int
    #: Per 10,000 SMEs (None: no SME count for the prefecture).
    density: float | None
    #: "gap" for no professional, "none" for no figure, else "level-1".."level-5".
    level: str


@functools.cache
def read_tile_map(path: Path = TILE_MAP) -> Mapping[str, tuple[int, int]]:
    """The map's layout: fixed data shipped with the code, read once a process."""
    with path.open(encoding="utf-8") as f:
        return MappingProxyType({row["code"]: (int(row["row"]), int(row["col"])) for row in csv.DictReader(f)})


def level(value: float | None, top: float) -> str:
    """The colour class of ``value`` on a scale of LEVELS equal steps up to ``top`` (pure)."""
    if value is None:
        return "none"
    if value <= 0:
        return "gap"
    return f"level-{min(LEVELS, max(1, math.ceil(LEVELS * value / top)))}" if top > 0 else "level-1"


def legend(top: float) -> list[tuple[str, float, float]]:
    """(class, from, to) for each level above zero: the steps the map uses, for densities (pure)."""
    step = top / LEVELS if top > 0 else 0
    return [(f"level-{i}", step * (i - 1), step * i) for i in range(1, LEVELS + 1)]


def count_legend(top: int) -> list[tuple[str, int, int]]:
    """(class, lowest, highest) whole numbers of professionals each level holds; levels no count reaches are left
    out, so a small roster reads "1", "2" rather than steps such as "above 0 up to 0" (pure)."""
    if top <= 0:
        return []
    found: dict[str, list[int]] = {}
    for n in range(1, top + 1) if top <= 10 * LEVELS else ():
        found.setdefault(level(n, top), []).append(n)
    if not found:  # a large top: each level's whole numbers are a contiguous run, found from its bounds
        for cls, low, high in legend(top):
            found[cls] = [math.floor(low) + 1, math.floor(high)]
    return [(cls, ns[0], ns[-1]) for cls, ns in sorted(found.items())]


def tiles(counts: dict[str, int], smes: SmeCounts, per_sme: bool,
          layout: dict[str, tuple[int, int]]) -> tuple[list[Tile], float]:
    """Every prefecture's tile and the top of the scale (the largest value shown) (pure)."""
    densities = {code: per_smes(counts.get(code, 0), smes.counts.get(code)) for code in CODES}
    values = {code: (densities[code] if per_sme else counts.get(code, 0)) for code in CODES}
    top = max((v for v in values.values() if v is not None), default=0) or 0
    return [
        Tile(code, *layout[code], counts.get(code, 0), densities[code],
             "gap" if counts.get(code, 0) == 0 else level(values[code], top))
        for code in CODES
    ], top
