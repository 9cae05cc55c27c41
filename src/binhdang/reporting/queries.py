"""Reads of reporting rounds that pages (and the consolidated report) share.

Rates are aggregate queries over a round's submissions: one query for the totals, one for the
breakdown by sub-unit (grouped on the materialised path, so a national round's 3,321 communes
are counted per province in SQL, never in a Python loop).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, StrIndex, Substr

from binhdang.accounts import permissions
from binhdang.accounts.models import User
from binhdang.core import dates
from binhdang.core.formatting import percent
from binhdang.indicators.queries import IndicatorRow, figure_rows, summary
from binhdang.orgunits.models import Level, OrgUnit

from .models import (
    EventKind,
    ReportingRound,
    RoundSection,
    RoundStatus,
    SectionText,
    State,
    Submission,
    SubmissionEvent,
)
from .narrative import draft_sections

# ---------------------------------------------------------------------------------------------
# Units in the order reports list them: departments first (by name), then the territorial units
# by official code.


def unit_sort_key(unit: OrgUnit) -> tuple:
    return (0 if unit.level == Level.DEPARTMENT else 1, unit.official_code, unit.search_name)


# ---------------------------------------------------------------------------------------------
# What a unit's own report compiles from the units below it.


@dataclass
class SectionCompilation:
    """One requested section with the accepted texts of the sub-units, in unit order."""

    key: str
    title: str
    entries: list[tuple[OrgUnit, str]] = field(default_factory=list)


def sub_rounds(unit: OrgUnit, year: int, kind: str = "") -> QuerySet[ReportingRound]:
    """Rounds the unit opened for a year (of the same kind when it opened one of that kind)."""
    rounds = ReportingRound.objects.filter(opener=unit, year=year)
    if kind and rounds.filter(kind=kind).exists():
        rounds = rounds.filter(kind=kind)
    return rounds


def subunit_submissions(round: ReportingRound, unit: OrgUnit) -> QuerySet[Submission]:
    """The submissions of the units `unit` requires for `round`: those of the round itself when
    the unit opened it; else those of the rounds the unit opened for the same year; else (a round
    that asks the unit's sub-units directly, e.g. a national round to all communes) those of the
    round's units below it."""
    if round.opener_id == unit.pk:
        return round.submissions.all()
    own = sub_rounds(unit, round.year, round.kind)
    if own.exists():
        return Submission.objects.filter(round__in=own)
    return round.submissions.filter(unit__path__startswith=unit.path).exclude(unit=unit)


def accepted_sections(round: ReportingRound, unit: OrgUnit) -> list[SectionCompilation]:
    """For each section `round` asks for, the texts of the accepted submissions of the unit's
    required sub-units, in unit order. A sub-round's section matches by key, else by title."""
    sections = list(round.sections.all())
    accepted = subunit_submissions(round, unit).filter(state=State.ACCEPTED)
    # Plain rows, then each unit once: a national report has thousands of texts.
    texts = list(
        SectionText.objects.filter(submission__in=accepted)
        .exclude(text="")
        .values_list("section__key", "section__title", "submission__unit_id", "text")
    )
    units = OrgUnit.objects.in_bulk({unit_id for _key, _title, unit_id, _text in texts})
    by_key: dict[str, list[tuple[OrgUnit, str]]] = {}
    titles = {section.title.casefold(): section.key for section in sections}
    keys = {section.key for section in sections}
    seen: set[tuple[str, int]] = set()
    for section_key, title, unit_id, text in texts:
        key = section_key if section_key in keys else titles.get(title.casefold())
        if key is None or (key, unit_id) in seen:
            continue
        seen.add((key, unit_id))
        by_key.setdefault(key, []).append((units[unit_id], text))
    return [
        SectionCompilation(
            section.key,
            section.title,
            sorted(by_key.get(section.key, []), key=lambda entry: unit_sort_key(entry[0])),
        )
        for section in sections
    ]


@dataclass
class SubunitStatus:
    """How far a unit's own sub-units are: the rounds it opened for the year, and how many of
    their reports are accepted."""

    rounds: list[ReportingRound]
    expected: int
    accepted: int

    @property
    def pending(self) -> int:
        return self.expected - self.accepted

    @property
    def complete(self) -> bool:
        return self.pending == 0


def subunit_status(submission: Submission) -> SubunitStatus:
    """The upward rule's input: the submission's unit's own rounds for the same year."""
    rounds = list(
        ReportingRound.objects.filter(opener_id=submission.unit_id, year=submission.round.year)
    )
    counts = Submission.objects.filter(round__in=rounds).aggregate(
        expected=Count("pk"), accepted=Count("pk", filter=Q(state=State.ACCEPTED))
    )
    return SubunitStatus(rounds, counts["expected"] or 0, counts["accepted"] or 0)


# ---------------------------------------------------------------------------------------------
# Reporting rates.


@dataclass
class Rates:
    """Counts of a set of submissions: expected, submitted (on time / late), missing..."""

    expected: int = 0
    submitted: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0
    accepted: int = 0
    awaiting_review: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    def share(self, count: int) -> str:
        return percent(100 * count / self.expected) if self.expected else "—"

    @property
    def submitted_share(self) -> str:
        return self.share(self.submitted)

    @property
    def on_time_share(self) -> str:
        return self.share(self.on_time)

    @property
    def accepted_share(self) -> str:
        return self.share(self.accepted)

    @property
    def submitted_percent(self) -> float:
        return 100 * self.submitted / self.expected if self.expected else 0


def _rate_aggregates(cutoff: datetime.datetime) -> dict:
    return {
        "expected": Count("pk"),
        "submitted": Count("pk", filter=Q(first_submitted_at__isnull=False)),
        "on_time": Count("pk", filter=Q(first_submitted_at__lt=cutoff)),
        "late": Count("pk", filter=Q(first_submitted_at__gte=cutoff)),
        "returned": Count("pk", filter=Q(state=State.RETURNED)),
        "accepted": Count("pk", filter=Q(state=State.ACCEPTED)),
        "awaiting_review": Count("pk", filter=Q(state=State.SUBMITTED)),
    }


RATE_FIELDS = (
    "expected",
    "submitted",
    "on_time",
    "late",
    "returned",
    "accepted",
    "awaiting_review",
)


def rates(round: ReportingRound, submissions: QuerySet[Submission] | None = None) -> Rates:
    """A round's rates over `submissions` (all of the round's by default), in one query.

    A report is on time when it was first submitted before the end of the deadline day
    (Vietnam time); a correction sent back after a return does not make it late."""
    qs = round.submissions.all() if submissions is None else submissions
    counts = qs.order_by().aggregate(**_rate_aggregates(round.cutoff))
    return Rates(**{name: counts[name] or 0 for name in RATE_FIELDS})


@dataclass
class SubunitRates:
    unit: OrgUnit
    rates: Rates


def rates_by_subunit(
    round: ReportingRound, within: OrgUnit, submissions: QuerySet[Submission] | None = None
) -> list[SubunitRates]:
    """The round's rates for each direct sub-unit of `within` (e.g. per province: how many of its
    communes reported), grouped in SQL on the path segment that follows `within`'s path."""
    qs = round.submissions.all() if submissions is None else submissions
    if not round.opener.is_within(within):
        qs = qs.filter(unit__path__startswith=within.path)
    start = len(within.path) + 1
    rest = Substr("unit__path", start)
    child = Cast(Substr("unit__path", start, StrIndex(rest, Value("/")) - 1), IntegerField())
    rows = (
        qs.exclude(unit_id=within.pk)
        .order_by()
        .annotate(child=child)
        .values("child")
        .annotate(**_rate_aggregates(round.cutoff))
    )
    counts = {row["child"]: Rates(**{n: row[n] for n in RATE_FIELDS}) for row in rows}
    units = OrgUnit.objects.filter(pk__in=counts)
    return sorted(
        (SubunitRates(unit, counts[unit.pk]) for unit in units),
        key=lambda row: unit_sort_key(row.unit),
    )


def grouping_unit(user, round: ReportingRound, within_pk=None) -> OrgUnit:
    """The unit whose sub-units the rates are broken down by: the one asked for (in scope), else
    the opener when the user sees it, else the user's own unit."""
    if within_pk:
        return permissions.get_report_unit(user, within_pk)
    if permissions.can_read_reports(user, round.opener):
        return round.opener
    return permissions.home_unit(user)


# ---------------------------------------------------------------------------------------------
# Lists.


def visible_rounds(user) -> QuerySet[ReportingRound]:
    """Rounds the user may see: opened by a unit in their scope, or asking one of their units or
    of the units whose reports they oversee."""
    opened = permissions.restrict(user, ReportingRound.objects.all(), "opener")
    asked = permissions.readable_reports(user, Submission.objects.all()).values("round_id")
    return ReportingRound.objects.filter(Q(pk__in=opened.values("pk")) | Q(pk__in=asked))


def can_see_round(user, round: ReportingRound) -> bool:
    """Those who see the opener see the round; others when it asks a unit whose reports they may
    read (in their subtree, or overseen)."""
    if permissions.can_view(user, round.opener):
        return True
    return permissions.readable_reports(user, round.submissions.all()).exists()


def round_submissions(user, round: ReportingRound) -> QuerySet[Submission]:
    """The round's submissions the user may see: all of them for those who see the opener
    (every required unit lies below it), else those whose reports they may read (in their
    subtree, or overseen)."""
    if permissions.can_view(user, round.opener):
        return round.submissions.all()
    return permissions.readable_reports(user, round.submissions.all())


def within(qs: QuerySet[Submission], round: ReportingRound, unit: OrgUnit) -> QuerySet[Submission]:
    """The submissions of units in `unit`'s subtree (no filter when that is the whole round)."""
    if round.opener.is_within(unit):
        return qs
    return qs.filter(unit__path__startswith=unit.path)


def filter_submissions(
    qs: QuerySet[Submission], round: ReportingRound, state: str = "", text: str = ""
) -> QuerySet[Submission]:
    """The list's filters: a state, "late", "missing", "on_time"; and words of a unit's name."""
    from binhdang.core.text import matching

    if state in State.values:
        qs = qs.filter(state=state)
    elif state == "missing":
        qs = qs.filter(first_submitted_at__isnull=True)
    elif state == "late":
        qs = qs.filter(first_submitted_at__gte=round.cutoff)
    elif state == "on_time":
        qs = qs.filter(first_submitted_at__lt=round.cutoff)
    return matching(qs, text, "unit__search_name")


def ordered(qs: QuerySet[Submission]) -> QuerySet[Submission]:
    return qs.select_related("unit", "unit__parent").order_by(
        "unit__level", "unit__official_code", "unit__search_name"
    )


@dataclass
class Contact:
    name: str
    role: str
    email: str
    phone: str


@dataclass
class MissingRow:
    submission: Submission
    contacts: list[Contact]
    standing_unit: OrgUnit | None
    reminded_today: bool
    last_reminder: datetime.date | None

    @property
    def has_email(self) -> bool:
        return any(contact.email for contact in self.contacts)


def with_contacts(submissions: list[Submission]) -> list[MissingRow]:
    """The units' contacts: their active accounts' e-mails and phones, and the standing agency of
    their committee where one is recorded (three queries for a page of units)."""
    from binhdang.committees.models import Committee

    unit_ids = [s.unit_id for s in submissions]
    contacts: dict[int, list[Contact]] = {}
    users = User.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("role", "username")
    for user in users:
        contacts.setdefault(user.unit_id, []).append(
            Contact(
                user.get_full_name() or user.username,
                user.get_role_display(),
                user.email,
                user.phone,
            )
        )
    standing = {
        c.unit_id: c.standing_unit
        for c in Committee.objects.filter(unit_id__in=unit_ids).select_related("standing_unit")
    }
    today = dates.today()
    last = dict(
        Submission.objects.filter(pk__in=[s.pk for s in submissions])
        .annotate(last=Max("reminders__sent_on"))
        .values_list("pk", "last")
    )
    return [
        MissingRow(
            s,
            contacts.get(s.unit_id, []),
            standing.get(s.unit_id),
            last.get(s.pk) == today,
            last.get(s.pk),
        )
        for s in submissions
    ]


# ---------------------------------------------------------------------------------------------
# A submission's page.


def submission_figures(submission: Submission) -> list[IndicatorRow]:
    """The requested indicators with the unit's figures for the round's year (rolled up live from
    the indicator data, the same rows the indicators pages show: `figure_rows`), their verdicts
    and breakdowns."""
    unit, year = submission.unit, submission.round.year
    indicators = list(
        submission.round.indicators.select_related("objective").order_by(
            "framework", "objective__number", "number"
        )
    )
    return figure_rows(indicators, [unit], year)[unit.pk] if indicators else []


def figures_summary(rows: list[IndicatorRow]) -> str:
    return str(summary(rows))


def section_texts(submission: Submission) -> list[tuple[RoundSection, str]]:
    """Each requested section with the submission's text (empty when not written yet)."""
    texts = dict(submission.texts.values_list("section_id", "text"))
    return [(section, texts.get(section.pk, "")) for section in submission.round.sections.all()]


def section_drafts(submission: Submission) -> dict[int, str]:
    """A first draft, written from the unit's data, for each section it has not written yet
    (by section id); sections the draft has nothing for are left out."""
    empty = [section for section, text in section_texts(submission) if not text.strip()]
    if not empty:
        return {}
    drafts = draft_sections(submission.round, submission.unit)
    return {section.pk: drafts[section.title] for section in empty if drafts.get(section.title)}


# ---------------------------------------------------------------------------------------------
# The reports home page.


def rounds_to_answer(unit: OrgUnit) -> QuerySet[Submission]:
    """The unit's own submissions, open rounds first."""
    return (
        Submission.objects.filter(unit=unit)
        .select_related("round", "round__opener")
        .order_by("round__status", "round__deadline")
    )


def opened_rounds(unit: OrgUnit) -> QuerySet[ReportingRound]:
    """Rounds the unit opened, each with its counts (one query)."""
    return (
        ReportingRound.objects.filter(opener=unit)
        .annotate(
            expected=Count("submissions"),
            submitted=Count("submissions", filter=Q(submissions__first_submitted_at__isnull=False)),
            accepted=Count("submissions", filter=Q(submissions__state=State.ACCEPTED)),
            awaiting=Count("submissions", filter=Q(submissions__state=State.SUBMITTED)),
        )
        .order_by("status", "-deadline")
    )


def other_rounds(user) -> QuerySet[ReportingRound]:
    """Rounds opened elsewhere (e.g. by the nation) that ask units in the user's scope."""
    unit = permissions.home_unit(user)
    return (
        visible_rounds(user)
        .exclude(opener_id=unit.pk if unit else None)
        .exclude(submissions__unit_id=unit.pk if unit else None)
        .select_related("opener")
        .order_by("status", "-deadline")
        .distinct()
    )


@dataclass
class RoundDeadline:
    """A round's deadline as the calendar and its feed show it to one user: the user's own unit's
    report when it is asked for one (the place to write it), else the round (to follow and review
    the units asked)."""

    round: ReportingRound
    submission: Submission | None = None

    @property
    def deadline(self) -> datetime.date:
        return self.round.deadline

    def get_absolute_url(self) -> str:
        return (self.submission or self.round).get_absolute_url()

    @property
    def is_overdue(self) -> bool:
        """The user's own report is not yet submitted and its deadline has passed."""
        submission = self.submission
        return bool(submission and not submission.was_submitted and submission.is_late)


def round_deadlines(user, start: datetime.date, end: datetime.date) -> list[RoundDeadline]:
    """Deadlines in [start, end] of the rounds the user reports for or reviews (those asking a
    unit of their scope, or opened by one), each with the user's own unit's report if asked."""
    rounds = list(
        visible_rounds(user)
        .filter(deadline__gte=start, deadline__lte=end)
        .select_related("opener")
        .order_by("deadline", "pk")
    )
    own_units = [unit.pk for unit in permissions.scope_roots(user)]
    own = {
        submission.round_id: submission
        for submission in Submission.objects.filter(round__in=rounds, unit_id__in=own_units)
        .select_related("unit")
        .order_by("pk")
    }
    for round in rounds:
        if round.pk in own:
            own[round.pk].round = round
    return [RoundDeadline(round, own.get(round.pk)) for round in rounds]


def awaiting_review(user) -> QuerySet[Submission]:
    """Submitted reports the user may review (approvers above the units)."""
    qs = permissions.restrict(user, Submission.objects.filter(state=State.SUBMITTED), "unit")
    if not permissions.sees_everything(user):
        qs = qs.exclude(unit_id__in=[root.pk for root in permissions.scope_roots(user)])
    return qs.select_related("unit", "round").order_by("submitted_at")


def days_left(round: ReportingRound) -> int:
    return (round.deadline - dates.today()).days


def overlapping_rounds(year: int, kind: str, units) -> list[ReportingRound]:
    """Open rounds of the same kind and year that already ask any of these units to report."""
    return list(
        ReportingRound.objects.filter(
            year=year,
            kind=kind,
            closed_at__isnull=True,
            submissions__unit__in=[unit.pk for unit in units],
        )
        .select_related("opener")
        .distinct()
        .order_by("pk")
    )


def to_write(unit: OrgUnit) -> QuerySet[Submission]:
    """The unit's reports it can work on now (open rounds, or returned to it), soonest deadline
    first, each with `return_comment`: the reviewer's comment of the latest return, if any."""
    from .services import AWAITING_UNIT  # services imports this module

    last_return = SubmissionEvent.objects.filter(
        submission=OuterRef("pk"), kind=EventKind.RETURNED
    ).order_by("-at", "-pk")
    return (
        Submission.objects.filter(unit=unit, state__in=AWAITING_UNIT)
        .filter(Q(round__status=RoundStatus.OPEN) | Q(state=State.RETURNED))
        .annotate(return_comment=Subquery(last_return.values("comment")[:1]))
        .select_related("round", "round__opener")
        .order_by("round__deadline", "pk")
    )
