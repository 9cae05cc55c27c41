"""Users: each belongs to one unit and holds one role there."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from binhdang.core.audit import AuditedMixin
from binhdang.core.models import Searchable


class Role(models.TextChoices):
    """What a user may do in their unit's subtree; each role includes those before it."""

    VIEWER = "viewer", _("Viewer")
    DATA_OFFICER = "data_officer", _("Data officer")
    APPROVER = "approver", _("Approver")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


ROLE_RANK = {role: rank for rank, role in enumerate(Role)}


class User(AuditedMixin, Searchable, AbstractUser):
    """A person who signs in: an officer of one unit."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    # Vietnamese names are not split into first and last: one field holds the full name.
    first_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.VIEWER)
    title = models.CharField(_("position"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def audit_unit_id(self) -> int | None:
        return self.unit_id

    def search_source(self) -> str:
        return f"{self.username} {self.first_name}"

    def has_role(self, role: Role) -> bool:
        """Whether the user's role is `role` or above it."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[role]

    @property
    def is_system_admin(self) -> bool:
        return self.is_superuser or self.role == Role.SYSTEM_ADMIN


class TwoFactorRequirement(AuditedMixin, models.Model):
    """A unit's rule that its approvers and administrators, and those of every unit below it,
    sign in with a second factor (a code from an authenticator app)."""

    unit = models.OneToOneField(
        "orgunits.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="two_factor_requirement",
    )
    set_by = models.ForeignKey(
        User, verbose_name=_("set by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("two-factor requirement")
        verbose_name_plural = _("two-factor requirements")

    def __str__(self) -> str:
        return str(self.unit)

    def audit_unit_id(self) -> int | None:
        return self.unit_id


class OversightFunction(models.TextChoices):
    """What a unit may do in a subtree it oversees beyond its own: never change others' data."""

    INSPECT = "inspect", _("Inspection and supervision")
    READ_REPORTS = "read_reports", _("Reading reports")
    FOLLOW_RECOMMENDATIONS = "follow_recommendations", _("Following recommendations")


class OversightGrant(AuditedMixin, models.Model):
    """A unit's oversight of another unit's subtree for one function, over a period, on a legal
    basis (e.g. the decree that gives the national gender-equality department its function)."""

    grantee = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("overseeing unit"),
        on_delete=models.PROTECT,
        related_name="oversight_grants",
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("overseen unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    function = models.CharField(_("function"), max_length=32, choices=OversightFunction.choices)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"))
    granted_by = models.ForeignKey(
        User, verbose_name=_("given by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("given at"), auto_now_add=True)

    class Meta:
        verbose_name = _("oversight grant")
        verbose_name_plural = _("oversight grants")
        ordering = ["grantee__path", "unit__path", "function", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="oversight_grant_until_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grantee} → {self.unit}: {self.get_function_display()}"

    def audit_unit_id(self) -> int | None:
        return self.grantee_id

    def in_force(self, on: datetime.date) -> bool:
        """Whether the grant gives its function on that day."""
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


class TokenScope(models.TextChoices):
    """What a personal access token may do with its user's permissions."""

    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class AccessToken(AuditedMixin, models.Model):
    """A personal access token for the API: only its SHA-256 digest is stored (the token itself is
    shown once, when it is made); `prefix` is its visible start, by which the user recognises it.
    It carries its user's own permissions, narrowed to reading by a read-only scope."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=8, choices=TokenScope.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def audit_unit_id(self) -> int | None:
        return self.user.unit_id

    def is_usable(self, now: datetime.datetime) -> bool:
        """Not revoked, not expired, and its user still active."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.user.is_active
        )

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE
