"""Notices: what the platform tells a person in the application (the bell), beside the e-mail.

A notice keeps the kind of event and its parameters (names, dates, codes), not a sentence: its
text is written when it is read, in the reader's language (`messages.py`)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """Every event a person is told about; each has its wording in `messages.WORDING`."""

    ROUND_OPENED = "round_opened", _("Reporting round opened")
    REPORT_DUE = "report_due", _("Report due soon")
    REPORT_LATE = "report_late", _("Report overdue")
    REPORT_SUBMITTED = "report_submitted", _("Report waiting for review")
    REPORT_RETURNED = "report_returned", _("Report returned")
    REPORT_ACCEPTED = "report_accepted", _("Report accepted")
    TASK_ASSIGNED = "task_assigned", _("New task")
    TASK_DUE = "task_due", _("Task due soon")
    TASK_MISSED = "task_missed", _("Task overdue")


class Notice(models.Model):
    """One event told to one person, read or not."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NoticeKind.choices)
    params = models.JSONField(_("parameters"), default=dict, encoder=DjangoJSONEncoder)
    link = models.CharField(_("link"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_recipient_newest"),
            # The bell's count on every page reads this index only.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notice_unread"
            ),
            models.Index(fields=["read_at"], name="notice_read_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def text(self) -> str:
        """The notice's sentence in the active language."""
        from .messages import line

        return line(self.kind, self.params)
