"""Plans, tasks and inspections: the committee's working records.

A plan (kế hoạch) is a unit's multi-year or annual action plan, approved by a decision; approving
a new plan of the same kind and period supersedes the old one. A task (nhiệm vụ) has a lead unit,
collaborating units, a deadline (the last day on time, with how it was said: "10/04/2024",
"trước tháng 10/2024", "quý III/2024"; see `deadlines`) and a status; "overdue" is never stored:
it follows from the deadline and the date, so that no nightly job is needed and every list
agrees. An inspection (kiểm tra, giám sát) records its team, the units inspected, findings and
recommendations; each recommendation creates a task for the inspected unit, so that its
follow-up is tracked to closure.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from binhdang.core import uploads
from binhdang.core.audit import AuditedMixin
from binhdang.core.dates import today
from binhdang.core.models import Searchable, TimeStamped

from .deadlines import DeadlineKind, deadline_label, fits


def _check_deadline_kind(record) -> None:
    """The stored date must be one its kind can say (a quarter's deadline ends a quarter)."""
    if record.deadline and not fits(record.deadline, record.deadline_kind):
        raise ValidationError(
            {
                "deadline": gettext("This date cannot be written as “%(kind)s”.")
                % {"kind": DeadlineKind(record.deadline_kind).label}
            }
        )


def _upload_path(prefix: str, unit_id, filename: str) -> str:
    """Where an uploaded file is kept: under the data directory, never under the web root."""
    return uploads.storage_name(f"{prefix}/{unit_id}", filename)


# Plans ------------------------------------------------------------------------------------------


class PlanKind(models.TextChoices):
    MULTI_YEAR = "multi_year", _("Multi-year plan")
    ANNUAL = "annual", _("Annual plan")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (not yet approved)")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


def plan_upload_path(plan: "Plan", filename: str) -> str:
    return _upload_path("plans", plan.unit_id, filename)


class PlanQuerySet(models.QuerySet):
    def covering(self, year: int):
        """Plans whose period includes a year."""
        return self.filter(start_year__lte=year, end_year__gte=year)

    def approved(self):
        return self.filter(status=PlanStatus.APPROVED)


class Plan(AuditedMixin, TimeStamped):
    """A unit's action plan for a period, approved by a decision."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plans"
    )
    kind = models.CharField(_("kind of plan"), max_length=16, choices=PlanKind.choices)
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    title = models.CharField(_("title"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    decision_number = models.CharField(_("decision number and symbol"), max_length=64, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_signer = models.CharField(_("signer"), max_length=255, blank=True)
    file = models.FileField(_("decision file"), upload_to=plan_upload_path, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-start_year", "kind", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_end_after_start"
            ),
            models.UniqueConstraint(
                fields=["unit", "kind", "start_year", "end_year"],
                condition=Q(status="approved"),
                name="one_approved_plan_per_period",
            ),
        ]
        indexes = [models.Index(fields=["unit", "kind", "status"])]

    def __str__(self) -> str:
        return self.title

    def audit_unit_id(self) -> int | None:
        return self.unit_id

    def get_absolute_url(self) -> str:
        return reverse("plans:plan", args=[self.pk])

    @property
    def period(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    @property
    def start_date(self) -> datetime.date:
        return datetime.date(self.start_year, 1, 1)

    @property
    def is_approved(self) -> bool:
        return self.status == PlanStatus.APPROVED


# Tasks ------------------------------------------------------------------------------------------


class TaskStatus(models.TextChoices):
    """What is stored; "overdue" is derived (see `DisplayStatus`)."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class DisplayStatus(models.TextChoices):
    """The status as shown everywhere: the stored one, or overdue."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS)
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.CANCELLED)
STATUS_BADGES = {
    DisplayStatus.NOT_STARTED: "text-bg-secondary",
    DisplayStatus.IN_PROGRESS: "text-bg-primary",
    DisplayStatus.OVERDUE: "text-bg-danger",
    DisplayStatus.DONE: "text-bg-success",
    DisplayStatus.CANCELLED: "text-bg-light border",
}


class TaskQuerySet(models.QuerySet):
    def open(self):
        """Tasks still to be done."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, on: datetime.date | None = None):
        """Tasks past their deadline and neither done nor cancelled."""
        return self.open().filter(deadline__lt=on or today())

    def due_within(self, days: int, on: datetime.date | None = None):
        """Open tasks whose deadline falls in the next `days` days (today included)."""
        on = on or today()
        return self.open().filter(deadline__gte=on, deadline__lte=on + datetime.timedelta(days))

    def with_display_status(self, on: datetime.date | None = None):
        """Annotate `display_status`: the stored status, or "overdue"."""
        return self.annotate(
            display_status=Case(
                When(
                    Q(status__in=OPEN_STATUSES, deadline__lt=on or today()),
                    then=Value(DisplayStatus.OVERDUE.value),
                ),
                default=models.F("status"),
                output_field=models.CharField(),
            )
        )

    def with_display_status_in(self, statuses, on: datetime.date | None = None):
        """Filter on the status as shown (overdue included)."""
        return self.with_display_status(on).filter(display_status__in=list(statuses))


class Task(AuditedMixin, Searchable, TimeStamped):
    """A task (nhiệm vụ): what a lead unit must do by a deadline, and where it came from."""

    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    assigned_by = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
    )
    lead_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_tasks",
    )
    collaborating_units = models.ManyToManyField(
        "orgunits.OrgUnit",
        verbose_name=_("collaborating units"),
        blank=True,
        related_name="collaborating_tasks",
    )
    deadline = models.DateField(_("due date"))
    deadline_kind = models.CharField(
        _("due date written as"),
        max_length=16,
        choices=DeadlineKind.choices,
        default=DeadlineKind.DAY,
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    recommendation = models.ForeignKey(
        "Recommendation",
        verbose_name=_("inspection recommendation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    meeting_reference = models.CharField(_("meeting conclusion"), max_length=500, blank=True)
    objectives = models.ManyToManyField(
        "indicators.Objective", verbose_name=_("objectives"), blank=True, related_name="tasks"
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", verbose_name=_("indicators"), blank=True, related_name="tasks"
    )
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="task_progress_at_most_100")
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["lead_unit", "status"]),
            models.Index(fields=["assigned_by", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_unit_id(self) -> int | None:
        return self.lead_unit_id

    def search_source(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:task", args=[self.pk])

    @property
    def deadline_label(self) -> str:
        return deadline_label(self.deadline, self.deadline_kind)

    @property
    def deadline_words(self) -> str:
        """The deadline as said in words ("Trước tháng 10/2024"), or "" when given as a day."""
        return "" if self.deadline_kind == DeadlineKind.DAY else self.deadline_label

    def clean(self) -> None:
        super().clean()
        _check_deadline_kind(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue_on(self, on: datetime.date) -> bool:
        return self.is_open and self.deadline < on

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(today())

    @property
    def current_status(self) -> str:
        """The status as shown: the stored one, or overdue."""
        annotated = getattr(self, "display_status", None)
        if annotated:
            return annotated
        return DisplayStatus.OVERDUE.value if self.is_overdue else self.status

    @property
    def current_status_label(self) -> str:
        return DisplayStatus(self.current_status).label

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES[DisplayStatus(self.current_status)]

    @property
    def origin_label(self) -> str:
        """Where the task came from, in a few words."""
        if self.plan_id:
            return gettext("Plan: %s") % self.plan.title
        if self.recommendation_id:
            return gettext("Inspection recommendation: %s") % self.recommendation.inspection.title
        if self.meeting_reference:
            return gettext("Meeting conclusion: %s") % self.meeting_reference
        return gettext("Assigned directly")


def evidence_upload_path(update: "TaskUpdate", filename: str) -> str:
    return _upload_path("task-evidence", update.task.lead_unit_id, filename)


class TaskUpdate(AuditedMixin, TimeStamped):
    """A progress report on a task, with its evidence, and any change of status or percent."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        "accounts.User",
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("reporting unit"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("report date"))
    text = models.TextField(_("progress report"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("evidence file"), upload_to=evidence_upload_path, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    old_status = models.CharField(
        _("previous status"), max_length=16, choices=TaskStatus.choices, blank=True
    )
    new_status = models.CharField(
        _("new status"), max_length=16, choices=TaskStatus.choices, blank=True
    )

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.task} — {self.date}"

    def audit_unit_id(self) -> int | None:
        return self.task.lead_unit_id


# Inspections ------------------------------------------------------------------------------------


class InspectionKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    SUPERVISION = "supervision", _("Supervision")


class Inspection(AuditedMixin, TimeStamped):
    """An inspection or supervision (kiểm tra, giám sát) by a unit of units in its subtree."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("inspecting unit"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InspectionKind.choices)
    title = models.CharField(_("title"), max_length=500)
    decision_number = models.CharField(_("decision or plan number"), max_length=64, blank=True)
    lead_name = models.CharField(_("team lead"), max_length=150)
    lead_position = models.CharField(_("team lead's position"), max_length=255, blank=True)
    members = models.TextField(_("team members"), blank=True)
    inspected_units = models.ManyToManyField(
        "orgunits.OrgUnit",
        verbose_name=_("units inspected"),
        related_name="inspected_by",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    scope = models.TextField(_("scope and content"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="inspection_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def audit_unit_id(self) -> int | None:
        return self.unit_id

    def get_absolute_url(self) -> str:
        return reverse("plans:inspection", args=[self.pk])

    @property
    def member_lines(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


class Recommendation(AuditedMixin, TimeStamped):
    """A recommendation (kiến nghị) of an inspection to one inspected unit."""

    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("recommendation"))
    deadline = models.DateField(_("due date"))
    deadline_kind = models.CharField(
        _("due date written as"),
        max_length=16,
        choices=DeadlineKind.choices,
        default=DeadlineKind.DAY,
    )

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def audit_unit_id(self) -> int | None:
        return self.unit_id

    @property
    def deadline_label(self) -> str:
        return deadline_label(self.deadline, self.deadline_kind)

    def clean(self) -> None:
        super().clean()
        _check_deadline_kind(self)

    @property
    def task(self) -> Task | None:
        """The follow-up task this recommendation created."""
        tasks = getattr(self, "_prefetched_objects_cache", {}).get("tasks")
        if tasks is not None:
            return tasks[0] if tasks else None
        return self.tasks.order_by("pk").first()


# Reminders --------------------------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    DUE = "due", _("Deadline approaching")
    MISSED = "missed", _("Deadline missed")


class Reminder(models.Model):
    """A reminder e-mail about a task to one person on one day; recorded so a day sends once."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(_("e-mail"))
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"), default=0)
    day = models.DateField(_("day"))
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task reminder")
        verbose_name_plural = _("task reminders")
        ordering = ["-day", "task"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "recipient", "day"], name="one_reminder_per_task_person_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.email} ({self.day})"
