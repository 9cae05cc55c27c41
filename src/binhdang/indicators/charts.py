"""A trend chart as SVG drawn on the server: no script to load, and the same picture can go into
a Word report later. Coordinates are plain text with a decimal point: the page's Vietnamese number
format (a decimal comma) must not reach SVG attributes."""

from dataclasses import dataclass
from decimal import Decimal

from . import display
from .queries import TrendPoint

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 240, 48, 40, 16, 32


def _c(number: float) -> str:
    """A coordinate for an SVG attribute."""
    return f"{number:.1f}"


def _label(value: Decimal) -> str:
    """A number for a reader, in the active language's format, rounded half up (`display`)."""
    return display.number(value, 1)


@dataclass
class Chart:
    """Everything the template draws, ready as text."""

    width: int
    height: int
    line: str
    points: list[dict]
    targets: list[dict]
    ticks: list[dict]
    years: list[dict]


def trend_chart(points: list[TrendPoint], targets: dict[int, Decimal | None]) -> Chart:
    """Scale the series and the milestone targets (by year) into the SVG's box."""
    values = [p.figure.value for p in points if p.figure.value is not None]
    values += [v for v in targets.values() if v is not None]
    top = (max(values, default=Decimal(1)) * Decimal("1.1")) or Decimal(1)
    first, last = points[0].year, points[-1].year

    def x(year: int) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (year - first) / max(last - first, 1)

    def y(value: Decimal) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * float(1 - value / top)

    drawn = [p for p in points if p.figure.value is not None]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        line=" ".join(f"{_c(x(p.year))},{_c(y(p.figure.value))}" for p in drawn),
        points=[
            {
                "x": _c(x(p.year)),
                "y": _c(y(p.figure.value)),
                "title": f"{p.year}: {_label(p.figure.value)}",
                "inherited": p.from_predecessors,
            }
            for p in drawn
        ],
        targets=[
            {
                "x1": _c(x(year) - 14),
                "x2": _c(x(year) + 14),
                "x": _c(x(year)),
                "y": _c(y(value)),
                "label_y": _c(y(value) - 6),
                "year": str(year),
            }
            for year, value in sorted(targets.items())
            if value is not None and first <= year <= last
        ],
        ticks=[{"y": _c(y(top * i / 4)), "label": _label(top * i / 4)} for i in range(5)],
        years=[{"x": _c(x(p.year)), "label": str(p.year)} for p in points],
    )
