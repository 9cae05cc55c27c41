"""Writes to indicators: target values and units' figures, each with its rules."""

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.orgunits.models import OrgUnit

from .models import Comparator, DataValue, Indicator, Lock, Measure, Target

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


def _unit_existed(unit: OrgUnit, year: int) -> bool:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (unit.valid_from is None or unit.valid_from <= last) and (
        unit.valid_to is None or unit.valid_to >= first
    )


def _number(value, field: str, *, whole: bool = False) -> Decimal | None:
    """A number from a form or a file, or a Vietnamese refusal naming the field."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({field: _("“%s” is not a number.") % value}) from None
    if not number.is_finite():
        raise ValidationError({field: _("“%s” is not a number.") % value})
    if number < 0:
        raise ValidationError({field: _("A figure cannot be negative.")})
    if whole and number != number.to_integral_value():
        raise ValidationError({field: _("A count is a whole number.")})
    return number


@transaction.atomic
def record_value(
    actor,
    indicator: Indicator,
    unit: OrgUnit,
    year: int,
    *,
    numerator=None,
    denominator=None,
    value=None,
    category: str = "",
    note: str = "",
    source: str = "",
) -> DataValue:
    """Enter or correct a unit's figure for a year; the rules depend on the indicator's measure."""
    if not permissions.can_edit(actor, unit):
        raise PermissionDenied(_("You cannot enter figures for “%s”.") % unit.name)
    if year not in STRATEGY_YEARS:
        raise ValidationError({"year": _("The year must be between 2021 and 2030.")})
    if not _unit_existed(unit, year):
        raise ValidationError(
            {"year": _("“%(unit)s” did not exist in %(year)d.") % {"unit": unit.name, "year": year}}
        )
    if active_lock(unit, year):
        raise ValidationError(
            {
                "year": _(
                    "The figures of “%(unit)s” for %(year)d are locked: ask the unit above to "
                    "unlock them."
                )
                % {"unit": unit.name, "year": year}
            }
        )
    if indicator.owner_unit_id and not unit.is_within(indicator.owner_unit):
        raise ValidationError(_("This local indicator belongs to another unit."))
    numerator = _number(numerator, "numerator")
    denominator = _number(denominator, "denominator")
    value = _number(value, "value", whole=indicator.measure == Measure.COUNT)
    if indicator.measure in (Measure.SHARE, Measure.RATIO, Measure.RATE):
        if numerator is None or denominator is None:
            raise ValidationError(_("Enter both the numerator and the denominator."))
        if denominator == 0:
            raise ValidationError({"denominator": _("The denominator cannot be zero.")})
        if indicator.measure == Measure.SHARE and numerator > denominator:
            raise ValidationError(
                {"numerator": _("The numerator cannot be greater than the denominator.")}
            )
        value = numerator / denominator * indicator.multiplier
    elif indicator.measure == Measure.MILESTONE:
        if value not in (0, 1):
            raise ValidationError({"value": _("Answer yes (1) or no (0).")})
        numerator = denominator = None
    else:
        if value is None:
            raise ValidationError({"value": _("Enter the figure.")})
        numerator = denominator = None
    _check_sharp_change(indicator, unit, year, category, value, note)
    row, _created = DataValue.objects.get_or_create(
        indicator=indicator, unit=unit, year=year, category=category
    )
    row.numerator, row.denominator, row.value = numerator, denominator, value
    row.note = note.strip()
    row.source = source.strip()[:255]
    row.save()
    return row


def _check_sharp_change(indicator, unit, year, category, value, note: str) -> None:
    """A value far from last year's needs a note saying why."""
    if value is None or note.strip():
        return
    last = (
        DataValue.objects.filter(indicator=indicator, unit=unit, year=year - 1, category=category)
        .values_list("value", flat=True)
        .first()
    )
    if not last:
        return
    change = abs(value - last) / last
    if change > Decimal(str(settings.SHARP_CHANGE_RATIO)):
        raise ValidationError(
            {
                "note": _(
                    "The figure changed by %(change)s%% from last year (%(last)s → %(new)s): "
                    "add a note explaining why."
                )
                % {
                    "change": formats.number_format(change * 100, 0),
                    "last": formats.number_format(round(last, 2).normalize()),
                    "new": formats.number_format(round(value, 2).normalize()),
                }
            }
        )


@transaction.atomic
def record_values(actor, unit: OrgUnit, year: int, entries: dict[Indicator, dict]) -> int:
    """Save a whole entry form: every figure, or none, with each refusal keyed by indicator."""
    errors: dict[str, list[str]] = {}
    saved = 0
    for indicator, fields in entries.items():
        try:
            record_value(actor, indicator, unit, year, **fields)
            saved += 1
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                key = f"{indicator.pk}-{field}" if field != "__all__" else f"{indicator.pk}-value"
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return saved


def active_lock(unit: OrgUnit, year: int) -> Lock | None:
    """The lock that closes a unit's figures for a year, if any."""
    return Lock.objects.filter(unit=unit, year=year, unlocked_at=None).first()


def lock_year(actor, unit: OrgUnit, year: int, reason: str) -> Lock:
    """Close a unit's figures for a year (its superior accepted them); idempotent."""
    if not permissions.can_review(actor, unit):
        raise PermissionDenied(_("You cannot lock the figures of “%s”.") % unit.name)
    if year not in STRATEGY_YEARS:
        raise ValidationError({"year": _("The year must be between 2021 and 2030.")})
    existing = active_lock(unit, year)
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Lock.objects.create(
                unit=unit, year=year, reason=reason.strip()[:255], locked_by=actor
            )
    except IntegrityError:  # someone locked it at the same moment
        return active_lock(unit, year)


@transaction.atomic
def unlock_year(actor, unit: OrgUnit, year: int, reason: str) -> Lock:
    """Reopen a unit's figures for a year; only a superior, and only with a reason."""
    if not permissions.can_review(actor, unit):
        raise PermissionDenied(_("You cannot unlock the figures of “%s”.") % unit.name)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the figures are unlocked.")})
    lock = Lock.objects.select_for_update().filter(unit=unit, year=year, unlocked_at=None).first()
    if lock is None:
        raise ValidationError(_("These figures are not locked."))
    lock.unlocked_at = timezone.now()
    lock.unlocked_by = actor
    lock.unlock_reason = reason.strip()
    lock.save()
    return lock
