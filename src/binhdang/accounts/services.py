"""Every write to accounts, with its rules: scope, roles, and no self-demotion."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from binhdang.orgunits.models import OrgUnit

from . import permissions
from .models import Role, User


def _check_assignment(actor: User, unit: OrgUnit | None, role: str) -> None:
    if unit is None:
        if not permissions.sees_everything(actor):
            raise ValidationError({"unit": _("Choose the unit this account belongs to.")})
    elif not permissions.can_administer(actor, unit):
        raise PermissionDenied(_("You cannot manage accounts of the unit “%s”.") % unit.name)
    if role not in permissions.assignable_roles(actor):
        raise ValidationError({"role": _("You cannot give the role “%s”.") % Role(role).label})


@transaction.atomic
def create_user(
    actor: User,
    *,
    username: str,
    password: str,
    unit: OrgUnit | None,
    role: str,
    full_name: str = "",
    email: str = "",
    title: str = "",
    phone: str = "",
) -> User:
    """Create an account in a unit the actor administers, with a role they may give."""
    _check_assignment(actor, unit, role)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The user name “%s” is taken.") % username})
    user = User(
        username=username,
        unit=unit,
        role=role,
        first_name=full_name.strip(),
        email=email.strip(),
        title=title.strip(),
        phone=phone.strip(),
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def update_user(actor: User, user: User, **changes) -> User:
    """Change an account's unit, role or details, within the actor's scope."""
    if not permissions.visible_users(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("This account is outside your scope."))
    unit = changes.get("unit", user.unit)
    role = changes.get("role", user.role)
    if user.pk == actor.pk and (role != user.role or unit != user.unit):
        raise ValidationError(_("You cannot change your own unit or role."))
    if user.pk == actor.pk and changes.get("is_active") is False:
        raise ValidationError(_("You cannot deactivate your own account."))
    _check_assignment(actor, unit, role)
    for name in ("unit", "role", "email", "title", "phone", "is_active"):
        if name in changes:
            setattr(user, name, changes[name])
    if "full_name" in changes:
        user.first_name = changes["full_name"].strip()
    user.full_clean()
    user.save()
    return user


def set_password(actor: User, user: User, password: str) -> None:
    """Set a new password for an account the actor manages."""
    if not permissions.visible_users(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("This account is outside your scope."))
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
