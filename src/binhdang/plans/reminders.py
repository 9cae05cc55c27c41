"""E-mail reminders of task deadlines, sent by background tasks, never by page views.

Each day `binhdang manage send_task_reminders` (a daily cron) looks for open tasks whose deadline
is `settings.TASK_REMINDER_DAYS` days away (7 and 1 by default) and open tasks whose deadline was
yesterday (missed). For each, every active user of the lead unit with an e-mail address and the
role of data officer or above gets one message, with its notice in the application
(`notices.services.notify`). Each (task, person, day) is recorded in `Reminder` before its e-mail
is queued, so a second run on the same day queues nothing.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from binhdang.accounts import permissions
from binhdang.accounts.models import Role
from binhdang.notices.models import NoticeKind
from binhdang.notices.services import notify

from .models import Reminder, ReminderKind, Task

# The lowest role whose holders are asked to act on their unit's tasks.
RECIPIENT_ROLE = Role.DATA_OFFICER


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
    return permissions.members([task.lead_unit_id], RECIPIENT_ROLE).exclude(email="")


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


def task_params(task: Task) -> dict:
    """What a task's notices say of it (`notices.messages` shows them in the reader's language)."""
    return {
        "title": task.title,
        "unit": task.lead_unit.name,
        "assigned_by": task.assigned_by.name,
        "deadline": task.deadline,
        "deadline_kind": task.deadline_kind,
        "status": task.current_status,
        "progress": task.progress,
    }


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
    missed = reminder.kind == ReminderKind.MISSED
    notify(
        NoticeKind.TASK_MISSED if missed else NoticeKind.TASK_DUE,
        [reminder.recipient],
        link=reminder.task.get_absolute_url(),
        days=reminder.days_before,
        **task_params(reminder.task),
    )
    Reminder.objects.filter(pk=reminder.pk).update(sent_at=timezone.now())
    return True
