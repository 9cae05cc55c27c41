"""Writes to the catalogue: target values, by those allowed to set them."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.orgunits.models import OrgUnit

from .models import Comparator, Indicator, Measure, Target

STRATEGY_YEARS = range(2021, 2031)


def _check_value(indicator: Indicator, value: Decimal | None) -> None:
    if value is None:
        return
    if value < 0:
        raise ValidationError({"value": _("A target cannot be negative.")})
    if indicator.measure == Measure.SHARE and value > 100:
        raise ValidationError({"value": _("A percentage cannot exceed 100.")})
    if indicator.measure == Measure.MILESTONE and value not in (0, 1):
        raise ValidationError({"value": _("A milestone target is 1 (in place) or 0.")})


@transaction.atomic
def set_target(
    actor,
    indicator: Indicator,
    *,
    year: int,
    value: Decimal | None,
    comparator: str,
    unit: OrgUnit | None = None,
    source: str = "",
) -> Target:
    """Set a national target (system administrators) or a unit's own target (its approvers)."""
    if unit is None and not permissions.sees_everything(actor):
        raise PermissionDenied(_("Only a system administrator changes national targets."))
    if unit is not None and not permissions.can_approve(actor, unit):
        raise PermissionDenied(_("You cannot set the targets of “%s”.") % unit.name)
    if year not in STRATEGY_YEARS:
        raise ValidationError({"year": _("The year must be between 2021 and 2030.")})
    if comparator and comparator not in Comparator.values:
        raise ValidationError({"comparator": _("Unknown comparator.")})
    _check_value(indicator, value)
    if unit is not None and value is None:
        raise ValidationError({"value": _("Enter the target value.")})
    target, _created = Target.objects.get_or_create(indicator=indicator, unit=unit, year=year)
    target.value = value
    target.comparator = comparator
    target.source = source.strip()
    target.save()
    return target
