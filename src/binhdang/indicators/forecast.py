"""Projection of each target to its next milestone (2025, 2030), and the targets at risk.

The method is deliberately simple and stated on the page: an ordinary least-squares straight line
through the unit's yearly figures (its predecessors' combined before it existed), extended to the
milestone, with a 95% prediction interval from the scatter of the points around the line
(Student's t with n − 2 degrees of freedom). At least three years of figures are needed; a share
is kept between 0 and 100. A target is "at risk" when the projected value misses it, and "off
track" when even the favourable end of the interval misses it.

Every figure comes from one query over the unit's subtree and its predecessors' subtrees for all
of the framework's indicators and years, rolled up with the same rules as the live roll-up, and
kept in the cache until any figure changes (`revision`: a national outlook reads ten years of a
million values).
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from binhdang.core import dates
from binhdang.orgunits.models import OrgUnit

from . import revision
from .evaluation import Verdict, evaluate
from .models import Direction, Framework, Indicator, Measure, Target
from .queries import applicable_targets_by_unit, milestone_targets
from .rollup import RollUp, combine, rollup_years

MILESTONES = (2025, 2030)
YEARS = range(2021, 2031)
MIN_POINTS = 3
# Two-sided 95% quantiles of Student's t by degrees of freedom (standard tables).
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306}

METHOD = _(
    "Projection: a straight line fitted by least squares through the yearly figures (those of the "
    "units it was formed from before the unit existed), extended to the next milestone, with a "
    "95% prediction interval. At least three years of figures are needed. “At risk”: the "
    "projected value misses the target; “off track”: even the favourable end of the interval "
    "misses it."
)


class Outlook:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"


OUTLOOK_LABELS = {
    Outlook.ON_TRACK: _("On track"),
    Outlook.AT_RISK: _("At risk"),
    Outlook.OFF_TRACK: _("Off track"),
    Outlook.UNKNOWN: _("Too few figures"),
}


@dataclass
class Projection:
    """The fitted line's value at a year, with its 95% interval."""

    year: int
    value: float
    low: float
    high: float
    points: int


@dataclass
class Forecast:
    """One indicator's outlook for a unit: the projection to the next milestone and the verdict."""

    indicator: Indicator
    series: dict[int, Decimal]
    target: Target | None
    projection: Projection | None
    outlook: str
    # The target judging the last figure's year, so that the figure reads as on the other pages.
    latest_target: Target | None = None

    @property
    def outlook_label(self):
        return OUTLOOK_LABELS[self.outlook]

    @property
    def latest(self) -> tuple[int, Decimal] | None:
        """The last year with a figure, and the figure."""
        return max(self.series.items(), default=None)

    @property
    def at_risk(self) -> bool:
        return self.outlook in (Outlook.AT_RISK, Outlook.OFF_TRACK)


def project(series: dict[int, Decimal], year: int, *, bounded: bool = False) -> Projection | None:
    """The least-squares line through the series, at `year`, with a 95% prediction interval."""
    points = sorted((y, float(v)) for y, v in series.items() if v is not None)
    n = len(points)
    if n < MIN_POINTS:
        return None
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    intercept = mean_y - slope * mean_x
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in points)
    spread = math.sqrt(residual / (n - 2))
    error = spread * math.sqrt(1 + 1 / n + (year - mean_x) ** 2 / sxx)
    value = intercept + slope * year
    margin = T95.get(n - 2, 2.262) * error
    low, high = value - margin, value + margin
    if bounded:
        value, low, high = (min(max(v, 0.0), 100.0) for v in (value, low, high))
    return Projection(year, value, low, high, n)


def _outlook(indicator: Indicator, target: Target | None, projection: Projection | None) -> str:
    if projection is None or target is None or not target.is_known:
        return Outlook.UNKNOWN
    judge = lambda v: evaluate(  # noqa: E731
        Decimal(str(round(v, 6))), target.value, target.comparator, indicator.direction
    )
    if judge(projection.value) == Verdict.MET:
        return Outlook.ON_TRACK
    favourable = projection.high if indicator.direction == Direction.HIGHER else projection.low
    return Outlook.AT_RISK if judge(favourable) == Verdict.MET else Outlook.OFF_TRACK


NOTHING = RollUp(None, None, None, 0)


def _series(indicators: list[Indicator], lines: list[OrgUnit]) -> dict[tuple, dict]:
    """Each line's (unit's) value by year for each indicator, by (unit pk, indicator pk): its
    own figure, else its predecessors' combined. The roll-ups of ten years of the lines and of
    their predecessors come from one grouped query, and the series are kept in the cache until
    any figure changes (`revision.cached`)."""
    prefetch_related_objects(lines, "predecessors")
    history = {unit.pk: list(unit.predecessors.all()) for unit in lines}
    asked = (
        sorted((pk, sorted(p.pk for p in before)) for pk, before in history.items()),
        revision.rules(indicators),
        list(YEARS),
    )
    return revision.cached(
        "forecast-series", asked, lambda: _compute_series(indicators, lines, history)
    )


def _compute_series(indicators, lines, history) -> dict[tuple, dict]:
    units = {unit.pk: unit for unit in lines}
    units.update({p.pk: p for before in history.values() for p in before})
    figures = rollup_years(indicators, list(units.values()), YEARS)
    found = {}
    for unit in lines:
        predecessors = [p.pk for p in history[unit.pk]]
        for indicator in indicators:
            values = {}
            for year in YEARS:
                own = figures.get((unit.pk, indicator.pk, year), NOTHING)
                if not own.entries and predecessors:
                    own = combine(
                        indicator,
                        [figures.get((pk, indicator.pk, year), NOTHING) for pk in predecessors],
                    )
                if own.value is not None:
                    values[year] = own.value
            found[(unit.pk, indicator.pk)] = values
    return found


def _next_milestone(series: dict[int, Decimal], today: datetime.date) -> int | None:
    """The first milestone after the last year with figures (and not already past)."""
    last = max(series, default=today.year - 1)
    upcoming = [m for m in MILESTONES if m > last and m >= today.year - 1]
    return upcoming[0] if upcoming else None


def _forecasts(series_of, indicators, unit, targets, today) -> list[Forecast]:
    result = []
    for indicator in indicators:
        series = series_of[(unit.pk, indicator.pk)]
        milestone = _next_milestone(series, today)
        if milestone is None:
            continue
        bounded = indicator.measure == Measure.SHARE
        projection = project(series, milestone, bounded=bounded)
        target = targets.get((indicator.pk, milestone))
        outlook = _outlook(indicator, target, projection)
        result.append(Forecast(indicator, series, target, projection, outlook))
    return result


def _framework_indicators(framework: Framework) -> list[Indicator]:
    return list(
        Indicator.objects.filter(framework=framework).order_by("objective__number", "number")
    )


def unit_forecasts(
    framework: Framework, unit: OrgUnit, today: datetime.date | None = None
) -> list[Forecast]:
    """Every indicator's outlook for the unit."""
    today = today or dates.today()
    indicators = _framework_indicators(framework)
    series = _series(indicators, [unit])
    forecasts = _forecasts(series, indicators, unit, milestone_targets(indicators, unit), today)
    for year in {f.latest[0] for f in forecasts if f.latest}:
        judging = applicable_targets_by_unit(indicators, [unit], year)[unit.pk]
        for item in forecasts:
            if item.latest and item.latest[0] == year:
                item.latest_target = judging.get(item.indicator.pk)
    return forecasts


def targets_at_risk(
    framework: Framework, unit: OrgUnit, today: datetime.date | None = None
) -> list[Forecast]:
    """The unit's targets whose projection misses the next milestone's target."""
    return [f for f in unit_forecasts(framework, unit, today) if f.at_risk]


def subunit_risks(
    framework: Framework, unit: OrgUnit, today: datetime.date | None = None
) -> list[tuple[OrgUnit, list[Forecast]]]:
    """Each live sub-unit with its targets at risk, the most at risk first."""
    today = today or dates.today()
    indicators = _framework_indicators(framework)
    children = list(OrgUnit.objects.filter(parent=unit).live().order_by("name"))
    series = _series(indicators, [unit, *children])
    targets = milestone_targets(indicators, unit)
    result = []
    for child in children:
        # Sub-units rarely set their own targets; their ancestors' and the national ones apply.
        risky = [f for f in _forecasts(series, indicators, child, targets, today) if f.at_risk]
        if risky:
            result.append((child, risky))
    result.sort(key=lambda item: -len(item[1]))
    return result
