"""Reads of the catalogue that pages share."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from binhdang.orgunits.models import OrgUnit

from .evaluation import Verdict, evaluate, per_level_verdict
from .models import Direction, Framework, Indicator, Objective, Target
from .rollup import RollUp, combine, rollup, rollup_children, rollup_many


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
class IndicatorRow:
    """One line of a unit's table: the figure, the target that judges it, and the verdict."""

    indicator: Indicator
    figure: RollUp
    target: Target | None
    verdict: Verdict


def unit_overview(framework: Framework, unit: OrgUnit, year: int) -> list[IndicatorRow]:
    """Every indicator of the framework for a unit and a year, rolled up and evaluated.

    Three queries whatever the number of indicators and the size of the subtree: the indicators,
    every figure (`rollup_many`), every applicable target (`applicable_targets`)."""
    rows = []
    indicators = list(
        Indicator.objects.filter(framework=framework)
        .select_related("objective")
        .order_by("objective__number", "number")
    )
    figures = rollup_many(indicators, unit, year)
    targets = applicable_targets(indicators, unit, year)
    for indicator in indicators:
        figure = figures[indicator.pk]
        target = targets.get(indicator.pk)
        rows.append(IndicatorRow(indicator, figure, target, _judge(indicator, figure, target)))
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


def ranked_children(indicator: Indicator, unit: OrgUnit, year: int) -> list[tuple[OrgUnit, RollUp]]:
    """The unit's sub-units with their figures for the year, best first, missing last."""
    figures = rollup_children(indicator, unit, year)
    children = OrgUnit.objects.filter(parent=unit)
    rows = [(child, figures.get(child.pk)) for child in children if child.pk in figures]
    better_high = indicator.direction == Direction.HIGHER
    rows.sort(
        key=lambda r: (r[1].value is None, -(r[1].value or 0) if better_high else r[1].value or 0)
    )
    return rows


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
    """The local indicators that apply to the unit, rolled up and evaluated (they are few)."""
    rows = []
    for indicator in local_indicators(unit):
        figure = rollup(indicator, unit, year)
        target = applicable_target(indicator, unit, year)
        rows.append(IndicatorRow(indicator, figure, target, _judge(indicator, figure, target)))
    return rows


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
