"""Roll-up of a year's figures over a subtree, from the entered values, in one query.

Which entries count, so that nothing is counted twice:
- usually a unit's own figure stands for its whole subtree (a province's statistics), and the
  units below it are summed only where no ancestor entered one ("top-most entries");
- for indicators computed from lower units (e.g. 1.1, communes answering yes or no), the lowest
  entries count and a unit's own figure is used only where nothing below it was entered
  ("deepest entries").
Counted entries are summed: numerators and denominators for quotients, values for counts and
milestones (a milestone then reads "k of n units").
"""

from dataclasses import dataclass
from decimal import Decimal

from binhdang.orgunits.models import OrgUnit

from .models import DataValue, Indicator, Measure

QUOTIENTS = (Measure.SHARE, Measure.RATIO, Measure.RATE)


@dataclass
class RollUp:
    """A unit's figure for a year, and how many entries it was made from."""

    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    entries: int

    @property
    def has_data(self) -> bool:
        return self.entries > 0 and self.value is not None


def _counted(rows: list[DataValue], deepest: bool) -> list[DataValue]:
    """The entries that count, given rows sorted by path (a unit's subtree follows it)."""
    counted = []
    for index, row in enumerate(rows):
        path = row.unit.path
        if deepest:
            following = rows[index + 1].unit.path if index + 1 < len(rows) else ""
            if not following.startswith(path):
                counted.append(row)
        elif not counted or not path.startswith(counted[-1].unit.path):
            counted.append(row)
    return counted


def _combine(indicator: Indicator, rows: list[DataValue]) -> RollUp:
    if not rows:
        return RollUp(None, None, None, 0)
    if indicator.measure in QUOTIENTS:
        numerator = sum((r.numerator for r in rows if r.numerator is not None), Decimal(0))
        denominator = sum((r.denominator for r in rows if r.denominator is not None), Decimal(0))
        value = numerator / denominator * indicator.multiplier if denominator else None
        return RollUp(numerator, denominator, value, len(rows))
    total = sum((r.value for r in rows if r.value is not None), Decimal(0))
    if indicator.measure == Measure.MILESTONE and len(rows) > 1:
        # Several units' yes/no answers: how many said yes, out of how many answered.
        return RollUp(total, Decimal(len(rows)), total, len(rows))
    return RollUp(None, None, total, len(rows))


def subtree_rows(indicator: Indicator, unit: OrgUnit, year: int, category: str = ""):
    """Every entry of the subtree for a year, sorted by path (one query)."""
    return list(
        DataValue.objects.filter(
            indicator=indicator, year=year, category=category, unit__path__startswith=unit.path
        )
        .select_related("unit")
        .order_by("unit__path")
    )


def rollup(indicator: Indicator, unit: OrgUnit, year: int, category: str = "") -> RollUp:
    """The unit's figure for the year, computed live from the entries in its subtree."""
    rows = subtree_rows(indicator, unit, year, category)
    return _combine(indicator, _counted(rows, deepest=indicator.computed_from_children))


def rollup_children(
    indicator: Indicator, unit: OrgUnit, year: int, category: str = ""
) -> dict[int, RollUp]:
    """Each direct sub-unit's figure, from the same single query as the unit's own."""
    rows = subtree_rows(indicator, unit, year, category)
    by_child: dict[int, list[DataValue]] = {}
    depth = unit.depth + 1
    for row in rows:
        if row.unit_id == unit.pk:
            continue
        child_id = int(row.unit.path.strip("/").split("/")[depth])
        by_child.setdefault(child_id, []).append(row)
    deepest = indicator.computed_from_children
    return {
        child: _combine(indicator, _counted(child_rows, deepest))
        for child, child_rows in by_child.items()
    }


def combine(indicator: Indicator, parts: list[RollUp]) -> RollUp:
    """Several units' figures as one (e.g. the provinces a new province was formed from)."""
    parts = [p for p in parts if p.entries]
    if not parts:
        return RollUp(None, None, None, 0)
    entries = sum(p.entries for p in parts)
    if indicator.measure in QUOTIENTS:
        numerator = sum((p.numerator for p in parts), Decimal(0))
        denominator = sum((p.denominator for p in parts), Decimal(0))
        value = numerator / denominator * indicator.multiplier if denominator else None
        return RollUp(numerator, denominator, value, entries)
    total = sum((p.value for p in parts if p.value is not None), Decimal(0))
    return RollUp(None, None, total, entries)
