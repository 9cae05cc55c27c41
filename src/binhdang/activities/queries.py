"""Reads of activities and commendations that pages, exports, the calendar and reports share.

Roll-ups are live aggregate queries over the materialised path of the organising unit: a unit's
figures are those of activities organised by the unit or any unit below it, and (for years before
the 2025 reorganisation) by the units it was formed from and everything below those. No query
walks the tree in Python.

Activities are counted as events: a record of "hơn 10 hội thảo" counts 10, and a count that
includes such a minimum is itself a minimum, shown "≥ 28" in tables and "ít nhất 28" in sentences.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhdang.accounts import permissions
from binhdang.core.db import among
from binhdang.core.formatting import percent
from binhdang.orgunits.models import Kind as UnitKind
from binhdang.orgunits.models import OrgUnit

from .models import KIND_ORDER, TOPIC_ORDER, Activity, ActivityTopic, Commendation, Kind, Topic


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def count_label(count: int, minimum: bool) -> str:
    """A number of events for a table: "28", or "≥ 28" when a counted record is a minimum."""
    return f"≥ {_number(count)}" if minimum else _number(count)


def count_words(count: int, minimum: bool) -> str:
    """A number of events for a sentence: "28", or "ít nhất 28"."""
    if minimum:
        return _("at least %(count)s") % {"count": _number(count)}
    return _number(count)


class Counted:
    """A number of events (`count`) and whether it is a minimum (`minimum`)."""

    count: int
    minimum: bool

    @property
    def count_label(self) -> str:
        return count_label(self.count, self.minimum)


@dataclass
class KindCount(Counted):
    """Activities of one kind: how many events, and their participants."""

    kind: str
    label: str
    count: int
    participants: int
    women: int
    minimum: bool = False

    @property
    def women_share(self) -> float | None:
        return 100 * self.women / self.participants if self.participants else None


@dataclass
class TopicCount(Counted):
    topic: str
    label: str
    count: int
    participants: int
    women: int
    minimum: bool = False

    @property
    def women_share(self) -> float | None:
        return 100 * self.women / self.participants if self.participants else None


@dataclass
class UnitCount(Counted):
    """Activities organised in the subtree of one unit below the unit looked at."""

    unit: OrgUnit
    count: int
    participants: int
    women: int
    is_self: bool = False
    minimum: bool = False

    @property
    def women_share(self) -> float | None:
        return 100 * self.women / self.participants if self.participants else None


@dataclass
class MonthCount(Counted):
    month: int
    count: int
    participants: int
    minimum: bool = False


def total_of(rows: list[KindCount]) -> KindCount:
    """The sum of rows by kind: all events, a minimum if any row is."""
    return KindCount(
        "",
        "",
        sum(r.count for r in rows),
        sum(r.participants for r in rows),
        sum(r.women for r in rows),
        minimum=any(r.minimum for r in rows),
    )


def event_total(activities: QuerySet[Activity]) -> tuple[int, bool]:
    """How many events a set of activities stands for, and whether that is a minimum."""
    row = activities.order_by().aggregate(**_totals())
    return row["n"], bool(row["floors"])


def lineage(unit: OrgUnit) -> list[OrgUnit]:
    """The unit and the units it was formed from: their subtrees make up its history."""
    return [unit, *unit.predecessors.all()]


def _in_subtrees(units: list[OrgUnit], field: str = "organiser") -> Q:
    condition = Q(pk__in=[])
    for root in units:
        condition |= Q(**{f"{field}__path__startswith": root.path})
    return condition


def in_subtree(unit: OrgUnit, start: datetime.date | None = None, end: datetime.date | None = None):
    """Activities organised in the unit's subtree (and its predecessors'), starting in
    [start, end]."""
    qs = Activity.objects.filter(_in_subtrees(lineage(unit)))
    if start:
        qs = qs.filter(start_date__gte=start)
    if end:
        qs = qs.filter(start_date__lte=end)
    return qs


def event_totals_in_subtrees(
    units: list[OrgUnit], start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[int, tuple[int, bool]]:
    """`event_total(in_subtree(unit, start, end))` of many units at once, by unit id, in one
    query grouped by organiser, and one for the units' predecessors: each organiser's path
    names the units whose subtree (or whose predecessors' subtree) holds it, and each organiser
    counts once for each of those units."""
    holders: dict[str, set[int]] = defaultdict(set)
    for unit in units:
        holders[unit.path].add(unit.pk)
    formed_from = OrgUnit.predecessors.through.objects.filter(
        from_orgunit_id__in=among(unit.pk for unit in units)
    ).values_list("from_orgunit_id", "to_orgunit__path")
    for pk, path in formed_from:
        holders[path].add(pk)
    activities = Activity.objects.all()
    if start:
        activities = activities.filter(start_date__gte=start)
    if end:
        activities = activities.filter(start_date__lte=end)
    totals = {unit.pk: [0, 0] for unit in units}
    for row in activities.order_by().values("organiser__path").annotate(**_totals()):
        parts = row["organiser__path"].strip("/").split("/")
        found: set[int] = set()
        for depth in range(1, len(parts) + 1):
            found |= holders.get("/" + "/".join(parts[:depth]) + "/", set())
        for pk in found:
            totals[pk][0] += row["n"]
            totals[pk][1] += row["floors"]
    return {pk: (n, bool(floors)) for pk, (n, floors) in totals.items()}


def visible_activities(user) -> QuerySet[Activity]:
    """Activities the user may see: organised or co-organised by a unit in their scope."""
    if permissions.sees_everything(user):
        return Activity.objects.all()
    organised = permissions.restrict(user, Activity.objects.all(), "organiser").values("pk")
    shared = permissions.restrict(user, Activity.objects.all(), "co_organisers").values("pk")
    return Activity.objects.filter(Q(pk__in=organised) | Q(pk__in=shared))


def of_unit(unit: OrgUnit) -> QuerySet[Activity]:
    """Activities the unit itself organises or co-organises."""
    return Activity.objects.filter(
        Q(organiser=unit) | Q(pk__in=Activity.objects.filter(co_organisers=unit).values("pk"))
    )


def _totals(prefix: str = ""):
    """Events (the sum of the records' counts), records that are minimums, participants, women."""
    return {
        "n": Coalesce(Sum(f"{prefix}event_count"), 0),
        "floors": Count("pk", filter=Q(**{f"{prefix}count_is_minimum": True})),
        "people": Coalesce(Sum(f"{prefix}participants"), 0),
        "female": Coalesce(Sum(f"{prefix}women"), 0),
    }


def counts_by_kind(activities: QuerySet[Activity]) -> list[KindCount]:
    """Any set of activities counted by kind, one row per kind present, in the kinds' order."""
    rows = activities.order_by().values("kind").annotate(**_totals())
    result = [
        KindCount(
            kind=row["kind"],
            label=str(Kind(row["kind"]).label),
            count=row["n"],
            participants=row["people"],
            women=row["female"],
            minimum=bool(row["floors"]),
        )
        for row in rows
        if row["kind"] in Kind.values
    ]
    return sorted(result, key=lambda row: KIND_ORDER[Kind(row.kind)])


def activity_counts(unit: OrgUnit, start: datetime.date, end: datetime.date) -> list[KindCount]:
    """Activities organised by units in the unit's subtree that start within [start, end],
    counted by kind, one row per kind that has activities (one aggregate query)."""
    return counts_by_kind(in_subtree(unit, start, end))


def counts_by_topic(activities: QuerySet[Activity]) -> list[TopicCount]:
    """Activities by topic; an activity with two topics counts under both."""
    rows = (
        ActivityTopic.objects.filter(activity__in=activities.order_by().values("pk"))
        .values("topic")
        .annotate(**_totals("activity__"))  # one row per activity and topic: sums are exact
        .order_by()
    )
    result = [
        TopicCount(
            row["topic"],
            str(Topic(row["topic"]).label),
            row["n"],
            row["people"],
            row["female"],
            minimum=bool(row["floors"]),
        )
        for row in rows
        if row["topic"] in Topic.values
    ]
    return sorted(result, key=lambda row: TOPIC_ORDER[Topic(row.topic)])


def counts_by_month(activities: QuerySet[Activity]) -> list[MonthCount]:
    """Activities by the month they start in (meant for one year's activities)."""
    rows = {
        row["month"]: row
        for row in activities.order_by()
        .annotate(month=ExtractMonth("start_date"))
        .values("month")
        .annotate(**_totals())
    }
    return [
        MonthCount(m, rows[m]["n"], rows[m]["people"], bool(rows[m]["floors"]))
        if m in rows
        else MonthCount(m, 0, 0)
        for m in range(1, 13)
    ]


def counts_by_subunit(unit: OrgUnit, activities: QuerySet[Activity]) -> list[UnitCount]:
    """The activities of the unit's subtree (already filtered) counted by the unit's direct
    sub-unit they were organised under, with the unit's own (and its predecessors') apart.

    One aggregate query by organiser path; each path names its ancestors, so the sub-unit is read
    off the path, then the sub-units' names come in one more query.
    """
    roots = {root.path: root for root in lineage(unit)}
    rows = activities.order_by().values("organiser__path").annotate(**_totals())
    grouped: dict[int, list[int]] = {}
    for row in rows:
        path = row["organiser__path"]
        root_path = max((p for p in roots if path.startswith(p)), key=len, default=None)
        if root_path is None:
            continue
        rest = path[len(root_path) :].strip("/")
        key = int(rest.split("/")[0]) if rest else roots[root_path].pk
        totals = grouped.setdefault(key, [0, 0, 0, 0])
        totals[0] += row["n"]
        totals[1] += row["people"]
        totals[2] += row["female"]
        totals[3] += row["floors"]
    units = OrgUnit.objects.in_bulk(list(grouped))
    own_ids = {root.pk for root in roots.values()}
    result = [
        UnitCount(units[pk], n, people, female, is_self=pk in own_ids, minimum=bool(floors))
        for pk, (n, people, female, floors) in grouped.items()
        if pk in units
    ]
    return sorted(result, key=lambda r: (not r.is_self, -r.count, r.unit.search_name))


# The summary sentence ---------------------------------------------------------------------------


# Counted nouns: "12 lớp tập huấn", "5 hội nghị"...
def _counted(kind: str, count: int, minimum: bool = False) -> str:
    number = count_words(count, minimum)
    phrases = {
        Kind.CONFERENCE: ngettext("%(count)s conference", "%(count)s conferences", count),
        Kind.TRAINING: ngettext("%(count)s training course", "%(count)s training courses", count),
        Kind.WORKSHOP: ngettext("%(count)s workshop", "%(count)s workshops", count),
        Kind.TALK: ngettext("%(count)s talk", "%(count)s talks", count),
        Kind.MEETING: ngettext("%(count)s meeting", "%(count)s meetings", count),
        Kind.CAMPAIGN: ngettext(
            "%(count)s communication campaign", "%(count)s communication campaigns", count
        ),
        Kind.CONTEST: ngettext("%(count)s contest", "%(count)s contests", count),
        Kind.COMMEMORATION: ngettext(
            "%(count)s rally or commemoration", "%(count)s rallies or commemorations", count
        ),
        Kind.DELEGATION: ngettext(
            "%(count)s international delegation", "%(count)s international delegations", count
        ),
        Kind.OTHER: ngettext("%(count)s other activity", "%(count)s other activities", count),
    }
    return phrases[Kind(kind)] % {"count": number}


def _with_people(phrase: str, participants: int, women: int) -> str:
    if not participants:
        return phrase
    text = _("%(what)s for %(participants)s participants") % {
        "what": phrase,
        "participants": _number(participants),
    }
    if women:
        text = _("%(what)s, %(share)s of them women") % {
            "what": text,
            "share": percent(100 * women / participants),
        }
    return text


TERRITORIAL_KINDS = {
    UnitKind.PROVINCE,
    UnitKind.CITY,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.TOWNSHIP,
    UnitKind.SPECIAL_ZONE,
    UnitKind.URBAN_DISTRICT,
    UnitKind.RURAL_DISTRICT,
    UnitKind.TOWN,
    UnitKind.PROVINCIAL_CITY,
}


def unit_in_sentence(unit: OrgUnit) -> str:
    """ "tỉnh Quảng Ngãi": a territorial unit's kind word takes a small letter mid-sentence."""
    name = unit.name
    if unit.kind in TERRITORIAL_KINDS and name:
        return name[0].lower() + name[1:]
    return name


def period_phrase(start: datetime.date, end: datetime.date) -> str:
    """ "Năm 2023" for a calendar year, else "Từ ngày 01/01/2023 đến ngày 30/06/2023"."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return _("In %(year)s") % {"year": str(start.year)}
    return _("From %(start)s to %(end)s") % {
        "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
    }


def summary_from_counts(
    unit: OrgUnit, start: datetime.date, end: datetime.date, counts: list[KindCount]
) -> str:
    """The sentence of `activity_summary`, from counts already read."""
    period = period_phrase(start, end)
    who = unit_in_sentence(unit)
    if not counts:
        return _("%(period)s, %(unit)s recorded no activities.") % {"period": period, "unit": who}
    parts = [
        _with_people(_counted(c.kind, c.count, c.minimum), c.participants, c.women) for c in counts
    ]
    if len(counts) == 1:
        held = parts[0]
    else:
        total = total_of(counts)
        overall = _with_people(
            _("%(count)s activities") % {"count": count_words(total.count, total.minimum)},
            total.participants,
            total.women,
        )
        held = _("%(total)s, including %(parts)s") % {"total": overall, "parts": "; ".join(parts)}
    return _("%(period)s, %(unit)s held %(activities)s.") % {
        "period": period,
        "unit": who,
        "activities": held,
    }


def activity_summary(unit: OrgUnit, start: datetime.date, end: datetime.date) -> str:
    """A sentence for reports: "Năm 2023, tỉnh Quảng Ngãi tổ chức 12 lớp tập huấn cho 1.340
    lượt người tham gia, 62,0% là nữ." in the active language's formats."""
    return summary_from_counts(unit, start, end, activity_counts(unit, start, end))


# Commendations ----------------------------------------------------------------------------------


def visible_commendations(user) -> QuerySet[Commendation]:
    return permissions.restrict(user, Commendation.objects.all(), "proposing_unit")


def commendations_in(unit: OrgUnit) -> QuerySet[Commendation]:
    """Proposals made by the unit or any unit below it (and its predecessors')."""
    return Commendation.objects.filter(_in_subtrees(lineage(unit), "proposing_unit"))


def commendation_counts(commendations: QuerySet[Commendation]) -> dict[str, int]:
    return dict(commendations.order_by().values_list("status").annotate(n=Count("pk")))
