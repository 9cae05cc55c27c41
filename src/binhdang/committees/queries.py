"""Reads of committees that pages and documents share."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from binhdang.core import dates
from binhdang.orgunits.models import OrgUnit

from .models import ROLE_ORDER, SINGLE_HOLDER_ROLES, Committee, Decision, Membership, Role, Sex


def members_on(committee: Committee, date: datetime.date) -> list[Membership]:
    """Who sat on the committee on a date, in the order of roles, then names."""
    rows = committee.memberships.on(date).select_related(
        "person", "person__unit", "represented_unit", "decision"
    )
    # Named members first within a role, then those known by the unit they represent.
    return sorted(
        rows,
        key=lambda m: (
            ROLE_ORDER[Role(m.role)],
            not m.person.full_name,
            m.person.full_name or m.represented_name,
        ),
    )


def decision_on(committee: Committee, date: datetime.date) -> Decision | None:
    """The decision in force on a date: the latest one dated on or before it."""
    return committee.decisions.filter(date__lte=date).order_by("-date").first()


def last_day(unit: OrgUnit, today: datetime.date | None = None) -> datetime.date:
    """The day a committee's page shows by default: today, or the day its unit ended."""
    today = today or dates.today()
    return min(today, unit.valid_to) if unit.valid_to else today


def former_committees(unit: OrgUnit) -> QuerySet[Committee]:
    """The committees of the units this one was formed from (a ministry's or a province's
    history), with their units."""
    return (
        Committee.objects.filter(unit__in=unit.predecessors.all())
        .select_related("unit")
        .order_by("unit__search_name")
    )


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def attention(committee: Committee, today: datetime.date | None = None) -> list[str]:
    """What needs attention on a committee, as sentences for its page."""
    today = today or dates.today()
    notes = []
    current = members_on(committee, today)
    for role in SINGLE_HOLDER_ROLES:
        holders = [m.label for m in current if m.role == role]
        if len(holders) > 1:
            notes.append(
                _("More than one %(role)s at once: %(names)s.")
                % {"role": Role(role).label.lower(), "names": ", ".join(holders)}
            )
    if not any(m.role == Role.HEAD for m in current):
        notes.append(_("The committee has no head."))
    for m in current:
        gone = [u for u in (m.represented_unit, m.person.unit) if u is not None and not u.is_live]
        for unit in dict.fromkeys(gone):
            notes.append(
                _("%(name)s belongs to “%(unit)s”, which no longer exists (since %(date)s).")
                % {"name": m.label, "unit": unit.name, "date": _date(unit.valid_to)}
            )
        if m.term_end and m.term_end < today:
            notes.append(
                _("The term of %(name)s ended on %(date)s.")
                % {"name": m.label, "date": _date(m.term_end)}
            )
    unnamed = sum(1 for m in current if not m.person.full_name)
    if unnamed:
        notes.append(
            ngettext(
                "%(count)d member is recorded without a name: enter it when known.",
                "%(count)d members are recorded without a name: enter them when known.",
                unnamed,
            )
            % {"count": unnamed}
        )
    for decision in committee.decisions.filter(number="").order_by("date"):
        notes.append(
            _(
                "Incomplete: the decision of %(date)s has no number yet; enter its number and "
                "symbol when known."
            )
            % {"date": _date(decision.date)}
        )
    latest = committee.decisions.order_by("-date").first()
    years = settings.COMMITTEE_RECONSTITUTE_YEARS
    if latest is None:
        notes.append(_("No decision constituting the committee is recorded."))
    else:
        if latest.date < today.replace(year=today.year - years):
            notes.append(
                _("Not reconstituted for more than %(years)d years (last decision %(date)s).")
                % {"years": years, "date": _date(latest.date)}
            )
        if not latest.file:
            notes.append(_("Decision %s has no scanned file.") % latest.label)
    return notes


@dataclass
class CoverageRow:
    unit: OrgUnit
    committee: Committee | None
    members: int
    women: int
    head_name: str
    unknown_sex: int = 0


@dataclass
class Coverage:
    """Women among members and heads; members whose sex is not known (recorded by role without a
    name) are counted apart, so a share of women is taken over members of known sex."""

    rows: list[CoverageRow]
    members: int
    women: int
    heads: int
    women_heads: int
    unknown_sex: int = 0
    heads_unknown_sex: int = 0

    @property
    def known_sex(self) -> int:
        return self.members - self.unknown_sex

    @property
    def heads_known_sex(self) -> int:
        return self.heads - self.heads_unknown_sex

    @property
    def with_committee(self) -> int:
        return sum(1 for row in self.rows if row.committee)

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return 100 * part / whole if whole else None


def coverage(units: QuerySet[OrgUnit], today: datetime.date | None = None) -> Coverage:
    """For each unit, its committee (or none) and the women among current members and heads."""
    today = today or dates.today()
    committees = {
        c.unit_id: c
        for c in Committee.objects.filter(unit__in=units).annotate(
            n_members=Count("memberships", filter=Q(memberships__in=Membership.objects.on(today))),
            n_women=Count(
                "memberships",
                filter=Q(
                    memberships__in=Membership.objects.on(today),
                    memberships__person__sex=Sex.FEMALE,
                ),
            ),
            n_unknown=Count(
                "memberships",
                filter=Q(memberships__in=Membership.objects.on(today), memberships__person__sex=""),
            ),
        )
    }
    heads = {
        m.committee.unit_id: m.person
        for m in Membership.objects.on(today)
        .filter(committee__unit__in=units, role=Role.HEAD)
        .select_related("person", "committee")
    }
    rows = []
    for unit in units.order_by("search_name"):
        committee = committees.get(unit.pk)
        head = heads.get(unit.pk)
        rows.append(
            CoverageRow(
                unit=unit,
                committee=committee,
                members=committee.n_members if committee else 0,
                women=committee.n_women if committee else 0,
                head_name=head.display_name if head else "",
                unknown_sex=committee.n_unknown if committee else 0,
            )
        )
    return Coverage(
        rows=rows,
        members=sum(r.members for r in rows),
        women=sum(r.women for r in rows),
        heads=len(heads),
        women_heads=sum(1 for p in heads.values() if p.sex == Sex.FEMALE),
        unknown_sex=sum(r.unknown_sex for r in rows),
        heads_unknown_sex=sum(1 for p in heads.values() if not p.sex),
    )
