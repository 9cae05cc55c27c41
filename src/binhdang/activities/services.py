"""Every write to activities, commendations and calendar feeds, with their rules.

Activity rules (issue 6): the end is not before the start; participant figures are not negative;
women, the groups (leaders, officers, public) and the levels (province, district, commune,
departments) each do not exceed the total; a record of several events (issue 12: "hơn 10 hội thảo")
counts at least one; a number of online
sites needs the sites described; the organiser lies in the actor's editable scope. A refusal is a
ValidationError naming the field, and nothing is written. Commendations are proposed by a unit's
data officer and decided (approved with a decision, or rejected with a reason) by an approver
above the proposing unit.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.core import concurrency, dates
from binhdang.orgunits.models import OrgUnit

from .models import (
    Activity,
    ActivityOutput,
    ActivityTopic,
    AwardForm,
    AwardLevel,
    CalendarFeed,
    Commendation,
    CommendationStatus,
    Kind,
    NomineeKind,
    Sex,
    Topic,
    new_token,
)

# Figures an activity records, in the order forms and sheets show them.
GROUP_FIELDS = ("leaders", "officers", "public")
LEVEL_FIELDS = ("from_province", "from_district", "from_commune", "from_departments")
COUNT_FIELDS = (
    "event_count",
    "online_site_count",
    "participants",
    "women",
    *GROUP_FIELDS,
    *LEVEL_FIELDS,
)
FIELD_LABELS = {
    "event_count": lambda: _("Number of events"),
    "online_site_count": lambda: _("Number of online sites"),
    "participants": lambda: _("Participants (total)"),
    "women": lambda: _("Women participants"),
    "leaders": lambda: _("Leaders and managers"),
    "officers": lambda: _("Officers and civil servants"),
    "public": lambda: _("Members of the public"),
    "from_province": lambda: _("Participants from the provincial level"),
    "from_district": lambda: _("Participants from the district level"),
    "from_commune": lambda: _("Participants from the commune level"),
    "from_departments": lambda: _("Participants from departments and agencies"),
    "cost": lambda: _("Cost (VND)"),
}
URL_PATTERN = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass
class Link:
    url: str
    title: str = ""

    def __str__(self) -> str:
        return f"{self.title} - {self.url}" if self.title else self.url


@dataclass
class ActivityData:
    """What a form or a sheet row says about an activity."""

    title: str
    kind: str
    start_date: datetime.date | None
    organiser: OrgUnit | None
    end_date: datetime.date | None = None
    co_organisers: list[OrgUnit] = field(default_factory=list)
    partners: str = ""
    venue: str = ""
    online_sites: str = ""
    online_site_count: int | None = None
    event_count: int | None = 1
    count_is_minimum: bool = False
    participants: int | None = None
    women: int | None = None
    leaders: int | None = None
    officers: int | None = None
    public: int | None = None
    from_province: int | None = None
    from_district: int | None = None
    from_commune: int | None = None
    from_departments: int | None = None
    topics: list[str] = field(default_factory=list)
    outputs: list[Link] = field(default_factory=list)
    cost: int | None = None
    note: str = ""


def _n(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def _squash(text: str) -> str:
    return " ".join((text or "").split())


def parse_links(text: str) -> tuple[list[Link], list[str]]:
    """Links written one per line, optionally with a title before or after the address:
    "Tin bài trên Cổng TTĐT tỉnh - https://…". Returns the links and the lines without one."""
    links, bad = [], []
    validate = URLValidator(schemes=["http", "https"])
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = URL_PATTERN.search(line)
        if not match:
            bad.append(
                _("line %(number)d has no link (http://… or https://…)") % {"number": number}
            )
            continue
        url = match.group(0).rstrip(".,;)")
        try:
            validate(url)
        except ValidationError:
            bad.append(
                _("line %(number)d: “%(url)s” is not a valid link") % {"number": number, "url": url}
            )
            continue
        title = (line[: match.start()] + " " + line[match.end() :]).strip(" -–—:|\t")
        links.append(Link(url=url, title=_squash(title)[:500]))
    return links, bad


def links_text(links) -> str:
    """Links back as the one-per-line text `parse_links` reads."""
    return "\n".join(f"{link.title} - {link.url}" if link.title else link.url for link in links)


def check_activity(actor, data: ActivityData) -> dict[str, str]:
    """The rules an activity must meet, as {field: message}; empty when it meets them all."""
    errors: dict[str, str] = {}
    data.title = _squash(data.title)
    if not data.title:
        errors["title"] = _("Enter the activity's title.")
    elif len(data.title) > Activity._meta.get_field("title").max_length:
        errors["title"] = _("The title is too long (at most 500 characters).")
    if data.kind not in Kind.values:
        errors["kind"] = _("Choose the kind of activity.")
    if data.start_date is None:
        errors["start_date"] = _("Enter the start date.")
    if data.end_date is None:
        data.end_date = data.start_date
    elif data.start_date and data.end_date < data.start_date:
        errors["end_date"] = _("The end date cannot be before the start date.")
    if data.organiser is None:
        errors["organiser"] = _("Choose the organising unit.")
    elif not permissions.can_edit(actor, data.organiser):
        errors["organiser"] = (
            _(
                "You cannot record activities of “%s”: it is outside the units you may enter "
                "data for."
            )
            % data.organiser.name
        )
    elif data.organiser.after_end(data.start_date):
        errors["organiser"] = data.organiser.after_end(data.start_date)
    bad_topics = [t for t in data.topics if t not in Topic.values]
    if bad_topics:
        errors["topics"] = _("Unknown topic: %s.") % ", ".join(bad_topics)
    data.topics = list(dict.fromkeys(data.topics))

    if data.event_count is None:
        data.event_count = 1  # a record left without a number is one event
    data.count_is_minimum = bool(data.count_is_minimum)
    for name in (*COUNT_FIELDS, "cost"):
        value = getattr(data, name)
        if value is not None and value < 0:
            errors[name] = _("%(field)s cannot be negative.") % {"field": FIELD_LABELS[name]()}
    if data.event_count == 0:
        errors["event_count"] = _(
            "The number of events is at least 1; leave it empty for a single event."
        )
    total, women = data.participants, data.women
    if women is not None and "women" not in errors:
        if total is None:
            errors["women"] = _(
                "Enter the total number of participants before the number of women."
            )
        elif "participants" not in errors and women > total:
            errors["women"] = _(
                "Women participants (%(women)s) cannot exceed the total number of participants "
                "(%(total)s)."
            ) % {"women": _n(women), "total": _n(total)}
    groups = [getattr(data, name) for name in GROUP_FIELDS]
    if any(g is not None for g in groups) and not any(n in errors for n in GROUP_FIELDS):
        group_sum = sum(g or 0 for g in groups)
        if total is None:
            errors["leaders"] = _(
                "Enter the total number of participants before the numbers by group."
            )
        elif "participants" not in errors and group_sum > total:
            errors["leaders"] = _(
                "Leaders, officers and members of the public together (%(sum)s) cannot exceed the "
                "total number of participants (%(total)s)."
            ) % {"sum": _n(group_sum), "total": _n(total)}
    # Reviews may give the levels without a total ("200 người cấp xã"): the rule binds only
    # where the total is given.
    levels = [getattr(data, name) for name in LEVEL_FIELDS]
    if total is not None and not any(n in errors for n in (*LEVEL_FIELDS, "participants")):
        level_sum = sum(n or 0 for n in levels)
        if level_sum > total:
            errors["from_province"] = _(
                "Participants from the provincial, district and commune levels and from "
                "departments together (%(sum)s) cannot exceed the total number of participants "
                "(%(total)s)."
            ) % {"sum": _n(level_sum), "total": _n(total)}
    data.online_sites = "\n".join(
        line.strip() for line in (data.online_sites or "").splitlines() if line.strip()
    )
    count = data.online_site_count
    if count and "online_site_count" not in errors and not data.online_sites:
        errors["online_site_count"] = _(
            "There are %(count)s online sites but none is described: list the online sites "
            "(one per line), or leave the number empty."
        ) % {"count": _n(count)}
    if data.online_sites and count is None:
        data.online_site_count = len(data.online_sites.splitlines())
    data.partners = _squash(data.partners)
    data.venue = _squash(data.venue)
    for name, limit in (("partners", 500), ("venue", 500)):
        if len(getattr(data, name)) > limit:
            errors[name] = _("Too long (at most %(limit)d characters).") % {"limit": limit}
    data.co_organisers = [u for u in dict.fromkeys(data.co_organisers) if u != data.organiser]
    return errors


def _check(actor, data: ActivityData) -> None:
    errors = check_activity(actor, data)
    if errors:
        raise ValidationError(errors)


# The activity's own columns that an ActivityData sets (the rest are its links and topics).
COLUMNS = (
    "title",
    "kind",
    "start_date",
    "end_date",
    "organiser",
    "partners",
    "venue",
    "online_sites",
    "count_is_minimum",
    *COUNT_FIELDS,
    "cost",
    "note",
)


def activity_values(activity: Activity) -> dict:
    """What is stored, in ActivityData's terms: what an edit page saw, or what it now finds."""
    values = {name: getattr(activity, name) for name in COLUMNS}
    values["co_organisers"] = list(activity.co_organisers.all())
    values["topics"] = [t.topic for t in activity.topics.all()]
    values["outputs"] = [Link(url=o.url, title=o.title) for o in activity.outputs.all()]
    return values


def _write(activity: Activity, data: ActivityData) -> Activity:
    for name in COLUMNS:
        setattr(activity, name, getattr(data, name))
    activity.note = (data.note or "").strip()
    activity.save()
    activity.co_organisers.set(data.co_organisers)
    existing = {t.topic: t for t in activity.topics.all()}
    for code, row in existing.items():
        if code not in data.topics:
            row.delete()
    for code in data.topics:
        if code not in existing:
            ActivityTopic.objects.create(activity=activity, topic=code)
    old = [(o.url, o.title) for o in activity.outputs.all()]
    new = [(link.url, link.title) for link in data.outputs]
    if old != new:
        activity.outputs.all().delete()
        for link in data.outputs:
            ActivityOutput.objects.create(activity=activity, url=link.url, title=link.title)
    return activity


@transaction.atomic
def create_activity(actor, data: ActivityData) -> Activity:
    """Record an activity."""
    _check(actor, data)
    return _write(Activity(created_by=actor if actor.pk else None), data)


def _check_can_change(actor, activity: Activity) -> None:
    if not permissions.can_edit(actor, activity.organiser):
        raise PermissionDenied(
            _("You cannot change the activities of “%s”.") % activity.organiser.name
        )


@transaction.atomic
def update_activity(actor, activity: Activity, data: ActivityData, *, seen=None) -> Activity:
    """Change an activity; its organiser may move only within the actor's scope.

    `seen`: the fingerprints of the page the change was made on (core.concurrency): fields
    someone else changed meanwhile are kept, a field both changed is refused (StaleEdit), and
    nothing is written when nothing changed."""
    activity = concurrency.locked(activity)
    _check_can_change(actor, activity)
    _check(actor, data)  # also puts the data in stored form (one-day end date, counted sites)
    if not concurrency.merge(data, activity_values(activity), seen):
        return activity
    _check(actor, data)  # the merged whole must still hold together
    return _write(activity, data)


@transaction.atomic
def delete_activity(actor, activity: Activity) -> None:
    _check_can_change(actor, activity)
    activity.delete()


def find_existing(data: ActivityData) -> Activity | None:
    """An activity already recorded with the same organiser, start date and title."""
    if not (data.organiser and data.start_date and data.title):
        return None
    wanted = _squash(data.title).casefold()
    for activity in Activity.objects.filter(organiser=data.organiser, start_date=data.start_date):
        if _squash(activity.title).casefold() == wanted:
            return activity
    return None


@transaction.atomic
def import_activities(actor, rows: list[tuple[int, ActivityData]]) -> list[Activity]:
    """Record the activities of an imported sheet: all of them, or none, refusals by row."""
    problems, checked = [], []
    for number, data in rows:
        errors = check_activity(actor, data)
        if errors:
            problems += [
                _("Row %(row)d: %(message)s") % {"row": number, "message": message}
                for message in errors.values()
            ]
        else:
            checked.append(data)
    if problems:
        raise ValidationError(problems)
    return [_write(Activity(created_by=actor if actor.pk else None), data) for data in checked]


# Commendations ----------------------------------------------------------------------------------


@dataclass
class ProposalData:
    year: int | None
    nominee_kind: str
    nominee: str
    award_form: str
    award_level: str
    reason: str
    proposing_unit: OrgUnit | None
    sex: str = ""
    position: str = ""


def _check_proposal(actor, data: ProposalData) -> None:
    errors = {}
    data.nominee = _squash(data.nominee)
    data.position = _squash(data.position)
    data.reason = (data.reason or "").strip()
    if data.proposing_unit is None:
        errors["proposing_unit"] = _("Choose the proposing unit.")
    elif not permissions.can_edit(actor, data.proposing_unit):
        errors["proposing_unit"] = (
            _("You cannot make proposals for “%s”: it is outside the units you may enter data for.")
            % data.proposing_unit.name
        )
    if data.year is None or not 2000 <= data.year <= dates.today().year + 1:
        errors["year"] = _("Enter a year between 2000 and next year.")
    if data.nominee_kind not in NomineeKind.values:
        errors["nominee_kind"] = _("Choose individual or collective.")
    if not data.nominee:
        errors["nominee"] = _("Enter the name of the individual or collective.")
    elif len(data.nominee) > 255:
        errors["nominee"] = _("Too long (at most %(limit)d characters).") % {"limit": 255}
    if data.sex and data.sex not in Sex.values:
        errors["sex"] = _("Choose female or male.")
    if data.nominee_kind == NomineeKind.COLLECTIVE:
        data.sex = ""
    if data.award_form not in AwardForm.values:
        errors["award_form"] = _("Choose the form of award.")
    if data.award_level not in AwardLevel.values:
        errors["award_level"] = _("Choose who grants the award.")
    if not data.reason:
        errors["reason"] = _("Describe the achievements the proposal rests on.")
    if errors:
        raise ValidationError(errors)


PROPOSAL_FIELDS = (
    "year",
    "nominee_kind",
    "nominee",
    "sex",
    "position",
    "award_form",
    "award_level",
    "reason",
    "proposing_unit",
)


def proposal_values(commendation: Commendation) -> dict:
    """What is stored, in ProposalData's terms."""
    return {name: getattr(commendation, name) for name in PROPOSAL_FIELDS}


def _fill(commendation: Commendation, data: ProposalData) -> Commendation:
    for name in PROPOSAL_FIELDS:
        setattr(commendation, name, getattr(data, name))
    commendation.save()
    return commendation


@transaction.atomic
def propose(actor, data: ProposalData) -> Commendation:
    """A unit proposes someone (or a collective) for an award."""
    _check_proposal(actor, data)
    return _fill(Commendation(proposed_by=actor if actor.pk else None), data)


@transaction.atomic
def update_proposal(
    actor, commendation: Commendation, data: ProposalData, *, seen=None
) -> Commendation:
    """Change a proposal while it awaits a decision (`seen`: as for `update_activity`)."""
    commendation = concurrency.locked(commendation)
    if not permissions.can_edit(actor, commendation.proposing_unit):
        raise PermissionDenied(
            _("You cannot change the proposals of “%s”.") % commendation.proposing_unit.name
        )
    if not commendation.is_open:
        raise ValidationError(_("This proposal has been decided and can no longer be changed."))
    _check_proposal(actor, data)
    if not concurrency.merge(data, proposal_values(commendation), seen):
        return commendation
    _check_proposal(actor, data)
    return _fill(commendation, data)


@transaction.atomic
def withdraw_proposal(actor, commendation: Commendation) -> None:
    """The proposing unit withdraws a proposal that awaits a decision."""
    if not permissions.can_edit(actor, commendation.proposing_unit):
        raise PermissionDenied(
            _("You cannot change the proposals of “%s”.") % commendation.proposing_unit.name
        )
    if not commendation.is_open:
        raise ValidationError(_("This proposal has been decided and can no longer be changed."))
    commendation.delete()


def can_decide(actor, commendation: Commendation) -> bool:
    """An approver of a unit above the proposing unit decides its proposals."""
    return permissions.can_review(actor, commendation.proposing_unit)


def _check_decide(actor, commendation: Commendation) -> None:
    if not can_decide(actor, commendation):
        raise PermissionDenied(
            _("Only an approver of a unit above “%s” can decide its proposals.")
            % commendation.proposing_unit.name
        )
    if not commendation.is_open:
        raise ValidationError(
            _("This proposal has already been decided (%s).") % commendation.get_status_display()
        )


@transaction.atomic
def approve(
    actor, commendation: Commendation, *, decision_number: str, decision_date: datetime.date | None
) -> Commendation:
    """Approve a proposal with the decision that grants the award."""
    commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    _check_decide(actor, commendation)
    errors = {}
    number = _squash(decision_number)
    if not number:
        errors["decision_number"] = _("Enter the decision's number and symbol.")
    elif len(number) > 64:
        errors["decision_number"] = _("Too long (at most %(limit)d characters).") % {"limit": 64}
    if decision_date is None:
        errors["decision_date"] = _("Enter the decision date.")
    elif decision_date > dates.today():
        errors["decision_date"] = _("The decision date cannot be in the future.")
    elif decision_date.year < commendation.year:
        errors["decision_date"] = _(
            "The decision cannot be dated before the year of the proposal (%(year)s)."
        ) % {"year": str(commendation.year)}
    if errors:
        raise ValidationError(errors)
    commendation.status = CommendationStatus.APPROVED
    commendation.decision_number = number
    commendation.decision_date = decision_date
    commendation.reviewed_by = actor
    commendation.reviewed_at = timezone.now()
    commendation.save()
    return commendation


@transaction.atomic
def reject(actor, commendation: Commendation, *, reason: str) -> Commendation:
    """Turn a proposal down, saying why."""
    commendation = Commendation.objects.select_for_update().get(pk=commendation.pk)
    _check_decide(actor, commendation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"review_note": _("Say why the proposal is rejected.")})
    commendation.status = CommendationStatus.REJECTED
    commendation.review_note = reason
    commendation.reviewed_by = actor
    commendation.reviewed_at = timezone.now()
    commendation.save()
    return commendation


# Calendar feeds ---------------------------------------------------------------------------------


def feed_for(user) -> CalendarFeed:
    """The user's calendar feed, created on first use."""
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def regenerate_feed(user) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed = feed_for(user)
    feed.token = new_token()
    feed.save()
    return feed
