"""Background work of reporting rounds: the e-mails to units (opening notice and reminders).

They run through `django.tasks`: inline by default, or in the database queue with a worker
(TASKS_BACKEND=database). Each message goes to the active accounts of the unit that have an
e-mail address.
"""

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from binhdang.accounts.models import User

from .models import EventKind, Reminder, ReminderKind, ReportingRound, SubmissionEvent


def _link(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _addresses(unit_ids) -> dict[int, list[str]]:
    by_unit: dict[int, list[str]] = {}
    users = User.objects.filter(unit_id__in=unit_ids, is_active=True).exclude(email="")
    for unit_id, email in users.values_list("unit_id", "email"):
        by_unit.setdefault(unit_id, []).append(email)
    return by_unit


@task
def notify_round_opened(round_id: int) -> int:
    """Tell every required unit's users that a round is open; returns the messages sent."""
    round = ReportingRound.objects.select_related("opener").get(pk=round_id)
    submissions = list(round.submissions.select_related("unit"))
    addresses = _addresses([s.unit_id for s in submissions])
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New reporting round: %s") % round.name
        for submission in submissions:
            for email in addresses.get(submission.unit_id, []):
                body = _(
                    "%(opener)s has opened the reporting round “%(name)s”.\n\n"
                    "Unit: %(unit)s\nPeriod: %(start)s – %(end)s\nDeadline: %(deadline)s\n\n"
                    "Write and submit the report here: %(link)s\n"
                ) % {
                    "opener": round.opener.name,
                    "name": round.name,
                    "unit": submission.unit.name,
                    "start": _date(round.period_start),
                    "end": _date(round.period_end),
                    "deadline": _date(round.deadline),
                    "link": _link(submission.get_absolute_url()),
                }
                messages.append(EmailMessage(subject, body, to=[email]))
    if messages:
        mailers.default.send_messages(messages)
    return len(messages)


@task
def send_reminder(reminder_id: int) -> int:
    """Send one recorded reminder to the unit's users, and note it in the report's history."""
    reminder = Reminder.objects.select_related(
        "submission", "submission__unit", "submission__round"
    ).get(pk=reminder_id)
    submission, round = reminder.submission, reminder.submission.round
    emails = _addresses([submission.unit_id]).get(submission.unit_id, [])
    with translation.override(settings.LANGUAGE_CODE):
        days = (round.deadline - reminder.sent_on).days
        if reminder.kind == ReminderKind.LATE or days < 0:
            subject = _("Report overdue: %s") % round.name
            lead = _(
                "The deadline (%(deadline)s) has passed and the report of %(unit)s has not "
                "been submitted."
            )
        else:
            subject = _("Reminder: report due %(deadline)s") % {"deadline": _date(round.deadline)}
            lead = _("The report of %(unit)s is due on %(deadline)s.")
        body = (
            lead % {"deadline": _date(round.deadline), "unit": submission.unit.name}
            + "\n\n"
            + _("Round: %(name)s\nState: %(state)s\nOpen the report: %(link)s\n")
            % {
                "name": round.name,
                "state": submission.get_state_display(),
                "link": _link(submission.get_absolute_url()),
            }
        )
        note = _("%(kind)s; e-mails sent: %(count)d") % {
            "kind": reminder.get_kind_display(),
            "count": len(emails),
        }
    if emails:
        mailers.default.send_messages([EmailMessage(subject, body, to=emails)])
    reminder.recipients = len(emails)
    reminder.save(update_fields=["recipients"])
    SubmissionEvent.objects.create(
        submission=submission,
        kind=EventKind.REMINDED,
        actor=reminder.sent_by,
        at=timezone.now(),
        state_from=submission.state,
        state_to=submission.state,
        comment=note,
    )
    return len(emails)
