"""Horizontal bar charts drawn on the server as SVG: the geometry here (pure), the markup in _charts.html.

No script and no inline style (the CSP forbids both): bars are sized with SVG attributes and coloured by
classes from reports.css.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Geometry in SVG user units (the chart scales to the page width through its viewBox).
LABEL_WIDTH = 220
BAR_AREA = 420
VALUE_WIDTH = 90
BAR_HEIGHT = 18
GAP = 8
WIDTH = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    #: What is printed at the end of the bar (e.g. "42" or "37%").
    text: str
    x: float
    y: float
    width: float
    series: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: float
    width: int = WIDTH
    label_x: int = LABEL_WIDTH - 8
    bar_height: int = BAR_HEIGHT


def bar_chart(rows: list[tuple[str, float, str]], top: float | None = None, series: int = 1) -> Chart:
    """Bars for ``(label, value, text)`` rows, scaled to ``top`` (default: the largest value)."""
    top = top if top is not None else max((v for _, v, _ in rows), default=0)
    bars = []
    for i, (label, value, text) in enumerate(rows):
        width = BAR_AREA * value / top if top > 0 else 0
        bars.append(Bar(label, value, text, LABEL_WIDTH, GAP + i * (BAR_HEIGHT + GAP), round(width, 1),
                        (i % series) + 1))
    return Chart(bars, GAP + len(rows) * (BAR_HEIGHT + GAP))
