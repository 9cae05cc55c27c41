"""Every write to accounts, with its rules: scope, roles, and no self-demotion."""

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhdang.core import dates
from binhdang.orgunits.models import OrgUnit

from . import permissions
from .models import (
    AccessToken,
    OversightFunction,
    OversightGrant,
    Role,
    TokenScope,
    TwoFactorRequirement,
    User,
)


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


# Two-factor login (TOTP) -------------------------------------------------------------------------


def has_two_factor(user: User) -> bool:
    """Whether the user has a confirmed authenticator, so that signing in asks for its code."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requirement_for(unit: OrgUnit) -> TwoFactorRequirement | None:
    """The rule that covers the unit: its own, or that of the nearest unit above it."""
    rules = TwoFactorRequirement.objects.filter(unit_id__in=[*unit.ancestor_ids(), unit.pk])
    return max(rules.select_related("unit"), key=lambda rule: rule.unit.depth, default=None)


def two_factor_required(user: User) -> bool:
    """Whether the user must sign in with a second factor: an approver or administrator of a
    unit whose subtree lies under a two-factor requirement."""
    if not permissions.must_use_two_factor_by_role(user):
        return False
    unit = permissions.home_unit(user)
    return unit is not None and requirement_for(unit) is not None


@transaction.atomic
def set_two_factor_requirement(actor: User, unit: OrgUnit, required: bool) -> None:
    """Require, or stop requiring, two-factor login for the approvers and administrators of the
    unit's subtree; only an administrator of the unit may."""
    if not permissions.can_require_two_factor(actor, unit):
        raise PermissionDenied(_("Your role does not allow this action in this unit."))
    if required:
        TwoFactorRequirement.objects.get_or_create(unit=unit, defaults={"set_by": actor})
    else:
        for rule in TwoFactorRequirement.objects.filter(unit=unit):
            rule.delete()  # one by one, so that the audit log records it


def pending_device(user: User, create: bool = True) -> TOTPDevice | None:
    """The authenticator being enrolled: a new secret, shown as a QR code until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None and create:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_device(user: User, code: str) -> TOTPDevice:
    """Confirm the enrolment with a code from the app; the user's older authenticators go."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(code.strip().replace(" ", "")):
        raise ValidationError({"code": _("The code is wrong or has expired. Try the new one.")})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


def verify_code(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The user's device that accepts the code, if any (wrong codes slow the next try): six
    digits are checked against the authenticator, anything else against the recovery codes."""
    code = code.strip().replace(" ", "").lower()
    model = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


RECOVERY_CODES = 10


@transaction.atomic
def make_recovery_codes(user: User) -> list[str]:
    """Single-use codes for logging in without the phone, shown once; new ones cancel the old."""
    if not has_two_factor(user):
        raise ValidationError(_("Set up two-factor login first."))
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    """How many recovery codes the user has not used yet."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_two_factor(actor: User, account: User, code: str = "") -> None:
    """Remove an account's authenticator: the user with a current code, or an administrator
    who manages the account (a lost phone)."""
    if actor.pk == account.pk:
        if two_factor_required(account):
            raise ValidationError(
                _("Your unit requires two-factor login; it cannot be turned off.")
            )
        if verify_code(account, code) is None:
            raise ValidationError({"code": _("The code is wrong or has expired. Try the new one.")})
    elif not permissions.can_reset_two_factor(actor, account):
        raise PermissionDenied(_("This account is outside your scope."))
    TOTPDevice.objects.filter(user=account).delete()
    StaticDevice.objects.filter(user=account).delete()
    # In the account's unit history: who removed whose second factor.
    LogEntry.objects.log_create(
        account, action=LogEntry.Action.UPDATE, actor=actor, changes={"two_factor": ["on", "off"]}
    )


# Oversight grants --------------------------------------------------------------------------------


def _refuse_unless_system_admin(actor: User) -> None:
    if not permissions.can_grant_oversight(actor):
        raise PermissionDenied(_("Only a system administrator gives or ends oversight."))


def _day(value: datetime.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "…"


@transaction.atomic
def grant_oversight(
    actor: User,
    *,
    grantee: OrgUnit | None,
    unit: OrgUnit | None,
    functions: Iterable[str],
    valid_from: datetime.date | None,
    valid_until: datetime.date | None = None,
    legal_basis: str = "",
) -> list[OversightGrant]:
    """Give a unit oversight of another unit's subtree, one grant per function, on a legal basis;
    only a system administrator may."""
    _refuse_unless_system_admin(actor)
    functions = list(dict.fromkeys(functions))
    legal_basis = " ".join((legal_basis or "").split())
    errors = {}
    if grantee is None:
        errors["grantee"] = _("Choose the overseeing unit.")
    if unit is None:
        errors["unit"] = _("Choose the unit whose subtree is overseen.")
    elif grantee is not None and unit.is_within(grantee):
        errors["unit"] = _(
            "“%(unit)s” is already in the subtree of “%(grantee)s”; it needs no oversight."
        ) % {"unit": unit.name, "grantee": grantee.name}
    if not functions or any(f not in OversightFunction.values for f in functions):
        errors["functions"] = _("Choose at least one function.")
    if valid_from is None:
        errors["valid_from"] = _("Enter the date the oversight starts.")
    elif valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("The end date %(end)s comes before the start date %(start)s.") % {
            "end": _day(valid_until),
            "start": _day(valid_from),
        }
    if not legal_basis:
        errors["legal_basis"] = _(
            "Enter the legal basis (the decree or decision that gives this function)."
        )
    if errors:
        raise ValidationError(errors)
    grants = []
    for function in functions:
        grant = OversightGrant(
            grantee=grantee,
            unit=unit,
            function=function,
            valid_from=valid_from,
            valid_until=valid_until,
            legal_basis=legal_basis,
            granted_by=actor,
        )
        grant.full_clean()
        grant.save()
        grants.append(grant)
    return grants


@transaction.atomic
def end_oversight(
    actor: User, grant: OversightGrant, on: datetime.date | None = None
) -> OversightGrant:
    """End a grant on a day (today if none given): it gives nothing after that day."""
    _refuse_unless_system_admin(actor)
    on = on or dates.today()
    grant = OversightGrant.objects.select_for_update().get(pk=grant.pk)
    if on < grant.valid_from:
        raise ValidationError(
            {
                "valid_until": _(
                    "The oversight starts on %(start)s; it cannot end before that (%(end)s)."
                )
                % {"start": _day(grant.valid_from), "end": _day(on)}
            }
        )
    if grant.valid_until is not None and grant.valid_until <= on:
        raise ValidationError(
            {"valid_until": _("This oversight already ended on %s.") % _day(grant.valid_until)}
        )
    grant.valid_until = on
    grant.full_clean()
    grant.save()
    return grant


# Personal access tokens for the API ---------------------------------------------------------------

TOKEN_START = "bd_"
# A use is written at most once a minute: reading the API is not a write per request.
LAST_USE_EVERY = datetime.timedelta(minutes=1)
TOKENS_PER_USER = 20


def token_digest(text: str) -> str:
    """The SHA-256 digest a token is stored and looked up by."""
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def create_token(
    user: User, name: str, scope: str, expires_on: datetime.date | None = None
) -> tuple[AccessToken, str]:
    """Make a personal access token for the user's own use; returns it with its text, which is
    shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the program that uses it.")})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": _("Choose read only or read and write.")})
    expires_at = None
    if expires_on is not None:
        if expires_on <= dates.today():
            raise ValidationError({"expires_on": _("The expiry date must be in the future.")})
        expires_at = datetime.datetime.combine(
            expires_on, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
    live = user.access_tokens.filter(revoked_at=None)
    if live.count() >= TOKENS_PER_USER:
        raise ValidationError(
            _("You have %(n)d tokens: revoke one you no longer use first.") % {"n": TOKENS_PER_USER}
        )
    prefix = secrets.token_hex(4)
    text = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = AccessToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        digest=token_digest(text),
        scope=scope,
        expires_at=expires_at,
    )
    return token, text


@transaction.atomic
def revoke_token(actor: User, token: AccessToken) -> None:
    """Revoke one of the actor's own tokens; it stops working at once."""
    if token.user_id != actor.pk:
        raise PermissionDenied(_("This token is not yours."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def authenticate_token(text: str) -> AccessToken | None:
    """The usable token with this text (its last use recorded), or None."""
    if not text.startswith(TOKEN_START) or len(text) > 100:
        return None
    token = (
        AccessToken.objects.select_related("user", "user__unit")
        .filter(digest=token_digest(text))
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
