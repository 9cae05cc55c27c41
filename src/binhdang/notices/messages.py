"""What each kind of notice says, written from its stored parameters in the active language:
one line (the list, and the e-mail's subject) and the e-mail's body (a template per kind,
`notices/email/<kind>.txt`).

Parameters are names and titles as typed, and language-free values shown here at display time:
dates as ISO text (`start`, `end`, `deadline`, the latter shown as it was said, by its
`deadline_kind`), a submission's `state` and a task's `status` as their codes."""

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from binhdang.plans.deadlines import DeadlineKind, deadline_label
from binhdang.plans.models import DisplayStatus
from binhdang.reporting.models import State

from .models import NoticeKind


@dataclass(frozen=True)
class Wording:
    line: Promise
    subject: Promise


WORDING = {
    NoticeKind.ROUND_OPENED: Wording(
        _("New reporting round “%(name)s”: the report of %(unit)s is due on %(deadline)s."),
        _("New reporting round: %(name)s"),
    ),
    NoticeKind.REPORT_DUE: Wording(
        _("The report of %(unit)s for “%(name)s” is due on %(deadline)s."),
        _("Reminder: report due %(deadline)s"),
    ),
    NoticeKind.REPORT_LATE: Wording(
        _("The report of %(unit)s for “%(name)s” is overdue: the deadline was %(deadline)s."),
        _("Report overdue: %(name)s"),
    ),
    NoticeKind.REPORT_SUBMITTED: Wording(
        _("%(unit)s has submitted its report for “%(name)s”; it waits for your review."),
        _("Report waiting for review: %(unit)s"),
    ),
    NoticeKind.REPORT_RETURNED: Wording(
        _("%(reviewer)s returned the report of %(unit)s for “%(name)s” for correction."),
        _("Report returned for correction: %(name)s"),
    ),
    NoticeKind.REPORT_ACCEPTED: Wording(
        _("%(reviewer)s accepted the report of %(unit)s for “%(name)s”."),
        _("Report accepted: %(name)s"),
    ),
    NoticeKind.TASK_ASSIGNED: Wording(
        _("%(assigned_by)s gave %(unit)s a new task, due %(deadline)s: %(title)s"),
        _("[Binhdang] New task: %(title)s"),
    ),
    NoticeKind.TASK_DUE: Wording(
        _("Task due in %(days)s day(s): %(title)s"),
        _("[Binhdang] Task due in %(days)s day(s): %(title)s"),
    ),
    NoticeKind.TASK_MISSED: Wording(
        _("Task overdue: %(title)s"),
        _("[Binhdang] Task overdue: %(title)s"),
    ),
}

DATE_KEYS = ("start", "end")
SUBJECT_TITLE_LENGTH = 80


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def values(params: dict) -> dict:
    """The parameters as the active language shows them."""
    shown = dict(params)
    for key in DATE_KEYS:
        if shown.get(key):
            shown[key] = formats.date_format(_date(shown[key]), "SHORT_DATE_FORMAT")
    if shown.get("deadline"):
        shown["deadline"] = deadline_label(
            _date(shown["deadline"]), shown.get("deadline_kind") or DeadlineKind.DAY
        )
    if shown.get("state"):
        shown["state"] = State(shown["state"]).label
    if shown.get("status"):
        shown["status"] = DisplayStatus(shown["status"]).label
    return shown


def line(kind: str, params: dict) -> str:
    """The notice's sentence (the kind's name for a notice stored before its wording asked for
    a parameter it lacks, rather than a broken list)."""
    kind = NoticeKind(kind)
    try:
        return str(WORDING[kind].line) % values(params)
    except KeyError:
        return str(kind.label)


def subject(kind: str, params: dict) -> str:
    """The e-mail's subject line (a long task title is cut)."""
    shown = values(params)
    if shown.get("title"):
        shown["title"] = Truncator(shown["title"]).chars(SUBJECT_TITLE_LENGTH)
    return " ".join((str(WORDING[NoticeKind(kind)].subject) % shown).split())


def body(kind: str, params: dict, *, name: str, url: str) -> str:
    """The e-mail's text for one person (`name`), with the absolute `url` to act at."""
    context = {**values(params), "recipient": name, "url": url}
    return render_to_string(f"notices/email/{kind}.txt", context).strip() + "\n"
