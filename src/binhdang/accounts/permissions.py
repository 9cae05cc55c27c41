"""The one place that decides which units a user may see and change.

A user sees their own unit and everything below it, and the units it was formed from in the 2025
reorganisation with everything below those (their history is the unit's history); a system
administrator sees everything.
Viewers only read; data officers and above change data; unit administrators also manage users
and departments; all of it only inside their subtree. Views and services ask here, and list
pages filter through the queryset helpers, so no view decides scope for itself.

Beyond the subtree, a unit may hold dated oversight grants over other subtrees (the national
gender-equality department over the nation): to inspect there, read reports there and follow the
recommendations made there. Oversight only ever reads and records the overseer's own work; it
never lets anyone change another unit's figures, committees, activities or reports.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from binhdang.core import dates
from binhdang.indicators.models import Indicator
from binhdang.notices.models import Notice
from binhdang.orgunits.models import OrgUnit

from .models import ROLE_RANK, OversightFunction, OversightGrant, Role, User


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def sees_everything(user) -> bool:
    """System administrators see and change the whole tree."""
    return _active(user) and user.is_system_admin


def scope_roots(user) -> list[OrgUnit]:
    """The units whose subtrees make up the user's scope: their unit and its predecessors."""
    if not _active(user) or user.unit_id is None:
        return []
    if not hasattr(user, "_scope_roots"):
        # Cached on the user object, which lives for one request.
        user._scope_roots = [user.unit, *user.unit.predecessors.all()]
    return user._scope_roots


def _in_scope(user, unit: OrgUnit) -> bool:
    return any(unit.is_within(root) for root in scope_roots(user))


def home_unit(user) -> OrgUnit | None:
    """Where a user starts: their own unit, or the nation for a system administrator without one."""
    return user.unit or OrgUnit.objects.filter(parent=None).first()


def visible_units(user) -> QuerySet[OrgUnit]:
    """Units the user may see: their scope's subtrees, everything for a system administrator."""
    if sees_everything(user):
        return OrgUnit.objects.all()
    roots = scope_roots(user)
    return OrgUnit.objects.subtrees(roots) if roots else OrgUnit.objects.none()


def units_for_role(user, role: Role) -> QuerySet[OrgUnit]:
    """Units in which the user acts with at least `role`."""
    if not _active(user) or (not user.has_role(role) and not sees_everything(user)):
        return OrgUnit.objects.none()
    return visible_units(user)


def editable_units(user) -> QuerySet[OrgUnit]:
    """Units whose data the user may change (data officer and above)."""
    return units_for_role(user, Role.DATA_OFFICER)


def _unit_scope(user, unit: OrgUnit, role: Role) -> bool:
    if not _active(user):
        return False
    if sees_everything(user):
        return True
    return user.has_role(role) and _in_scope(user, unit)


def can_view(user, unit: OrgUnit) -> bool:
    """Whether the user may see the unit."""
    return _unit_scope(user, unit, Role.VIEWER)


class Viewable:
    """The units the user may see, as a container the layout asks (`unit in viewable`): a
    breadcrumb shows the others as text. The scope it checks against is cached per request."""

    def __init__(self, user):
        self.user = user

    def __contains__(self, unit: OrgUnit) -> bool:
        return can_view(self.user, unit)


def can_edit(user, unit: OrgUnit) -> bool:
    """Whether the user may change the unit's data."""
    return _unit_scope(user, unit, Role.DATA_OFFICER)


def can_approve(user, unit: OrgUnit) -> bool:
    """Whether the user may approve the unit's submissions."""
    return _unit_scope(user, unit, Role.APPROVER)


def can_review(user, unit: OrgUnit) -> bool:
    """Whether the user judges the unit's work from above: an approver of a unit over it
    (returning or accepting its report, unlocking its figures); never the unit itself."""
    if sees_everything(user):
        return True
    return can_approve(user, unit) and not any(unit.pk == root.pk for root in scope_roots(user))


def can_exchange_with_dhis2(user, opener: OrgUnit) -> bool:
    """Whether the user may push a round's accepted figures to DHIS2 or pull values from it:
    approvers of the round's opener, and system administrators."""
    return can_approve(user, opener)


def can_administer(user, unit: OrgUnit) -> bool:
    """Whether the user may manage the unit's users and departments."""
    return _unit_scope(user, unit, Role.UNIT_ADMIN)


def assignable_roles(user) -> list[Role]:
    """Roles the user may give: up to their own, and system administrator only by one."""
    if sees_everything(user):
        return list(Role)
    if not _active(user) or not user.has_role(Role.UNIT_ADMIN):
        return []
    return [role for role in Role if role != Role.SYSTEM_ADMIN]


def can_require_two_factor(user, unit: OrgUnit) -> bool:
    """Whether the user may require (or stop requiring) two-factor login for the approvers and
    administrators of the unit's subtree: that unit's administrators and those above it."""
    return can_administer(user, unit)


def must_use_two_factor_by_role(user) -> bool:
    """Whether the user's role is one a unit may require two-factor login for: approvers and
    administrators, who accept reports, unlock figures and manage accounts."""
    return _active(user) and (user.is_system_admin or user.has_role(Role.APPROVER))


def can_reset_two_factor(user, account: User) -> bool:
    """Whether the user may remove another account's second factor (a lost phone): an
    administrator who manages that account; never one's own (that needs its code)."""
    return account.pk != user.pk and visible_users(user).filter(pk=account.pk).exists()


def restrict(user, queryset: QuerySet, unit_field: str = "unit") -> QuerySet:
    """Filter any queryset of unit-owned records to those the user may see."""
    if sees_everything(user):
        return queryset
    condition = Q(pk__in=[])
    for root in scope_roots(user):
        condition |= Q(**{f"{unit_field}__path__startswith": root.path})
    return queryset.filter(condition)


def visible_users(user) -> QuerySet[User]:
    """Accounts the user may see: those of units in their subtree (admins only)."""
    if not _active(user) or not (sees_everything(user) or user.has_role(Role.UNIT_ADMIN)):
        return User.objects.none()
    if sees_everything(user):
        return User.objects.all()
    return restrict(user, User.objects.all()).filter(~Q(role=Role.SYSTEM_ADMIN))


def members(units, role: Role = Role.VIEWER) -> QuerySet[User]:
    """The active accounts of the given units (their own people, not those above) whose role is
    `role` or above: the people a unit's notices and reminders go to."""
    allowed = [r for r in Role if ROLE_RANK[r] >= ROLE_RANK[Role(role)]]
    return User.objects.filter(unit__in=units, is_active=True, role__in=allowed).order_by("pk")


def notices_for(user) -> QuerySet[Notice]:
    """A user's own notices: nobody sees another's, not even a system administrator."""
    if not _active(user):
        return Notice.objects.none()
    return Notice.objects.filter(recipient=user)


def get_notice(user, pk) -> Notice:
    """Fetch one of the user's own notices, or 404."""
    try:
        return notices_for(user).get(pk=pk)
    except (Notice.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such notice.")) from None


def get_unit(user, pk, action: str = "view") -> OrgUnit:
    """Fetch a unit for an action or fail: 404 outside the subtree, 403 without the role."""
    try:
        unit = visible_units(user).get(pk=pk)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such unit, or it is outside your scope.")) from None
    check = {"view": can_view, "edit": can_edit, "approve": can_approve, "admin": can_administer}
    if not check[action](user, unit):
        raise PermissionDenied(_("Your role does not allow this action in this unit."))
    return unit


def get_user(user, pk) -> User:
    """Fetch an account the user may manage, or 404."""
    try:
        return visible_users(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such account, or it is outside your scope.")) from None


# Indicators: the framework's are everyone's; a local indicator belongs to the unit that added it
# and applies to that unit's subtree only. Another unit's local indicator is as invisible as the
# unit itself (its name, figures and targets), also to approvers of other provinces.


def indicator_applies(indicator: Indicator, unit: OrgUnit | None) -> bool:
    """Whether the indicator is one of the unit's: the framework's, or local to the unit or a
    unit above it (a national target, unit None, is only for framework indicators)."""
    if indicator.owner_unit_id is None:
        return True
    return unit is not None and indicator.owner_unit_id in (*unit.ancestor_ids(), unit.pk)


def indicators_for(user, unit: OrgUnit | None = None) -> QuerySet[Indicator]:
    """Indicators the user may see, at a unit when one is given: the framework's, and the local
    indicators of units in the user's scope or above it (those apply to the user's unit too)."""
    framework = Q(owner_unit__isnull=True)
    if unit is not None:
        if not can_view(user, unit):
            return Indicator.objects.none()
        return Indicator.objects.filter(
            framework | Q(owner_unit_id__in=[*unit.ancestor_ids(), unit.pk])
        )
    if not _active(user):
        return Indicator.objects.none()
    if sees_everything(user):
        return Indicator.objects.all()
    above = {pk for root in scope_roots(user) for pk in root.ancestor_ids()}
    return Indicator.objects.filter(
        framework | Q(owner_unit__in=visible_units(user)) | Q(owner_unit_id__in=above)
    )


def get_indicator(user, pk, unit: OrgUnit | None = None) -> Indicator:
    """Fetch an indicator the user may see (at the unit, when given), or 404."""
    try:
        return indicators_for(user, unit).get(pk=pk)
    except (Indicator.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such indicator, or it is outside your scope.")) from None


# Oversight beyond the subtree ---------------------------------------------------------------------
# A grant is to a unit; a user exercises the grants of the units in their scope (the department's
# officers and the ministry's above them). Grants give nothing outside their dates.


def grants_in_force(function: OversightFunction, on: datetime.date | None = None):
    """Grants of a function in force on a day (today if none given)."""
    on = on or dates.today()
    return OversightGrant.objects.filter(function=function, valid_from__lte=on).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )


def _overseen_roots(grants) -> list[OrgUnit]:
    """The overseen units of the grants, and the units they were formed from (their history)."""
    units = [grant.unit for grant in grants.select_related("unit")]
    return [root for unit in units for root in (unit, *unit.predecessors.all())]


def unit_oversees(
    grantee: OrgUnit, unit: OrgUnit, function: OversightFunction, on: datetime.date | None = None
) -> bool:
    """Whether a unit holds, on the day, a grant of the function over a subtree holding `unit`."""
    roots = _overseen_roots(grants_in_force(function, on).filter(grantee=grantee))
    return any(unit.is_within(root) for root in roots)


def oversight_roots(
    user, function: OversightFunction, on: datetime.date | None = None
) -> list[OrgUnit]:
    """The units whose subtrees the user oversees for a function on a day, through the grants of
    the units in their scope."""
    roots = scope_roots(user)
    if not roots:
        return []
    # Not cached on the user, unlike scope_roots: a grant given or ended applies at once.
    grants = grants_in_force(function, on).filter(grantee__in=OrgUnit.objects.subtrees(roots))
    return _overseen_roots(grants)


def oversees(user, unit: OrgUnit, function: OversightFunction, on=None) -> bool:
    """Whether the user oversees the unit for the function on the day (today if none given)."""
    return any(unit.is_within(root) for root in oversight_roots(user, function, on))


def may_inspect(inspecting: OrgUnit, unit: OrgUnit, on: datetime.date | None = None) -> bool:
    """Whether a unit may inspect another: one in its own subtree, or one under its inspection
    grant in force on the day the inspection starts."""
    return unit.is_within(inspecting) or unit_oversees(
        inspecting, unit, OversightFunction.INSPECT, on
    )


def inspection_roots(inspecting: OrgUnit) -> list[OrgUnit]:
    """The units whose subtrees a unit was ever given to inspect (for its pickers; the dates are
    checked against the inspection's own)."""
    grants = OversightGrant.objects.filter(grantee=inspecting, function=OversightFunction.INSPECT)
    return _overseen_roots(grants)


def can_read_reports(user, unit: OrgUnit) -> bool:
    """Whether the user may read the unit's reports (pages and downloads): those who see the unit,
    and those who oversee it for reading reports. Reading only: returning or accepting a report
    stays with the units above it (can_review)."""
    return can_view(user, unit) or oversees(user, unit, OversightFunction.READ_REPORTS)


def _oversight_condition(user, function: OversightFunction, unit_field: str) -> Q:
    condition = Q(pk__in=[])
    for root in oversight_roots(user, function):
        condition |= Q(**{f"{unit_field}__path__startswith": root.path})
    return condition


def restrict_with_oversight(
    user, queryset: QuerySet, function: OversightFunction, unit_field: str = "unit"
) -> QuerySet:
    """Filter unit-owned records to those the user may see or oversees for the function today."""
    if sees_everything(user):
        return queryset
    seen = restrict(user, queryset, unit_field).values("pk")
    overseen = queryset.filter(_oversight_condition(user, function, unit_field)).values("pk")
    return queryset.filter(Q(pk__in=seen) | Q(pk__in=overseen))


def readable_reports(user, queryset: QuerySet, unit_field: str = "unit") -> QuerySet:
    """Filter reports (submissions, or records naming their unit) to those the user may read."""
    return restrict_with_oversight(user, queryset, OversightFunction.READ_REPORTS, unit_field)


def get_report_unit(user, pk) -> OrgUnit:
    """Fetch a unit whose reports the user may read, or 404."""
    try:
        unit = OrgUnit.objects.get(pk=pk)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        unit = None
    if unit is None or not can_read_reports(user, unit):
        raise Http404(_("No such unit, or it is outside your scope."))
    return unit


def can_grant_oversight(user) -> bool:
    """Only a system administrator gives or ends oversight grants."""
    return sees_everything(user)
