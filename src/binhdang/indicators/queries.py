"""Reads of the catalogue that pages share."""

from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Prefetch, Q

from binhdang.core.db import among
from binhdang.orgunits.models import OrgUnit

from . import display
from .evaluation import Summary, Verdict, evaluate, per_level_verdict, summarise
from .measures import Stored
from .models import (
    CATEGORIES,
    DataValue,
    Dimension,
    Direction,
    Framework,
    Indicator,
    Objective,
    Target,
)
from .rollup import (
    RollUp,
    combine,
    level_lines_many,
    rollup,
    rollup_many,
    rollup_with_breakdowns,
    rollup_years,
    within_subtrees,
)

NOTHING = RollUp(None, None, None, 0)


def catalogue(framework: Framework):
    """The framework's objectives with their indicators and national targets, in two queries."""
    national = Target.objects.filter(unit=None).order_by("year")
    indicators = Indicator.objects.prefetch_related(Prefetch("targets", queryset=national))
    return Objective.objects.filter(framework=framework).prefetch_related(
        Prefetch("indicators", queryset=indicators.order_by("number"))
    )


def applicable_target(indicator: Indicator, unit: OrgUnit | None, year: int) -> Target | None:
    """The target that judges a year's value: the nearest milestone at or after the year, set by
    the unit or its nearest ancestor that set one, else the national one."""
    return applicable_targets([indicator], unit, year).get(indicator.pk)


@dataclass
class Part:
    """A breakdown of a figure (women, men, urban, rural…): its category, label and figure."""

    category: str
    label: str
    figure: RollUp

    def text(self, indicator: Indicator) -> str:
        return display.figure_text(self.figure, indicator)


@dataclass
class IndicatorRow:
    """One line of a unit's table: the figure, the target that judges it, the verdict, and the
    figure's breakdowns that have entries (women/men, urban/rural…)."""

    indicator: Indicator
    figure: RollUp
    target: Target | None
    verdict: Verdict
    parts: list[Part] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The figure as written for people, its digits agreeing with the verdict."""
        return display.figure_text(self.figure, self.indicator, self.target)

    @property
    def fraction(self) -> str:
        return display.fraction_text(self.figure)

    @property
    def digits(self) -> int | None:
        """The decimals `text` is written with (for a spreadsheet cell's format)."""
        return display.digits_for(self.figure.value, self.indicator, self.target)

    @property
    def part_lines(self) -> list[tuple[str, str, str]]:
        """(label, figure, fraction) of each breakdown, as written for people."""
        return [
            (part.label, part.text(self.indicator), display.fraction_text(part.figure))
            for part in self.parts
        ]


def framework_indicators(framework: Framework) -> list[Indicator]:
    """The framework's own indicators (not units' local ones), in the catalogue's order."""
    return list(
        Indicator.objects.filter(framework=framework, owner_unit=None)
        .select_related("objective")
        .order_by("objective__number", "number")
    )


def _category_labels(indicators) -> dict[str, str]:
    """Each breakdown asked for by the indicators, with its short label ("Nữ", "Thành thị")."""
    labels = {}
    for indicator in indicators:
        for dimension in indicator.dimensions:
            if dimension == Dimension.LEVEL:
                continue  # levels are shown as the figure's level lines (its provenance)
            for key, label in CATEGORIES[dimension]:
                labels[f"{dimension}:{key}"] = str(label)
    return labels


def _figures(
    indicators, units, year: int, category: str = "", within=None
) -> dict[int, dict[int, RollUp]]:
    """Each unit's figure for each indicator, by unit id then indicator id (one query)."""
    if len(units) == 1:
        return {units[0].pk: rollup_many(indicators, units[0], year, category)}
    found = rollup_years(indicators, units, [year], category, within=within)
    ids = [indicator.pk for indicator in indicators]
    figures = {}
    for unit_id in (unit.pk for unit in units):
        figures[unit_id] = {pk: found.get((unit_id, pk, year), NOTHING) for pk in ids}
    return figures


def _breakdown_figures(
    indicators, units, year: int, categories: list[str], within=None
) -> dict[str, dict[int, dict[int, RollUp]]]:
    """Each breakdown category's figures for several units, by category, unit id and indicator
    id (one query per category)."""
    return {
        category: _figures(
            [i for i in indicators if category in dict(i.categories())],
            units,
            year,
            category,
            within,
        )
        for category in categories
    }


def figure_rows(
    indicators: list[Indicator], units, year: int, *, breakdowns: bool = True
) -> dict[int, list[IndicatorRow]]:
    """The one reader of "figure, target, verdict" rows: for each unit (by id), each indicator's
    figure for the year, the target that judges it, the verdict and, with `breakdowns`, the
    figure's breakdowns that have entries.

    Batched, whatever the number of indicators: for one unit, one read of its subtree for the
    totals and the breakdowns; for several, one for the totals and one per category asked; and
    one for the targets."""
    units = list(units)
    indicators = list(indicators)
    if not units:
        return {}
    # The units' subtrees found once for the totals and every breakdown.
    categories = _category_labels(indicators) if breakdowns else {}
    if len(units) == 1:  # totals and breakdowns from one read of the subtree
        unit_totals, unit_parts = rollup_with_breakdowns(indicators, units[0], year, categories)
        totals = {units[0].pk: unit_totals}
        parts = {category: {units[0].pk: found} for category, found in unit_parts.items()}
    else:  # the units' subtrees found once for the totals and every breakdown
        within = within_subtrees(units)
        totals = _figures(indicators, units, year, within=within)
        # 1.1's level lines, which judge it per level, as each unit's own page shows them.
        levels = level_lines_many(indicators, units, year, within=within)
        for (unit_id, pk), lines in levels.items():
            totals[unit_id][pk] = replace(totals[unit_id][pk], levels=lines)
        parts = _breakdown_figures(indicators, units, year, list(categories), within)
    targets = applicable_targets_by_unit(indicators, units, year)
    keyed = [(indicator, indicator.pk) for indicator in indicators]
    rows: dict[int, list[IndicatorRow]] = {}
    for unit_id in (unit.pk for unit in units):
        own, judging = totals[unit_id], targets[unit_id]
        broken = [(c, label, parts[c][unit_id]) for c, label in categories.items()]
        rows[unit_id] = line = []
        for indicator, pk in keyed:
            figure = own.get(pk, NOTHING)
            target = judging.get(pk)
            verdict = _judge(indicator, figure, target)
            found = [
                Part(category, label, of[pk])
                for category, label, of in broken
                if pk in of and of[pk].value is not None
            ]
            line.append(IndicatorRow(indicator, figure, target, verdict, found))
    return rows


def _judge(indicator: Indicator, figure: RollUp, target: Target | None) -> Verdict:
    """The figure's verdict; a target judged per level gets one on each level's figure too."""

    def judge(value):
        return evaluate(
            value,
            target.value if target else None,
            target.comparator if target else "",
            indicator.direction,
        )

    for line in figure.levels:
        line.verdict = judge(line.figure.value)
    return per_level_verdict([line.verdict for line in figure.levels], judge(figure.value))


def summary(rows: list[IndicatorRow]) -> Summary:
    """The summary line's counts over the rows (every target of the framework)."""
    return summarise(
        [row.verdict for row in rows], sum(1 for row in rows if row.figure.value is not None)
    )


def unit_overview(framework: Framework, unit: OrgUnit, year: int) -> list[IndicatorRow]:
    """Every indicator of the framework for a unit and a year, rolled up and evaluated, with
    their breakdowns (`figure_rows`)."""
    return figure_rows(framework_indicators(framework), [unit], year)[unit.pk]


def ranked_children(
    indicator: Indicator, unit: OrgUnit, year: int
) -> list[tuple[OrgUnit, IndicatorRow]]:
    """The unit's sub-units that have figures for the year, each with its row (figure, target,
    verdict, breakdowns: `figure_rows`), best first."""
    children = list(OrgUnit.objects.filter(parent=unit))
    rows = figure_rows([indicator], children, year)
    ranked = [(child, rows[child.pk][0]) for child in children if rows[child.pk][0].figure.entries]
    better_high = indicator.direction == Direction.HIGHER
    ranked.sort(
        key=lambda r: (
            r[1].figure.value is None,
            -(r[1].figure.value or 0) if better_high else r[1].figure.value or 0,
        )
    )
    return ranked


@dataclass
class TrendPoint:
    year: int
    figure: RollUp
    from_predecessors: bool


def trend(indicator: Indicator, unit: OrgUnit, years=range(2021, 2031)) -> list[TrendPoint]:
    """The unit's figure year by year; before the unit existed, its predecessors' combined."""
    predecessors = list(unit.predecessors.all())
    points = []
    for year in years:
        own = rollup(indicator, unit, year)
        if own.entries or not predecessors:
            points.append(TrendPoint(year, own, False))
            continue
        merged = combine(indicator, [rollup(indicator, p, year) for p in predecessors])
        points.append(TrendPoint(year, merged, merged.entries > 0))
    return points


def stored_figures(unit: OrgUnit, *years: int) -> dict[int, dict]:
    """The unit's own stored figures of each year, by (indicator id, category), in one query
    (the entry form shows the year's beside last year's)."""
    by_year = {year: {} for year in years}
    for row in DataValue.objects.filter(unit=unit, year__in=years):
        by_year[row.year][(row.indicator_id, row.category)] = Stored.of(row)
    return by_year


def local_indicators(unit: OrgUnit):
    """The indicators that the unit or one of its ancestors added for its own subtree."""
    return Indicator.objects.filter(owner_unit_id__in=[*unit.ancestor_ids(), unit.pk]).order_by(
        "number"
    )


def milestone_targets(
    indicators: list[Indicator], unit: OrgUnit, years=(2025, 2030)
) -> dict[tuple[int, int], Target]:
    """The target judging each indicator's milestone for the unit: its own or its nearest
    ancestor's, else the national one (the same precedence as `applicable_target`)."""
    line = [*unit.ancestor_ids(), unit.pk]
    depth = {pk: index for index, pk in enumerate(line)}
    chosen: dict[tuple[int, int], Target] = {}
    candidates = Target.objects.filter(indicator__in=indicators, year__in=years).filter(
        Q(unit__isnull=True) | Q(unit_id__in=line)
    )
    for target in candidates.select_related("unit"):
        key = (target.indicator_id, target.year)
        rank = depth.get(target.unit_id, -1)
        current = chosen.get(key)
        if current is None or rank > depth.get(current.unit_id, -1):
            chosen[key] = target
    return chosen


def local_overview(unit: OrgUnit, year: int) -> list[IndicatorRow]:
    """The local indicators that apply to the unit, rolled up and evaluated (`figure_rows`)."""
    indicators = list(local_indicators(unit))
    return figure_rows(indicators, [unit], year)[unit.pk] if indicators else []


def _target_rank(target: Target) -> tuple:
    """Which target judges first: the unit's own or its nearest ancestor's before the national
    one, then the nearest milestone year."""
    return (target.unit is None, -(target.unit.depth if target.unit else 0), target.year)


def applicable_targets(indicators, unit: OrgUnit | None, year: int) -> dict[int, Target]:
    """`applicable_target` for several indicators at once, by indicator id (one query)."""
    own_line = [*unit.ancestor_ids(), unit.pk] if unit else []
    candidates = Target.objects.filter(
        indicator_id__in=[i.pk for i in indicators], year__gte=year
    ).filter(Q(unit__isnull=True) | Q(unit_id__in=own_line))
    chosen: dict[int, Target] = {}
    for target in candidates.select_related("unit"):
        current = chosen.get(target.indicator_id)
        if current is None or _target_rank(target) < _target_rank(current):
            chosen[target.indicator_id] = target
    return chosen


def applicable_targets_by_unit(indicators, units, year: int) -> dict[int, dict[int, Target]]:
    """`applicable_targets` for several units at once, by unit id then indicator id (one
    query for every unit's line of ancestors)."""
    lines = {unit.pk: [*unit.ancestor_ids(), unit.pk] for unit in units}
    everyone = {pk for line in lines.values() for pk in line}
    candidates = list(
        Target.objects.filter(indicator_id__in=[i.pk for i in indicators], year__gte=year)
        .filter(Q(unit__isnull=True) | Q(unit_id__in=among(everyone)))
        .select_related("unit")
    )
    setters = {target.unit_id for target in candidates if target.unit_id is not None}
    # Units whose lines hold the same units that set targets get the same choice: a national
    # report's 3,321 communes share a few dozen.
    shared: dict[tuple[int, ...], dict[int, Target]] = {}
    chosen: dict[int, dict[int, Target]] = {}
    for unit in units:
        key = tuple(pk for pk in lines[unit.pk] if pk in setters)
        if key not in shared:
            mine: dict[int, Target] = {}
            for target in candidates:
                if target.unit_id is not None and target.unit_id not in key:
                    continue
                current = mine.get(target.indicator_id)
                if current is None or _target_rank(target) < _target_rank(current):
                    mine[target.indicator_id] = target
            shared[key] = mine
        chosen[unit.pk] = dict(shared[key])
    return chosen


class TargetIndex:
    """The targets that may judge the indicators' figures from `first_year` on, read in one
    query, so that the one judging any unit's year (the precedence of `applicable_target`) is
    found without a query each: for exports over a whole tree."""

    def __init__(self, indicator_ids, first_year: int):
        self._targets: dict[int, list[Target]] = defaultdict(list)
        for target in Target.objects.filter(
            indicator_id__in=list(indicator_ids), year__gte=first_year
        ).select_related("unit"):
            self._targets[target.indicator_id].append(target)
        self._setters = {t.unit_id for ts in self._targets.values() for t in ts if t.unit_id}
        self._chosen: dict[tuple, Target | None] = {}

    def applicable(self, line: tuple[int, ...], indicator_id: int, year: int) -> Target | None:
        """The target judging the year's figure of the unit whose ids from the root down to
        itself are `line`."""
        # Units whose line holds no unit that set a target share their choice (most of them).
        key = (tuple(pk for pk in line if pk in self._setters), indicator_id, year)
        if key not in self._chosen:
            setters = set(key[0])
            candidates = [
                t
                for t in self._targets.get(indicator_id, ())
                if t.year >= year and (t.unit_id is None or t.unit_id in setters)
            ]
            self._chosen[key] = min(candidates, key=_target_rank, default=None)
        return self._chosen[key]
