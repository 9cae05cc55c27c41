"""Background work of reporting rounds: telling units that a round is open, and reminders.

They run through `django.tasks`: inline by default, or in the database queue with a worker
(TASKS_BACKEND=database). Each goes to the active accounts of the unit, through
`notices.services.notify`: a notice to each, and an e-mail to those with an address.
"""

from django.conf import settings
from django.core.mail import mailers
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.notices.models import NoticeKind
from binhdang.notices.services import notify

from .models import EventKind, Reminder, ReminderKind, ReportingRound, SubmissionEvent


@task
def notify_round_opened(round_id: int) -> int:
    """Tell every required unit's users that a round is open; returns the e-mails sent."""
    round = ReportingRound.objects.select_related("opener").get(pk=round_id)
    submissions = list(round.submissions.select_related("unit"))
    people: dict[int, list] = {}
    for person in permissions.members([s.unit_id for s in submissions]):
        people.setdefault(person.unit_id, []).append(person)
    sent = 0
    # One mail server connection for the whole round (thousands of units nationwide).
    with mailers.default as mailer:
        for submission in submissions:
            sent += notify(
                NoticeKind.ROUND_OPENED,
                people.get(submission.unit_id, []),
                link=submission.get_absolute_url(),
                mailer=mailer,
                opener=round.opener.name,
                name=round.name,
                unit=submission.unit.name,
                start=round.period_start,
                end=round.period_end,
                deadline=round.deadline,
            ).emails
    return sent


@task
def send_reminder(reminder_id: int) -> int:
    """Send one recorded reminder to the unit's users, and note it in the report's history."""
    reminder = Reminder.objects.select_related(
        "submission", "submission__unit", "submission__round"
    ).get(pk=reminder_id)
    submission, round = reminder.submission, reminder.submission.round
    days = (round.deadline - reminder.sent_on).days
    late = reminder.kind == ReminderKind.LATE or days < 0
    sent = notify(
        NoticeKind.REPORT_LATE if late else NoticeKind.REPORT_DUE,
        permissions.members([submission.unit_id]),
        link=submission.get_absolute_url(),
        name=round.name,
        unit=submission.unit.name,
        deadline=round.deadline,
        state=submission.state,
    )
    with translation.override(settings.LANGUAGE_CODE):
        note = _("%(kind)s; e-mails sent: %(count)d") % {
            "kind": reminder.get_kind_display(),
            "count": sent.emails,
        }
    reminder.recipients = sent.emails
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
    return sent.emails
