"""Deadlines say how they were written; "before month M" now ends the day before the 1st of M.

Until now a month deadline was a flag and the month's LAST day: "trước tháng 10/2024" was stored as
31/10/2024, a month late for the calendar, the overdue list and the reminders. Each such deadline
becomes kind "before_month" on the last day of the month before (30/09/2024). Going back, a
"before_month" deadline returns to the flag on the last day of its month; every other kind keeps
its date as an exact day (the old model could not say "quý III" or "trong tháng").
"""

import calendar
import datetime

from django.db import migrations, models

BEFORE_MONTH = "before_month"
DAY = "day"


def from_flag(deadline: datetime.date, is_month: bool) -> tuple[datetime.date, str]:
    """The new (date, kind) of an old (date, is a month) deadline."""
    if not is_month:
        return deadline, DAY
    return deadline.replace(day=1) - datetime.timedelta(days=1), BEFORE_MONTH


def to_flag(deadline: datetime.date, kind: str) -> tuple[datetime.date, bool]:
    """The old (date, is a month) of a new (date, kind) deadline."""
    if kind != BEFORE_MONTH:
        return deadline, False
    month = deadline + datetime.timedelta(days=1)
    last = calendar.monthrange(month.year, month.month)[1]
    return month.replace(day=last), True


def forward(apps, schema_editor):
    for name in ("Task", "Recommendation"):
        objects = apps.get_model("plans", name).objects.using(schema_editor.connection.alias)
        rows = list(objects.filter(deadline_is_month=True).only("pk", "deadline"))
        for row in rows:
            row.deadline, row.deadline_kind = from_flag(row.deadline, True)
        objects.bulk_update(rows, ["deadline", "deadline_kind"], batch_size=500)


def backward(apps, schema_editor):
    for name in ("Task", "Recommendation"):
        objects = apps.get_model("plans", name).objects.using(schema_editor.connection.alias)
        rows = list(objects.filter(deadline_kind=BEFORE_MONTH).only("pk", "deadline"))
        for row in rows:
            row.deadline, row.deadline_is_month = to_flag(row.deadline, BEFORE_MONTH)
        objects.bulk_update(rows, ["deadline", "deadline_is_month"], batch_size=500)


KIND = models.CharField(
    choices=[
        ("day", "On a day"),
        ("within_month", "Within a month"),
        ("before_month", "Before a month"),
        ("quarter", "Within a quarter"),
        ("half_year", "Within a half-year"),
        ("end_of_year", "By the end of a year"),
    ],
    default="day",
    max_length=16,
    verbose_name="due date written as",
)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="task", name="deadline_kind", field=KIND.clone()),
        migrations.AddField(model_name="recommendation", name="deadline_kind", field=KIND.clone()),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="task", name="deadline_is_month"),
        migrations.RemoveField(model_name="recommendation", name="deadline_is_month"),
    ]
