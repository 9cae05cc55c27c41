"""Writes to the tree made by people: departments of ministries and provinces."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.core import dates

from .models import DEPARTMENT_KIND_UNDER, OrgUnit

DEPARTMENT_SOURCE = ""


def _department_code(parent: OrgUnit) -> str:
    """Next free code for a department: the parent's code, "-D", and a sequence number."""
    prefix = f"{parent.code}-D"
    taken = OrgUnit.objects.filter(code__startswith=prefix).values_list("code", flat=True)
    numbers = [int(code[len(prefix) :]) for code in taken if code[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _check_can_add(actor, parent: OrgUnit) -> str:
    if not permissions.can_administer(actor, parent):
        raise PermissionDenied(_("You cannot add units under “%s”.") % parent.name)
    if not parent.takes_departments:
        raise ValidationError(_("Departments can be added only to a ministry, agency or province."))
    return DEPARTMENT_KIND_UNDER[parent.kind]


def department_period(
    parent: OrgUnit, valid_from: datetime.date | None, valid_to: datetime.date | None
) -> tuple[datetime.date | None, datetime.date | None]:
    """A new department's validity: inside its parent's. Under a current unit it starts today
    unless told (or unless it already ended: a past department, start unknown); under a former
    one it ends with the parent unless told, and may start unknown."""
    today = dates.today()
    if valid_from is None and parent.is_live and (valid_to is None or valid_to >= today):
        valid_from = today
    if valid_to is None and parent.valid_to is not None and parent.valid_to < today:
        valid_to = parent.valid_to
    existed = _("“%(unit)s” existed %(period)s.") % {
        "unit": parent.name,
        "period": parent.validity_text(),
    }
    if valid_from and not parent.covers(valid_from):
        message = _("The start date must fall within the parent unit's validity.")
        raise ValidationError({"valid_from": f"{message} {existed}"})
    if valid_from and valid_to and valid_from > valid_to:
        raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})
    if (valid_to and not parent.covers(valid_to)) or (valid_to is None and parent.valid_to):
        message = _("The end date must fall within the parent unit's validity.")
        raise ValidationError({"valid_to": f"{message} {existed}"})
    return valid_from, valid_to


def _overlapping_children(parent: OrgUnit, valid_from, valid_to):
    """Units under `parent` whose validity shares a day with [valid_from, valid_to]."""
    children = parent.children.all()
    if valid_from:
        children = children.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to:
        children = children.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to))
    return children


@transaction.atomic
def add_departments(
    actor,
    parent: OrgUnit,
    names: list[str],
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> list[OrgUnit]:
    """Add departments under a ministry or province, current or former, valid over one period
    inside the parent's; a name already there over that period is refused."""
    kind = _check_can_add(actor, parent)
    cleaned = [" ".join(name.split()) for name in names if name and name.strip()]
    if not cleaned:
        raise ValidationError({"names": _("Enter at least one department name.")})
    valid_from, valid_to = department_period(parent, valid_from, valid_to)
    seen = {
        name.casefold()
        for name in _overlapping_children(parent, valid_from, valid_to).values_list(
            "name", flat=True
        )
    }
    duplicates = []
    for name in cleaned:
        if name.casefold() in seen:
            duplicates.append(name)
        seen.add(name.casefold())
    if duplicates:
        raise ValidationError(
            {
                "names": _("Already in “%(parent)s”: %(names)s.")
                % {"parent": parent.name, "names": ", ".join(dict.fromkeys(duplicates))}
            }
        )
    created = []
    for name in cleaned:
        unit = OrgUnit(
            code=_department_code(parent),
            name=name,
            kind=kind,
            parent=parent,
            valid_from=valid_from,
            valid_to=valid_to,
            source=DEPARTMENT_SOURCE,
        )
        unit.full_clean(exclude=["path", "level", "search_name"])
        unit.save()
        created.append(unit)
    return created


@transaction.atomic
def update_department(actor, unit: OrgUnit, *, name: str, short_name: str = "") -> OrgUnit:
    """Rename a department; units of the reference map change only through the loader."""
    _check_department(actor, unit)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("The name cannot be empty.")})
    same_time = _overlapping_children(unit.parent, unit.valid_from, unit.valid_to)
    if same_time.exclude(pk=unit.pk).filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Already in “%s”.") % unit.parent.name})
    unit.name = name
    unit.short_name = short_name.strip()
    unit.save()
    return unit


@transaction.atomic
def close_department(actor, unit: OrgUnit, on: datetime.date | None = None) -> OrgUnit:
    """End a department's validity; its records stay as history."""
    _check_department(actor, unit)
    if unit.users.filter(is_active=True).exists():
        raise ValidationError(
            _("“%s” still has active accounts: move or deactivate them first.") % unit.name
        )
    unit.valid_to = on or dates.today()
    unit.save()
    return unit


def _check_department(actor, unit: OrgUnit) -> None:
    if not unit.is_department:
        raise ValidationError(_("Only departments can be changed here."))
    if not permissions.can_administer(actor, unit.parent):
        raise PermissionDenied(_("You cannot change units under “%s”.") % unit.parent.name)
