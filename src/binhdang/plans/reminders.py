"""E-mail reminders of task deadlines, sent by background tasks, never by page views.

Each day `binhdang manage send_task_reminders` (a daily cron) looks for open tasks whose deadline
is `settings.TASK_REMINDER_DAYS` days away (7 and 1 by default) and open tasks whose deadline was
yesterday (missed). For each, every active user of the lead unit with an e-mail address and the
role of data officer or above gets one message. Each (task, person, day) is recorded in `Reminder`
before its e-mail is queued, so a second run on the same day queues nothing.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from binhdang.accounts.models import Role, User

from .models import Reminder, ReminderKind, Task

# Roles whose holders are asked to act on their unit's tasks.
RECIPIENT_ROLES = [Role.DATA_OFFICER, Role.APPROVER, Role.UNIT_ADMIN, Role.SYSTEM_ADMIN]


@dataclass(frozen=True)
class Due:
    task: Task
    kind: str
    days_before: int


def reminder_days() -> list[int]:
    """How many days before a deadline reminders go out, largest first, e.g. [7, 1]."""
    return sorted({int(day) for day in settings.TASK_REMINDER_DAYS if int(day) >= 0}, reverse=True)


def due_on(day: datetime.date) -> list[Due]:
    """Open tasks that call for a reminder on `day`: approaching, or missed yesterday."""
    found = []
    tasks = (
        Task.objects.open().select_related("lead_unit", "assigned_by").order_by("deadline", "pk")
    )
    for days in reminder_days():
        deadline = day + datetime.timedelta(days=days)
        found += [Due(t, ReminderKind.DUE, days) for t in tasks.filter(deadline=deadline)]
    yesterday = day - datetime.timedelta(days=1)
    found += [Due(t, ReminderKind.MISSED, 0) for t in tasks.filter(deadline=yesterday)]
    return found


def recipients(task: Task):
    """Active users of the lead unit, data officer and above, who have an e-mail address."""
    return (
        User.objects.filter(unit=task.lead_unit_id, is_active=True, role__in=RECIPIENT_ROLES)
        .exclude(email="")
        .order_by("pk")
    )


def schedule(day: datetime.date) -> list[Reminder]:
    """Record and queue the day's reminders; those already recorded for the day are skipped."""
    queued = []
    for due in due_on(day):
        for user in recipients(due.task):
            if Reminder.objects.filter(task=due.task, recipient=user, day=day).exists():
                continue
            try:
                with transaction.atomic():
                    reminder = Reminder.objects.create(
                        task=due.task,
                        recipient=user,
                        email=user.email,
                        kind=due.kind,
                        days_before=due.days_before,
                        day=day,
                    )
            except IntegrityError:
                # Another run recorded it between the check and the insert.
                continue
            send_task_reminder.enqueue(reminder.pk)
            queued.append(reminder)
    return queued


def site_url(path: str) -> str:
    """An address for the e-mail: absolute when SITE_URL is configured, else the path."""
    base = getattr(settings, "SITE_URL", "") or ""
    return f"{base.rstrip('/')}{path}"


def compose(reminder: Reminder) -> tuple[str, str]:
    """The subject and body of a reminder, in Vietnamese."""
    task = reminder.task
    with translation.override("vi"):
        context = {
            "reminder": reminder,
            "task": task,
            "name": reminder.recipient.get_full_name() or reminder.recipient.username,
            "missed": reminder.kind == ReminderKind.MISSED,
            "url": site_url(task.get_absolute_url()),
            "status": task.current_status_label,
        }
        subject = render_to_string("plans/email/reminder_subject.txt", context)
        body = render_to_string("plans/email/reminder_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


@task
def send_task_reminder(reminder_id: int) -> bool:
    """Send one recorded reminder, unless it was sent already or its task has been closed."""
    reminder = (
        Reminder.objects.select_related("task__lead_unit", "task__assigned_by", "recipient")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None or reminder.sent_at is not None or not reminder.task.is_open:
        return False
    subject, body = compose(reminder)
    send_mail(subject, body, None, [reminder.email])
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
    return True
