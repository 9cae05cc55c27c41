"""Roll-up of a year's figures over a subtree, computed live from the entered values.

Which entries count, so that nothing is counted twice:
- usually a unit's own figure stands for its whole subtree (a province's statistics), and the
  units below it are summed only where no ancestor entered one ("top-most entries");
- for indicators computed from lower units (e.g. 1.1, communes answering yes or no), the lowest
  entries count and a unit's own figure is used only where nothing below it was entered
  ("deepest entries").
Counted entries are summed: numerators and denominators for quotients, values for counts and
milestones (a milestone then reads "k of n units").

How it is read (decision 24): one grouped query for any number of indicators. Entries of units
that have sub-units (the nation, provinces, pre-2025 districts, ministries) come back one by one
with their path; entries of units without sub-units (communes, departments) come back already
summed per parent unit, since siblings never hide one another: whether they count depends only on
their parent's line, and nothing lies below them. A national roll-up thus reads a few thousand
sums instead of every commune's row, and the choice of counted entries stays exactly the one the
row-by-row pass (`_counted`) makes.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db.models import Case, Count, F, IntegerField, Min, Q, Sum, Value, When

from binhdang.orgunits.models import OrgUnit

from .measures import QUOTIENTS
from .models import DataValue, Indicator, Measure


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
    """Every entry of the subtree for a year, sorted by path (one query).

    Sorted in Python: a database collation other than "C" may order "/1/35/" and "/1/351/"
    differently from plain character order, which `_counted` relies on."""
    rows = list(
        DataValue.objects.filter(
            indicator=indicator, year=year, category=category, unit__path__startswith=unit.path
        ).select_related("unit")
    )
    rows.sort(key=lambda row: row.unit.path)
    return rows


@dataclass
class _Group:
    """Entries read together: one unit's own entry (`own` is True, `path` its path), or the
    summed entries of sibling units without sub-units (`path` is their parent's path)."""

    indicator_id: int
    path: str
    own: bool
    entries: int
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None


@lru_cache(maxsize=4096)
def _lines(path: str) -> tuple[str, ...]:
    """The paths from the root down to `path` itself: "/1/", "/1/35/", "/1/35/1234/"."""
    parts = path.strip("/").split("/")
    return tuple("/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts)))


def _groups(
    indicator_ids, unit: OrgUnit, year: int, category: str, *, split_children: bool = False
) -> dict[int, list[_Group]]:
    """The subtree's entries of the year for the indicators, grouped as `_Group`s (one query).

    With `split_children`, entries of the unit's direct sub-units also come back one by one, so
    that each sub-unit's figure can be told apart."""
    one_by_one = Q(unit_id__in=OrgUnit.objects.filter(parent__isnull=False).values("parent_id"))
    if split_children:
        one_by_one |= Q(unit__parent_id=unit.pk) | Q(unit_id=unit.pk)
    # Grouped by integers (cheap to sort or hash); a group's paths come from MIN(path): a unit's
    # own path, or any of the siblings' paths, from which the parent's path follows.
    own_id = Case(
        When(one_by_one, then=F("unit_id")), default=Value(0), output_field=IntegerField()
    )
    rows = (
        DataValue.objects.filter(
            indicator_id__in=list(indicator_ids),
            year=year,
            category=category,
            unit__path__startswith=unit.path,
        )
        .annotate(own_id=own_id)
        .values_list("indicator_id", "unit__parent_id", "own_id")
        .annotate(
            entries=Count("pk"),
            a_path=Min("unit__path"),
            sum_numerator=Sum("numerator"),
            sum_denominator=Sum("denominator"),
            sum_value=Sum("value"),
        )
        .order_by()
    )
    groups: dict[int, list[_Group]] = defaultdict(list)
    for indicator_id, parent_id, own_id, entries, path, numerator, denominator, value in rows:
        if own_id:
            group = _Group(indicator_id, path, True, entries, numerator, denominator, value)
        else:
            parent_path = path[: path.rstrip("/").rfind("/") + 1] if parent_id else ""
            group = _Group(indicator_id, parent_path, False, entries, numerator, denominator, value)
        groups[indicator_id].append(group)
    return groups


def _counted_groups(groups: list[_Group], deepest: bool) -> list[_Group]:
    """The groups whose entries count; the same choice as `_counted` makes row by row."""
    own = [g for g in groups if g.own]
    if deepest:
        # A unit's own entry counts only if nothing below it was entered.
        below: set[str] = set()
        for group in groups:
            lines = _lines(group.path) if group.path else []
            below.update(lines[:-1] if group.own else lines)
        return [g for g in groups if not g.own or g.path not in below]
    # Top-most: an entry counts unless a unit above it (within the subtree) has one.
    entered = {g.path for g in own}
    if not entered:
        return list(groups)
    counted = []
    for group in groups:
        if not group.path:  # the subtree's root without sub-units, and without a parent
            counted.append(group)
            continue
        lines = _lines(group.path)
        above = lines[:-1] if group.own else lines
        if not entered.intersection(above):
            counted.append(group)
    return counted


def _combine_groups(indicator: Indicator, groups: list[_Group]) -> RollUp:
    """`_combine` over grouped entries: the same sums and the same entry count."""
    entries = sum(g.entries for g in groups)
    if not entries:
        return RollUp(None, None, None, 0)
    if indicator.measure in QUOTIENTS:
        numerator = sum((g.numerator for g in groups if g.numerator is not None), Decimal(0))
        denominator = sum((g.denominator for g in groups if g.denominator is not None), Decimal(0))
        value = numerator / denominator * indicator.multiplier if denominator else None
        return RollUp(numerator, denominator, value, entries)
    total = sum((g.value for g in groups if g.value is not None), Decimal(0))
    if indicator.measure == Measure.MILESTONE and entries > 1:
        return RollUp(total, Decimal(entries), total, entries)
    return RollUp(None, None, total, entries)


def rollup_many(
    indicators: list[Indicator], unit: OrgUnit, year: int, category: str = ""
) -> dict[int, RollUp]:
    """Each indicator's figure for the unit and the year, by indicator id, in one query
    whatever the number of indicators and the size of the subtree."""
    groups = _groups([i.pk for i in indicators], unit, year, category)
    return {
        indicator.pk: _combine_groups(
            indicator,
            _counted_groups(groups.get(indicator.pk, []), indicator.computed_from_children),
        )
        for indicator in indicators
    }


def rollup(indicator: Indicator, unit: OrgUnit, year: int, category: str = "") -> RollUp:
    """The unit's figure for the year, computed live from the entries in its subtree."""
    return rollup_many([indicator], unit, year, category)[indicator.pk]


def rollup_children(
    indicator: Indicator, unit: OrgUnit, year: int, category: str = ""
) -> dict[int, RollUp]:
    """Each direct sub-unit's figure, from one query over the unit's subtree."""
    groups = [
        g
        for g in _groups([indicator.pk], unit, year, category, split_children=True).get(
            indicator.pk, []
        )
        if not (g.own and g.path == unit.path)
    ]
    counted = _counted_groups(groups, indicator.computed_from_children)
    by_child: dict[int, list[_Group]] = defaultdict(list)
    depth = unit.depth + 1
    for group in counted:
        by_child[int(group.path.strip("/").split("/")[depth])].append(group)
    return {child: _combine_groups(indicator, parts) for child, parts in by_child.items()}


UNIT_LIST = 3000  # up to this many units, `rollup_years` names them instead of their paths


def rollup_years(
    indicators: list[Indicator], units, years, category: str = ""
) -> dict[tuple[int, int, int], RollUp]:
    """Several units' figures for several years, by (unit pk, indicator pk, year), from one
    grouped query over the units' subtrees (e.g. a unit, its predecessors and its sub-units,
    2021–2030, for the forecasts). Missing keys have no entries. The units' own entries come
    back one by one, so a unit inside another one's subtree gets its own figure."""
    units = list(units)
    if not units or not indicators:
        return {}
    subtrees = list(OrgUnit.objects.subtrees(units).values_list("pk", flat=True)[: UNIT_LIST + 1])
    if len(subtrees) <= UNIT_LIST:
        # A list of units lets the database read their rows through the unit index instead
        # of every row of the years and indicators.
        within = Q(unit_id__in=subtrees)
    else:
        within = Q(pk__in=[])
        for unit in units:
            within |= Q(unit__path__startswith=unit.path)
    one_by_one = Q(
        unit_id__in=OrgUnit.objects.filter(parent__isnull=False).values("parent_id")
    ) | Q(unit_id__in=[u.pk for u in units])
    own_id = Case(
        When(one_by_one, then=F("unit_id")), default=Value(0), output_field=IntegerField()
    )
    rows = (
        DataValue.objects.filter(
            within,
            indicator_id__in=[i.pk for i in indicators],
            year__in=list(years),
            category=category,
        )
        .annotate(own_id=own_id)
        .values_list("indicator_id", "year", "unit__parent_id", "own_id")
        .annotate(
            entries=Count("pk"),
            a_path=Min("unit__path"),
            sum_numerator=Sum("numerator"),
            sum_denominator=Sum("denominator"),
            sum_value=Sum("value"),
        )
        .order_by()
    )
    asked = {unit.path: unit.pk for unit in units}
    buckets: dict[tuple[int, int, int], list[_Group]] = defaultdict(list)
    for indicator_id, year, parent_id, own, entries, path, numerator, denominator, value in rows:
        if not own:  # siblings without sub-units: filed under their parent's line
            path = path[: path.rstrip("/").rfind("/") + 1] if parent_id else ""
        group = _Group(indicator_id, path, bool(own), entries, numerator, denominator, value)
        for line in _lines(path) if path else ():
            if line in asked:
                buckets[(asked[line], indicator_id, year)].append(group)
    by_pk = {i.pk: i for i in indicators}
    return {
        key: _combine_groups(
            by_pk[key[1]], _counted_groups(groups, by_pk[key[1]].computed_from_children)
        )
        for key, groups in buckets.items()
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
