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

Every figure says where it comes from (`Provenance`): the rule that made it (the unit's own
figure, the sum of N sub-units, the answers of N of M units), how many units of each level below
entered a figure of how many existed that year, and, where the unit has its own figure and its
sub-units have theirs, both figures with the precedence that chose one. All of it is read off the
same grouped rows; only the expected units per level take one more (small) query, and only when
a page shows them.
"""

import datetime
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.db.models import Case, Count, F, IntegerField, Min, Q, Sum, Value, When
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from binhdang.core.db import among
from binhdang.core.numbers import write_number
from binhdang.orgunits.models import (
    OR_ED_PATHS,
    Level,
    OrgUnit,
    common_path,
    path_lines,
    subtree_ids,
)

from .measures import QUOTIENTS
from .models import DataValue, Dimension, Indicator, Measure, SubunitSum


class Rule(models.TextChoices):
    """How a rolled-up figure was obtained."""

    NONE = "none", _("No figure entered yet")
    OWN = "own", _("The unit's own figure")
    SUM = "sum", _("The sum of the sub-units' figures")
    ANSWERS = "answers", _("The answers of the units")


class Precedence(models.TextChoices):
    """Which figure counts where a unit entered its own and its sub-units entered theirs."""

    OWN_FIRST = (
        "own_first",
        _(
            "Rule: the unit's own figure stands for its whole subtree; the sub-units' figure is "
            "shown beside it and not added."
        ),
    )
    LOWER_FIRST = (
        "lower_first",
        _(
            "Rule: for this target the lower units' answers count first; the unit's own figure is "
            "shown beside them and not used."
        ),
    )


def _existed_in(year: int) -> Q:
    """The units that existed at any time of the year."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=last)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=first)
    )


class _ExpectedUnits:
    """How many units of each level lay below a unit in a year (existing at any time of it, as
    for entering figures); read in one query the first time a page shows a coverage."""

    def __init__(self, unit: OrgUnit, year: int):
        self.unit, self.year = unit, year

    @cached_property
    def by_level(self) -> dict[int, int]:
        rows = (
            OrgUnit.objects.filter(_existed_in(self.year), path__startswith=self.unit.path)
            .exclude(pk=self.unit.pk)
            .values_list("level")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return dict(rows)


@dataclass
class Coverage:
    """How many units of one level below the unit entered a figure, of how many existed."""

    level: int
    entered: int
    expected_units: _ExpectedUnits | None = field(default=None, repr=False)

    @property
    def expected(self) -> int | None:
        if self.expected_units is None:
            return None
        return max(self.expected_units.by_level.get(self.level, 0), self.entered)

    @property
    def level_label(self) -> str:
        return Level(self.level).label

    def __str__(self) -> str:
        """ "Cấp xã: 12/96 đơn vị đã nhập"."""
        if self.expected is None:
            return gettext("%(level)s: %(entered)s units entered") % {
                "level": self.level_label,
                "entered": write_number(self.entered),
            }
        return gettext("%(level)s: %(entered)s/%(expected)s units entered") % {
            "level": self.level_label,
            "entered": write_number(self.entered),
            "expected": write_number(self.expected),
        }


@dataclass
class Provenance:
    """Where a rolled-up figure comes from: its rule, the units it counts, the coverage below,
    and, where both exist, the unit's own figure and its sub-units' one with the precedence."""

    rule: str
    counted: int
    coverage: list[Coverage] = field(default_factory=list)
    own: "RollUp | None" = None
    below: "RollUp | None" = None
    precedence: str = ""

    @property
    def both(self) -> bool:
        """Whether the unit's own figure and its sub-units' figure both exist."""
        return self.own is not None and self.below is not None

    @property
    def precedence_label(self) -> str:
        return str(Precedence(self.precedence).label) if self.precedence else ""

    @property
    def answering_of(self) -> int | None:
        """How many units could have answered at the levels whose answers count."""
        counted_levels = [c for c in self.coverage if c.entered]
        if not counted_levels or any(c.expected is None for c in counted_levels):
            return None
        return sum(c.expected for c in counted_levels)

    def __str__(self) -> str:
        """ "Tổng số liệu của 3 đơn vị cấp dưới", "Câu trả lời của 12/96 đơn vị"..."""
        if self.rule == Rule.SUM:
            return ngettext(
                "The sum of %(n)s sub-unit's figure",
                "The sum of %(n)s sub-units' figures",
                self.counted,
            ) % {"n": write_number(self.counted)}
        if self.rule == Rule.ANSWERS:
            of = self.answering_of
            if of is None:
                return gettext("The answers of %(n)s units") % {"n": write_number(self.counted)}
            return gettext("The answers of %(n)s of %(m)s units") % {
                "n": write_number(self.counted),
                "m": write_number(of),
            }
        return str(Rule(self.rule).label)


@dataclass
class RollUp:
    """A unit's figure for a year, how many entries it was made from, (`provenance`) how it was
    obtained, and (`levels`) for a target judged per level, its figure for each level."""

    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    entries: int
    provenance: Provenance | None = field(default=None, compare=False)
    levels: "list[LevelFigure]" = field(default_factory=list, compare=False)

    @property
    def has_data(self) -> bool:
        return self.entries > 0 and self.value is not None


@dataclass
class LevelFigure:
    """A target judged per level: the unit's figure for the agencies or governments of one level
    ("105/173 commune governments"), and the verdict the overview gives it."""

    level: int
    figure: RollUp
    verdict: str = ""

    @property
    def label(self) -> str:
        return Level(self.level).label


# The breakdown category holding a unit's figure for one level (Dimension.LEVEL), and the levels
# whose units answer for themselves in their total (they have no sub-units).
LEVEL_CATEGORY = {
    Level.CENTRAL: "level:central",
    Level.PROVINCE: "level:province",
    Level.DISTRICT: "level:district",
    Level.COMMUNE: "level:commune",
    Level.DEPARTMENT: "level:department",
}
ANSWERING_LEVELS = (Level.COMMUNE, Level.DEPARTMENT)


def levels_below(unit: OrgUnit, year: int) -> set[int]:
    """The levels of the units below the unit that existed at any time of the year (one
    query): a province after the 2025 reform has communes, before it districts too."""
    return set(_ExpectedUnits(unit, year).by_level)


def levels_below_each(units, year: int) -> dict[int, set[int]]:
    """`levels_below` for each of the units, by id, from one read of the units below their
    common ancestor (an Excel template of the nation and its ~50 sub-units)."""
    units = list(units)
    asked = {unit.path: unit.pk for unit in units}
    found: dict[int, set[int]] = {unit.pk: set() for unit in units}
    below = (
        OrgUnit.objects.filter(_existed_in(year), path__startswith=common_path(asked))
        .values_list("path", "level")
        .distinct()
    )
    for path, level in below.iterator(2000):
        for line in path_lines(path)[:-1]:  # the unit's ancestors, not itself
            if line in asked:
                found[asked[line]].add(level)
    return found


def judged_per_level(indicator: Indicator) -> bool:
    """Whether the target is held and judged per level of government (1.1)."""
    return Dimension.LEVEL in indicator.dimensions


def deepest_first(indicator: Indicator) -> bool:
    """Whether the lowest entries count first (targets computed from lower units); a target
    judged per level keeps the usual rule, so that a commune's early answer never replaces the
    province's own figure."""
    return indicator.computed_from_children and not judged_per_level(indicator)


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
    level: int = -1  # the level of the unit(s) that entered them
    category: str = ""


_FROM_VALUES: ContextVar[bool] = ContextVar("rollup_from_values", default=False)


@contextmanager
def from_values():
    """Roll up from every entered value (one grouped query over the subtree's rows) instead of
    the sub-units' sums: the reference the sums are checked against (tests, benchmark)."""
    token = _FROM_VALUES.set(True)
    try:
        yield
    finally:
        _FROM_VALUES.reset(token)


def _categories(indicator_ids, category: str | tuple[str, ...], per_level) -> Q:
    """The rows of the categories asked (several, as a tuple), and of the indicators
    `per_level`, their level lines; the same on values and on sums."""
    categories = Q(category__in=category) if isinstance(category, tuple) else Q(category=category)
    if per_level:
        categories |= Q(indicator_id__in=list(per_level), category__startswith="level:")
    return categories & Q(indicator_id__in=list(indicator_ids))


def _groups(
    indicator_ids,
    unit: OrgUnit,
    year: int,
    category: str | tuple[str, ...],
    *,
    split_children: bool = False,
    per_level=(),
) -> dict[int, list[_Group]]:
    """The subtree's entries of the year for the indicators, grouped as `_Group`s (two queries:
    the sub-units' sums, `sums`, then the entries read one by one; three with
    `split_children`).

    With `split_children`, entries of the unit's direct sub-units also come back one by one, so
    that each sub-unit's figure can be told apart. For the indicators `per_level` (ids), their
    entries for each level (category "level:…") come back too, in groups of their own."""
    if _FROM_VALUES.get():
        return _groups_from_values(
            indicator_ids, unit, year, category, split_children=split_children, per_level=per_level
        )
    wanted = _categories(indicator_ids, category, per_level)
    summed = list(
        SubunitSum.objects.filter(
            wanted, year=year, entries__gt=0, parent__path__startswith=unit.path
        ).values_list(
            "indicator_id",
            "parent_id",
            "level",
            "category",
            "parent__path",
            "entries",
            "numerator",
            "denominator",
            "value",
        )
    )
    # One by one: the entries of the unit and of every unit with entries below it (the parents
    # of the sums and their ancestors within the subtree, read off their paths: a few hundred
    # in the nation), and with `split_children` those of the unit's direct sub-units. A unit
    # with sub-units but nothing entered below it may be summed with its siblings: nothing
    # below it can hide it or be hidden by it.
    one_by_one = {unit.pk}
    for path in {row[4] for row in summed}:
        one_by_one.update(int(pk) for pk in path.strip("/").split("/")[unit.depth :])
    if split_children:
        one_by_one.update(OrgUnit.objects.filter(parent=unit).values_list("pk", flat=True))
    # One array parameter rather than hundreds on PostgreSQL, read through the (unit, year)
    # index.
    own = DataValue.objects.filter(
        wanted, year=year, unit_id__in=among(sorted(one_by_one))
    ).values_list(
        "indicator_id",
        "unit__parent_id",
        "unit__level",
        "category",
        "unit__path",
        "numerator",
        "denominator",
        "value",
    )
    groups: dict[int, list[_Group]] = defaultdict(list)
    taken: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0), Decimal(0)])
    for indicator_id, parent_id, level, of, path, num, den, value in own:
        groups[indicator_id].append(_Group(indicator_id, path, True, 1, num, den, value, level, of))
        if path != unit.path:  # within its parent's sum, which lies in the subtree
            total = taken[(indicator_id, parent_id, level, of)]
            for index, figure in enumerate((1, num, den, value)):
                total[index] += figure or 0
    # The sub-units' sums less the entries read one by one: the entries of the other units,
    # summed per parent and level, as `_groups_from_values` groups them.
    for indicator_id, parent_id, level, of, path, entries, num, den, value in summed:
        less = taken.get((indicator_id, parent_id, level, of))
        if less:
            entries, num, den, value = (
                entries - less[0],
                num - less[1],
                den - less[2],
                value - less[3],
            )
            if not entries:
                continue
        groups[indicator_id].append(
            _Group(indicator_id, path, False, entries, num, den, value, level, of)
        )
    return groups


def _groups_from_values(
    indicator_ids,
    unit: OrgUnit,
    year: int,
    category: str | tuple[str, ...],
    *,
    split_children: bool = False,
    per_level=(),
) -> dict[int, list[_Group]]:
    """`_groups` from every entered value of the subtree, in one grouped query."""
    # The unit's own entry always comes back on its own line, to be told from its sub-units'.
    one_by_one = Q(
        unit_id__in=OrgUnit.objects.filter(parent__isnull=False).values("parent_id")
    ) | Q(unit_id=unit.pk)
    if split_children:
        one_by_one |= Q(unit__parent_id=unit.pk)
    # Grouped by integers (cheap to sort or hash); a group's paths come from MIN(path): a unit's
    # own path, or any of the siblings' paths, from which the parent's path follows.
    own_id = Case(
        When(one_by_one, then=F("unit_id")), default=Value(0), output_field=IntegerField()
    )
    # Several categories (a tuple) come back in one query, each in groups of its own.
    rows = (
        DataValue.objects.filter(
            _categories(indicator_ids, category, per_level),
            year=year,
            unit__path__startswith=unit.path,
        )
        .annotate(own_id=own_id)
        .values_list("indicator_id", "unit__parent_id", "own_id", "unit__level", "category")
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
    for indicator_id, parent_id, own_id, level, of, entries, path, num, den, value in rows:
        if not own_id:
            path = path[: path.rstrip("/").rfind("/") + 1] if parent_id else ""
        groups[indicator_id].append(
            _Group(indicator_id, path, bool(own_id), entries, num, den, value, level, of)
        )
    return groups


def _counted_groups(groups: list[_Group], deepest: bool) -> list[_Group]:
    """The groups whose entries count; the same choice as `_counted` makes row by row."""
    own = [g for g in groups if g.own]
    if deepest:
        # A unit's own entry counts only if nothing below it was entered.
        below: set[str] = set()
        for group in groups:
            lines = path_lines(group.path) if group.path else []
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
        lines = path_lines(group.path)
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


def answered_yes_no(indicator: Indicator) -> bool:
    """Whether the units' entries are answers counted as "k of n" (milestones, and targets
    computed from lower units such as 1.1) rather than figures summed."""
    return indicator.measure == Measure.MILESTONE or indicator.computed_from_children


def _explain(
    indicator: Indicator,
    groups: list[_Group],
    path: str,
    expected: _ExpectedUnits | None = None,
) -> RollUp:
    """The figure of the unit at `path` from its subtree's groups, with its provenance."""
    deepest = deepest_first(indicator)
    own_groups = [g for g in groups if g.own and g.path == path]
    below_groups = [g for g in groups if not (g.own and g.path == path)]
    own = _combine_groups(indicator, own_groups) if own_groups else None
    below = _combine_groups(indicator, _counted_groups(below_groups, deepest))
    # The counted entries, without counting twice: the own entry hides the subtree's, or (lowest
    # answers first) is used only where nothing below was entered.
    if own is not None and (not deepest or not below.entries):
        figure = replace(own)
    else:
        figure = replace(below)
    entered: dict[int, int] = defaultdict(int)
    for group in below_groups:
        entered[group.level] += group.entries
    coverage = [Coverage(level, n, expected) for level, n in sorted(entered.items())]
    if not figure.entries:
        rule, counted = Rule.NONE, 0
    elif own is not None and (not below.entries or not deepest):
        rule, counted = Rule.OWN, 1
    else:
        rule = Rule.ANSWERS if answered_yes_no(indicator) else Rule.SUM
        counted = below.entries
    precedence = ""
    if own is not None and below.entries:
        precedence = Precedence.LOWER_FIRST if deepest else Precedence.OWN_FIRST
    figure.provenance = Provenance(
        rule=rule,
        counted=counted,
        coverage=coverage,
        own=own,
        below=below if below.entries else None,
        precedence=precedence,
    )
    return figure


def rollup_many(
    indicators: list[Indicator], unit: OrgUnit, year: int, category: str = ""
) -> dict[int, RollUp]:
    """Each indicator's figure for the unit and the year, by indicator id, with its provenance,
    in one query whatever the number of indicators and the size of the subtree (and one more,
    for the expected units, if a coverage is shown)."""
    return _rollup_unit(indicators, unit, year, category, ())[0]


def rollup_with_breakdowns(
    indicators: list[Indicator], unit: OrgUnit, year: int, categories
) -> tuple[dict[int, RollUp], dict[str, dict[int, RollUp]]]:
    """`rollup_many`'s figures, and each indicator's figure in each breakdown category (women,
    men…) it has, by category then indicator id, from one read of the subtree for both."""
    return _rollup_unit(indicators, unit, year, "", tuple(categories))


def _rollup_unit(indicators, unit: OrgUnit, year: int, category: str, categories: tuple):
    """The totals in `category` (with level lines when it is ""), and the `categories`."""
    per_level = {i.pk for i in indicators if judged_per_level(i)} if not category else set()
    asked = (category, *categories) if categories else category
    groups = _groups([i.pk for i in indicators], unit, year, asked, per_level=per_level)
    expected = _ExpectedUnits(unit, year)
    figures: dict[int, RollUp] = {}
    parts: dict[str, dict[int, RollUp]] = {c: {} for c in categories}
    for indicator in indicators:
        by_category: dict[str, list[_Group]] = defaultdict(list)
        for group in groups.get(indicator.pk, []):
            by_category[group.category].append(group)
        totals = by_category.get(category, [])
        figures[indicator.pk] = figure = _explain(indicator, totals, unit.path, expected)
        if indicator.pk in per_level:
            lines = [g for c, found in by_category.items() if c.startswith("level:") for g in found]
            figure.levels = _level_figures(indicator, totals, lines, unit.path, expected)
        declared = dict(indicator.categories())  # never a breakdown the indicator has not
        for part in categories:
            if part in declared:
                parts[part][indicator.pk] = _explain(
                    indicator, by_category.get(part, []), unit.path, expected
                )
    return figures, parts


def _level_figures(
    indicator: Indicator,
    totals: list[_Group],
    parts: list[_Group],
    path: str,
    expected: _ExpectedUnits | None,
) -> list[LevelFigure]:
    """The unit's figure for each level that has one: the entries for that level (a unit's
    "level:commune" line stands for the communes of its subtree, as any own figure does), and
    where none stands above them, the answers of that level's units in their totals."""
    lines = []
    for level, category in LEVEL_CATEGORY.items():
        candidates = [g for g in parts if g.category == category]
        if level in ANSWERING_LEVELS:
            candidates += [g for g in totals if g.level == level]
        if not candidates:
            continue
        figure = _explain(indicator, candidates, path, expected)
        figure.provenance.coverage = [c for c in figure.provenance.coverage if c.level == level]
        lines.append(LevelFigure(level, figure))
    return lines


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
    by_child: dict[int, list[_Group]] = defaultdict(list)
    depth = unit.depth + 1
    for group in groups:
        by_child[int(group.path.strip("/").split("/")[depth])].append(group)
    return {
        child: _explain(indicator, parts, f"{unit.path}{child}/")
        for child, parts in by_child.items()
    }


UNIT_LIST = 3000  # up to this many units in the subtrees, `rollup_years` names them


def within_subtrees(units: list[OrgUnit]) -> Q:
    """The entries of the units' subtrees (`rollup_years`'s `within`). A list of units lets the
    database read their rows through the unit index (one array parameter on PostgreSQL); a few
    large subtrees (the nation's and its predecessors') are cheaper as path conditions than as
    thousands of ids; thousands of small ones (every commune of a national round) are not."""
    if len(units) > OR_ED_PATHS:
        return Q(unit_id__in=among(subtree_ids(units)))
    ids = list(OrgUnit.objects.subtrees(units).values_list("pk", flat=True)[: UNIT_LIST + 1])
    if len(ids) <= UNIT_LIST:
        return Q(unit_id__in=among(ids))
    within = Q(pk__in=[])
    for unit in units:
        within |= Q(unit__path__startswith=unit.path)
    return within


def _groups_in_subtrees(
    indicator_ids, units, years, categories: Q, within: Q
) -> dict[tuple[int, int, int], list[_Group]]:
    """The entries of the units' subtrees in the years, as `_Group`s filed under each asked unit
    whose subtree holds them, by (unit pk, indicator pk, year), from one grouped query. The
    units' own entries and those of units with sub-units come back one by one, so a unit inside
    another one's subtree gets its own figure; the others are summed per parent, level and
    category."""
    one_by_one = Q(
        unit_id__in=OrgUnit.objects.filter(parent__isnull=False).values("parent_id")
    ) | Q(unit_id__in=among(unit.pk for unit in units))
    own_id = Case(
        When(one_by_one, then=F("unit_id")), default=Value(0), output_field=IntegerField()
    )
    rows = (
        DataValue.objects.filter(
            within, categories, indicator_id__in=list(indicator_ids), year__in=list(years)
        )
        .annotate(own_id=own_id)
        .values_list("indicator_id", "year", "unit__parent_id", "own_id", "unit__level", "category")
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
    for indicator_id, year, parent_id, own, level, of, entries, path, num, den, value in rows:
        if not own:  # siblings without sub-units: filed under their parent's line
            path = path[: path.rstrip("/").rfind("/") + 1] if parent_id else ""
        group = _Group(indicator_id, path, bool(own), entries, num, den, value, level, of)
        for line in path_lines(path) if path else ():
            if line in asked:
                buckets[(asked[line], indicator_id, year)].append(group)
    return buckets


def rollup_years(
    indicators: list[Indicator], units, years, category: str = "", *, within: Q | None = None
) -> dict[tuple[int, int, int], RollUp]:
    """Several units' figures for several years, by (unit pk, indicator pk, year), from one
    grouped query over the units' subtrees (e.g. a unit, its predecessors and its sub-units,
    2021–2030, for the forecasts; every commune of a national round). Missing keys have no
    entries. `within`: the units' `within_subtrees`, when several calls ask about the same
    units."""
    units = list(units)
    if not units or not indicators:
        return {}
    if within is None:
        within = within_subtrees(units)
    buckets = _groups_in_subtrees(
        [i.pk for i in indicators], units, years, Q(category=category), within
    )
    by_pk = {i.pk: i for i in indicators}
    return {
        key: _combine_groups(by_pk[key[1]], _counted_groups(groups, deepest_first(by_pk[key[1]])))
        for key, groups in buckets.items()
    }


def level_lines_many(
    indicators: list[Indicator], units, year: int, *, within: Q | None = None
) -> dict[tuple[int, int], list[LevelFigure]]:
    """The level lines (`RollUp.levels`) of several units' figures for the indicators judged
    per level (1.1), by (unit pk, indicator pk): the lines a unit's own page shows
    (`rollup_many`), from one grouped query over the units' subtrees."""
    per_level = {i.pk: i for i in indicators if judged_per_level(i)}
    units = list(units)
    if not per_level or not units:
        return {}
    if within is None:
        within = within_subtrees(units)
    lines = Q(category="") | Q(category__startswith="level:")
    buckets = _groups_in_subtrees(per_level, units, [year], lines, within)
    paths = {unit.pk: unit.path for unit in units}
    return {
        (unit_pk, indicator_pk): _level_figures(
            per_level[indicator_pk],
            [g for g in groups if not g.category],
            [g for g in groups if g.category],
            paths[unit_pk],
            None,
        )
        for (unit_pk, indicator_pk, _year), groups in buckets.items()
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
