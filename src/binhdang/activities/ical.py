"""A user's calendar as iCalendar (RFC 5545): reporting rounds' and task deadlines, their unit's
activities and the year's observances, as all-day events with UIDs that stay the same from one
download to the next, so that calendar apps update events instead of duplicating them."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from binhdang.core import dates
from binhdang.plans.queries import deadlines
from binhdang.reporting.queries import round_deadlines

from . import observances, queries
from .models import Activity

# Months of the feed before and after today.
MONTHS_BEFORE = 3
MONTHS_AFTER = 12
UID_DOMAIN = "binhdang"
PRODID = "-//Binhdang//Lich cong tac binh dang gioi//VI"


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, 1)


def window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """From the first day of the month three months back to the end of the twelfth month ahead."""
    start = add_months(today, -MONTHS_BEFORE)
    end = add_months(today, MONTHS_AFTER + 1) - datetime.timedelta(days=1)
    return start, end


def task_deadlines(user, start: datetime.date, end: datetime.date):
    """The plans app's deadlines of tasks given to or by the user's unit."""
    return list(deadlines(user, start, end))


def feed_activities(user, start: datetime.date, end: datetime.date):
    """Activities the user's unit organises or co-organises that touch [start, end]."""
    unit = user.unit
    if unit is None:
        return Activity.objects.none()
    return (
        queries.of_unit(unit)
        .filter(start_date__lte=end, end_date__gte=start)
        .select_related("organiser")
        .order_by("start_date", "pk")
    )


def _event(uid: str, summary: str, first: datetime.date, last: datetime.date, stamp) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("summary", summary)
    event.add("dtstart", first)
    # All-day events end on the day after their last day (DTEND is exclusive).
    event.add("dtend", last + datetime.timedelta(days=1))
    event.add("dtstamp", stamp)
    event.add("transp", "TRANSPARENT")
    return event


def build(user, base_url: str, today: datetime.date | None = None) -> bytes:
    """The user's calendar for the feed's window, as iCalendar bytes."""
    today = today or dates.today()
    start, end = window(today)
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("Binhdang: %s") % (user.get_full_name() or user.username))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)

    for item in round_deadlines(user, start, end):
        round = item.round
        event = _event(
            f"round-{round.pk}",
            _("Report due: %s") % round.name,
            round.deadline,
            round.deadline,
            round.updated_at,
        )
        if item.submission is not None:
            text = _("Opened by %(opener)s. Your unit's report: %(state)s.") % {
                "opener": round.opener.name,
                "state": item.submission.get_state_display(),
            }
        else:
            text = _("Opened by %(opener)s. Follow and review the reports of the units asked.") % {
                "opener": round.opener.name
            }
        event.add("description", text)
        event.add("url", base_url + item.get_absolute_url())
        event.add("categories", [_("Reporting round")])
        calendar.add_component(event)

    for task in task_deadlines(user, start, end):
        summary = _("Deadline: %s") % task.title
        if task.deadline_words:
            summary = f"{summary} ({task.deadline_words})"
        event = _event(
            f"task-{task.pk}",
            summary,
            task.deadline,
            task.deadline,
            getattr(task, "updated_at", None) or now,
        )
        event.add(
            "description",
            _("Deadline %(deadline)s. Status: %(status)s.")
            % {
                "deadline": task.deadline_label,
                "status": _("overdue") if task.is_overdue else task.get_status_display(),
            },
        )
        event.add("url", base_url + task.get_absolute_url())
        event.add("categories", [_("Task")])
        calendar.add_component(event)

    for activity in feed_activities(user, start, end):
        event = _event(
            f"activity-{activity.pk}",
            activity.display_title,
            activity.start_date,
            activity.end_date,
            activity.updated_at,
        )
        lines = [
            f"{activity.get_kind_display()} — {activity.organiser.name}",
        ]
        if activity.note:
            lines.append(activity.note)
        event.add("description", "\n".join(lines))
        if activity.venue:
            event.add("location", activity.venue)
        event.add("url", base_url + activity.get_absolute_url())
        event.add("categories", [_("Activity")])
        calendar.add_component(event)

    for occurrence in observances.between(start, end):
        event = _event(occurrence.uid, occurrence.name, occurrence.start, occurrence.end, now)
        if occurrence.observance.sources:
            event.add("description", _("Source: %s") % occurrence.observance.sources[0])
        event.add("categories", [_("Observance")])
        calendar.add_component(event)
    return calendar.to_ical()
