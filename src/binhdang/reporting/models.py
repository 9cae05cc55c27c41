"""Reporting rounds (kỳ báo cáo): what a unit asks of the units below it, and their answers.

A round asks a set of units (one `Submission` each) for figures (the requested indicators, read
from the units' own indicator data: one source of truth) and for narrative sections. Each
submission moves through the state machine of `services.TRANSITIONS`; every step is recorded as a
`SubmissionEvent`. Reminders sent are recorded too, at most one a day per submission.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from binhdang.core.audit import AuditedMixin
from binhdang.core.models import TimeStamped

DEFAULT_SECTION_LIMIT = 20_000
# The narrative sections an annual review asks for, in order (titles as the documents write
# them: they are content, not interface text).
DEFAULT_SECTIONS = [
    ("ket-qua", "Kết quả đạt được"),
    ("han-che", "Hạn chế, nguyên nhân"),
    ("phuong-huong", "Phương hướng, nhiệm vụ năm tới"),
]


class RoundKind(models.TextChoices):
    ANNUAL = "annual", _("Annual report")
    INTERIM = "interim", _("Interim review")
    FINAL = "final", _("Final review")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReportingRound(AuditedMixin, TimeStamped):
    """A reporting round (kỳ báo cáo) opened by a province, a ministry or the nation."""

    opener = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="opened_rounds",
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=RoundKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    # The last day on which a report is on time (the whole day, Vietnam time).
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    instructions = models.TextField(_("instructions"), blank=True)
    indicators = models.ManyToManyField(
        "indicators.Indicator", verbose_name=_("requested indicators"), blank=True
    )
    # How the required units were chosen: levels of the subtree ("4" = communes, "2,1" =
    # provinces and central agencies), or empty for a chosen list.
    required_levels = models.CharField(_("required levels"), max_length=32, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-year", "-deadline", "-pk"]
        indexes = [models.Index(fields=["opener", "year"])]

    def __str__(self) -> str:
        return self.name

    def audit_unit_id(self) -> int | None:
        return self.opener_id

    def get_absolute_url(self) -> str:
        return reverse("reporting:round", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    @cached_property
    def cutoff(self) -> datetime.datetime:
        """The first instant that is late: midnight after the deadline day, Vietnam time."""
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        return datetime.datetime.combine(
            self.deadline + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )

    @property
    def year_label(self) -> str:
        return str(self.year)


class RoundSection(models.Model):
    """A narrative section a round asks for, e.g. "Kết quả đạt được", with its length limit."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.SlugField(_("key"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    max_length = models.PositiveIntegerField(_("length limit"), default=DEFAULT_SECTION_LIMIT)

    class Meta:
        verbose_name = _("requested section")
        verbose_name_plural = _("requested sections")
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "key"], name="one_section_key_per_round")
        ]

    def __str__(self) -> str:
        return self.title


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETE = "complete", _("Complete")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")


class Submission(AuditedMixin, TimeStamped):
    """A unit's answer to a round; one per required unit."""

    round = models.ForeignKey(ReportingRound, on_delete=models.CASCADE, related_name="submissions")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    # Optimistic concurrency: every change checks and raises it.
    version = models.PositiveIntegerField(default=1)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    edits_after_submission = models.PositiveIntegerField(_("edits after submission"), default=0)
    # Why the unit reports although some of its own sub-units' reports are not accepted.
    pending_explanation = models.TextField(_("explanation for sub-units not accepted"), blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="one_submission_per_unit")
        ]
        indexes = [models.Index(fields=["round", "state"])]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"

    def audit_unit_id(self) -> int | None:
        return self.unit_id

    def get_absolute_url(self) -> str:
        return reverse("reporting:submission", args=[self.pk])

    @property
    def is_late(self) -> bool:
        """Submitted after the deadline, or not submitted and the deadline has passed."""
        moment = self.first_submitted_at or timezone.now()
        return moment >= self.round.cutoff

    @property
    def was_submitted(self) -> bool:
        return self.first_submitted_at is not None

    @property
    def takes_work(self) -> bool:
        """Whether the unit can work on it now: the round is open, or the report came back."""
        return self.round.is_open or self.state == State.RETURNED


class SectionText(models.Model):
    """A submission's text for one requested section."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="texts")
    section = models.ForeignKey(RoundSection, on_delete=models.CASCADE, related_name="texts")
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("section text")
        verbose_name_plural = _("section texts")
        constraints = [
            models.UniqueConstraint(fields=["submission", "section"], name="one_text_per_section")
        ]

    def __str__(self) -> str:
        return f"{self.section} ({len(self.text)})"


class EventKind(models.TextChoices):
    SAVED = "saved", _("Draft saved")
    COMPLETED = "completed", _("Marked complete")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
    UNLOCKED = "unlocked", _("Unlocked")
    REMINDED = "reminded", _("Reminder sent")


class SubmissionEvent(models.Model):
    """One step in a submission's history, with who took it and their comment or reason."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    state_from = models.CharField(max_length=16, choices=State.choices, blank=True)
    state_to = models.CharField(max_length=16, choices=State.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["submission", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ReminderKind(models.TextChoices):
    DUE = "due", _("Report due soon")
    LATE = "late", _("Late")
    MANUAL = "manual", _("Sent by the reviewer")


class Reminder(models.Model):
    """A reminder sent to a unit about its submission; at most one a day per submission, so the
    daily command and the one-click button can run again without sending twice."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    sent_on = models.DateField(_("date"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "sent_on"], name="one_reminder_per_submission_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sent_on}"


class Dhis2Direction(models.TextChoices):
    PUSH = "push", _("Push to DHIS2")
    PULL = "pull", _("Pull from DHIS2")


class Dhis2Exchange(models.Model):
    """A push of a round's accepted figures to DHIS2, or a pull of values from it, run as a
    background job; a dry run changes nothing. Its summary is what DHIS2 answered (pushed) or
    what was saved (pulled), or the problems that refused it."""

    round = models.ForeignKey(
        ReportingRound, on_delete=models.CASCADE, related_name="dhis2_exchanges"
    )
    # Set once the job is started (the job's work receives the exchange's id).
    job = models.OneToOneField(
        "core.Job", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Dhis2Direction.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    values = models.PositiveIntegerField(_("values"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("DHIS2 exchange")
        verbose_name_plural = _("DHIS2 exchanges")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} · {self.round}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:dhis2_exchange", args=[self.pk])
