"""Reads of the catalogue that pages share."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q

from binhdang.orgunits.models import OrgUnit

from .evaluation import Verdict, evaluate
from .models import Direction, Framework, Indicator, Objective, Target
from .rollup import RollUp, combine, rollup, rollup_children


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
    own_line = [*unit.ancestor_ids(), unit.pk] if unit else []
    candidates = Target.objects.filter(indicator=indicator, year__gte=year).filter(
        Q(unit__isnull=True) | Q(unit_id__in=own_line)
    )
    ranked = sorted(
        candidates.select_related("unit"),
        key=lambda t: (t.unit is None, -(t.unit.depth if t.unit else 0), t.year),
    )
    return ranked[0] if ranked else None


@dataclass
class IndicatorRow:
    """One line of a unit's table: the figure, the target that judges it, and the verdict."""

    indicator: Indicator
    figure: RollUp
    target: Target | None
    verdict: Verdict


def unit_overview(framework: Framework, unit: OrgUnit, year: int) -> list[IndicatorRow]:
    """Every indicator of the framework for a unit and a year, rolled up and evaluated."""
    rows = []
    indicators = Indicator.objects.filter(framework=framework).select_related("objective")
    for indicator in indicators.order_by("objective__number", "number"):
        figure = rollup(indicator, unit, year)
        target = applicable_target(indicator, unit, year)
        verdict = evaluate(
            figure.value,
            target.value if target else None,
            target.comparator if target else "",
            indicator.direction,
        )
        rows.append(IndicatorRow(indicator, figure, target, verdict))
    return rows


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
