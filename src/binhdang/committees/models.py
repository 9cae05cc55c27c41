"""Committees for the Advancement of Women: the committee, its decisions, people and memberships.

A membership's period is half-open, [start, end): it holds on `start` and ends on the day `end`,
which is the date of the decision that replaced it; a membership without `end` is current. So the
old membership and the new one never overlap on a reconstitution day.

Records follow the decisions as they are known (issue 12): a member may be known only by role
and the unit represented ("đại diện lãnh đạo Vụ Tổ chức cán bộ"), without a name or sex, and a
decision only by its date; both are completed later, in place, and flagged until then.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from binhdang.core import uploads
from binhdang.core.audit import AuditedMixin
from binhdang.core.models import TimeStamped


class Role(models.TextChoices):
    """A member's role in the committee, in the order decisions list them."""

    HEAD = "head", _("Head")
    STANDING_VICE_CHAIR = "standing_vice_chair", _("Standing vice-chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Secretary / support team")


# Roles of which a committee has at most one at any date.
SINGLE_HOLDER_ROLES = (Role.HEAD, Role.STANDING_VICE_CHAIR)
ROLE_ORDER = {role: rank for rank, role in enumerate(Role)}


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class Committee(AuditedMixin, TimeStamped):
    """The Ban VSTBPN of one unit."""

    unit = models.OneToOneField(
        "orgunits.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="committee",
    )
    name = models.CharField(_("name"), max_length=255)
    standing_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("standing agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return self.name

    def audit_unit_id(self) -> int | None:
        return self.unit_id


def decision_upload_path(decision: "Decision", filename: str) -> str:
    """Where a decision's scan is kept: under the data directory, never under the web root."""
    return uploads.storage_name(f"decisions/{decision.committee.unit_id}", filename)


class Decision(AuditedMixin, TimeStamped):
    """A decision (Quyết định) that constitutes or reconstitutes a committee."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="decisions"
    )
    # Empty while the number is not known: the committee's page says the record is incomplete.
    number = models.CharField(_("number and symbol"), max_length=64, blank=True)
    date = models.DateField(_("date"))
    signer = models.CharField(_("signer"), max_length=255, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=255, blank=True)
    issuing_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("issuing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("scanned file"), upload_to=decision_upload_path, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "date"], name="one_decision_per_day"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """ "2967/QĐ-BTNMT", or "(chưa có số) ngày 20/11/2019" while the number is unknown."""
        if self.number:
            return self.number
        return gettext("(no number yet) of %(date)s") % {
            "date": formats.date_format(self.date, "SHORT_DATE_FORMAT")
        }

    def audit_unit_id(self) -> int | None:
        return self.committee.unit_id


class Person(AuditedMixin, TimeStamped):
    """Someone who sits on a committee; the same person may sit on several."""

    # Empty for a member known only by role and unit until the name is entered; the sex of such
    # a member may be unknown too (empty), and is counted as unknown, never as a man.
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    title = models.CharField(_("position"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("workplace"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name, or "(chưa có tên)"."""
        return self.full_name or gettext("(no name yet)")

    def audit_unit_id(self) -> int | None:
        return self.unit_id


def member_label(person: Person, represented: str, title: str = "") -> str:
    """A member's name, or what is known of a member without one."""
    if person.full_name:
        return person.full_name
    if represented:
        return gettext("(no name yet) — representing %(unit)s") % {"unit": represented}
    if title:
        return f"{person.display_name} — {title}"
    return person.display_name


class MembershipQuerySet(models.QuerySet):
    def on(self, date: datetime.date):
        """Memberships in force on a date."""
        return self.filter(start__lte=date).filter(Q(end__isnull=True) | Q(end__gt=date))

    def current(self):
        """Memberships no decision has ended."""
        return self.filter(end__isnull=True)


class Membership(AuditedMixin, TimeStamped):
    """A person's role in a committee under a decision, for a period."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="memberships"
    )
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    represented_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("represented unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The represented unit as the decision writes it, when it is not (or no longer) in the tree.
    represented_text = models.CharField(_("represents (as written)"), max_length=255, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("ended on"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["committee", "start"]
        indexes = [models.Index(fields=["committee", "end"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"

    @property
    def represented_name(self) -> str:
        return self.represented_unit.name if self.represented_unit else self.represented_text

    @property
    def label(self) -> str:
        """The member as lists name them: the name, or for a member without one
        "(chưa có tên) — đại diện Vụ Tổ chức cán bộ"."""
        return member_label(self.person, self.represented_name, self.person.title)

    def audit_unit_id(self) -> int | None:
        return self.committee.unit_id
