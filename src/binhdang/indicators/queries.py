"""Reads of the catalogue that pages share."""

from django.db.models import Prefetch, Q

from binhdang.orgunits.models import OrgUnit

from .models import Framework, Indicator, Objective, Target


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
