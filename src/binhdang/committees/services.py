"""Every write to committees, with the rules on roles, dates and scope.

Rules (issue 3): at most one head and one standing vice-chair at any date; a membership's dates fall
within its decision's validity (from the decision's date until the next decision); a person holds
at most one role in a committee at any date. Violations raise ValidationError naming the person and
the dates; nothing is written.

Issue 12: a member may be recorded by role and represented unit (or its text) without a name;
such a member's sex may be unknown, while a named member's sex is required. A decision may be
saved with its date and no number. Both are completed later in place (`update_member`,
`complete_decision`), so the member's history continues under the same person.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhdang.accounts import permissions
from binhdang.core import concurrency, uploads
from binhdang.orgunits.models import OrgUnit

from .models import (
    SINGLE_HOLDER_ROLES,
    Committee,
    Decision,
    Membership,
    Person,
    Role,
    Sex,
    member_label,
)


@dataclass
class MemberSpec:
    """One row of a member list: who, in which role, representing which unit."""

    person: Person
    role: str
    represented_unit: OrgUnit | None = None
    term_end: datetime.date | None = None
    represented_text: str = ""

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def label(self) -> str:
        """The member's name, or "(chưa có tên) — đại diện …"."""
        represented = self.represented_unit.name if self.represented_unit else ""
        return member_label(self.person, represented or self.represented_text, self.person.title)


@dataclass
class MembershipDiff:
    """What a new member list changes against the current one."""

    joins: list[MemberSpec] = field(default_factory=list)
    leaves: list[Membership] = field(default_factory=list)
    role_changes: list[tuple[Membership, MemberSpec]] = field(default_factory=list)
    unchanged: list[tuple[Membership, MemberSpec]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.joins or self.leaves or self.role_changes)


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "…"


def _check_edit(actor, unit: OrgUnit) -> None:
    if not permissions.can_edit(actor, unit):
        raise PermissionDenied(_("You cannot change the committee of “%s”.") % unit.name)


@transaction.atomic
def create_committee(actor, unit: OrgUnit, *, name: str, standing_unit: OrgUnit | None = None):
    """Record that a unit has a committee."""
    _check_edit(actor, unit)
    if Committee.objects.filter(unit=unit).exists():
        raise ValidationError(_("“%s” already has a committee.") % unit.name)
    _check_standing_unit(unit, standing_unit)
    committee = Committee(unit=unit, name=" ".join(name.split()), standing_unit=standing_unit)
    committee.full_clean()
    committee.save()
    return committee


def committee_values(committee: Committee) -> dict:
    """What is stored, in `update_committee`'s terms."""
    return {"name": committee.name, "standing_unit": committee.standing_unit}


@transaction.atomic
def update_committee(
    actor, committee: Committee, *, name: str, standing_unit=None, seen=None
) -> Committee:
    """Rename a committee or change its standing agency (`seen`: see core.concurrency)."""
    committee = concurrency.locked(committee)
    _check_edit(actor, committee.unit)
    mine = {"name": " ".join(name.split()), "standing_unit": standing_unit}
    if not concurrency.merge(mine, committee_values(committee), seen):
        return committee
    _check_standing_unit(committee.unit, mine["standing_unit"])
    committee.name = mine["name"]
    committee.standing_unit = mine["standing_unit"]
    committee.full_clean()
    committee.save()
    return committee


def _check_standing_unit(unit: OrgUnit, standing_unit: OrgUnit | None) -> None:
    if standing_unit is not None and not standing_unit.is_within(unit):
        raise ValidationError(
            {"standing_unit": _("The standing agency must be the unit itself or one of its units.")}
        )


PERSON_FIELDS = ("full_name", "sex", "title", "unit", "phone", "email")
MEMBER_FIELDS = ("role", "represented_unit", "represented_text", "term_end")
# The member list's column headings, for a refused detail.
ROSTER_LABELS = {
    "member": gettext_lazy("Members"),
    "full_name": gettext_lazy("Full name"),
    "sex": gettext_lazy("Sex"),
    "title": gettext_lazy("Position"),
    "unit": gettext_lazy("Workplace"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("E-mail"),
    "role": gettext_lazy("Role"),
    "represented_unit": gettext_lazy("Represents"),
    "represented_text": gettext_lazy("Represents (as written)"),
    "term_end": gettext_lazy("Term ends"),
}


def _member_values(person: Person, membership) -> dict:
    """One member's details, keyed "person id:field" ("member": on the list)."""
    values = {f"{person.pk}:member": True}
    values.update({f"{person.pk}:{name}": getattr(person, name) for name in PERSON_FIELDS})
    values.update({f"{person.pk}:{name}": getattr(membership, name) for name in MEMBER_FIELDS})
    return values


def roster_values(committee: Committee) -> dict:
    """The current member list in `reconstitute`'s terms: what a page started from, or finds."""
    values = {}
    for membership in committee.memberships.current().select_related("person"):
        values.update(_member_values(membership.person, membership))
    return values


def _merge_roster(committee: Committee, members: list[MemberSpec], seen) -> list[MemberSpec]:
    """The sent list with the changes saved since the page was opened kept (see `reconstitute`)."""
    stored = roster_values(committee)
    known = {str(spec.person.pk): spec for spec in members if spec.person.pk}
    sent = {}
    for spec in known.values():
        sent.update(_member_values(spec.person, spec))
    ids = list(dict.fromkeys(key.split(":")[0] for key in [*sent, *stored, *seen]))
    names = [f"{pid}:{name}" for pid in ids for name in ("member", *PERSON_FIELDS, *MEMBER_FIELDS)]
    current = {key: stored.get(key) for key in names}
    sent = {key: sent.get(key) for key in names}
    try:
        concurrency.merge(sent, current, seen)
    except concurrency.StaleEdit as stale:
        for conflict in [*stale.conflicts, *stale.kept]:
            pid, name = conflict.name.split(":")
            who = (
                current.get(f"{pid}:full_name")
                or sent.get(f"{pid}:full_name")
                or gettext_lazy("(no name yet)")
            )
            conflict.label = f"{who} — {ROSTER_LABELS[name]}"
            choices = {"role": Role, "sex": Sex}.get(name)
            if choices:
                conflict.theirs = choices(conflict.theirs).label if conflict.theirs else None
                conflict.mine = choices(conflict.mine).label if conflict.mine else None
        raise
    merged = [spec for spec in members if not spec.person.pk]
    for pid in ids:
        if not sent[f"{pid}:member"]:
            continue
        spec = known.get(pid) or MemberSpec(person=Person.objects.get(pk=pid), role="")
        for name in PERSON_FIELDS:
            value = sent[f"{pid}:{name}"]
            setattr(spec.person, name, value if value is not None or name == "unit" else "")
        for name in MEMBER_FIELDS:
            value = sent[f"{pid}:{name}"]
            setattr(spec, name, "" if value is None and name == "represented_text" else value)
        merged.append(spec)
    return merged


def member_diff(committee: Committee, members: list[MemberSpec]) -> MembershipDiff:
    """Compare a proposed member list with the current members: joins, leaves, role changes."""
    current = {m.person_id: m for m in committee.memberships.current().select_related("person")}
    diff = MembershipDiff()
    proposed_ids = set()
    for spec in members:
        old = current.get(spec.person.pk) if spec.person.pk else None
        if old is None:
            diff.joins.append(spec)
            continue
        proposed_ids.add(spec.person.pk)
        if old.role != spec.role:
            diff.role_changes.append((old, spec))
        else:
            diff.unchanged.append((old, spec))
    diff.leaves = [m for pid, m in current.items() if pid not in proposed_ids]
    return diff


def _check_no_repeats(members: list[MemberSpec]) -> None:
    seen = set()
    for spec in members:
        # Members without a name are told apart by their rows, not compared.
        key = spec.person.pk or spec.person.full_name.casefold().strip() or id(spec)
        if key in seen:
            raise ValidationError(_("%s is listed twice.") % spec.label)
        seen.add(key)


def check_member(spec: MemberSpec) -> list[str]:
    """What is missing or wrong in one member's row, as sentences (empty when it is complete
    enough to save): a role; a name, or else the unit represented or the position; the sex of
    a named member."""
    spec.person.full_name = " ".join((spec.person.full_name or "").split())
    spec.person.title = " ".join((spec.person.title or "").split())
    spec.represented_text = " ".join((spec.represented_text or "").split())
    spec.person.sex = spec.person.sex or ""
    problems = []
    if spec.role not in Role.values:
        problems.append(_("%s: choose the role in the committee.") % spec.label)
    if not spec.person.full_name and not (
        spec.represented_unit or spec.represented_text or spec.person.title
    ):
        problems.append(
            _(
                "A member without a name needs the unit they represent or their position, "
                "e.g. “đại diện lãnh đạo Vụ Tổ chức cán bộ”."
            )
        )
    if spec.person.sex and spec.person.sex not in Sex.values:
        problems.append(_("%s: choose female or male.") % spec.label)
    elif spec.person.full_name and not spec.person.sex:
        problems.append(
            _("%s: choose female or male (the sex may be left unknown only without a name).")
            % spec.label
        )
    if len(spec.represented_text) > Membership._meta.get_field("represented_text").max_length:
        problems.append(
            _("%(who)s: too long (at most %(limit)d characters).")
            % {"who": spec.label, "limit": 255}
        )
    return problems


def _check_members(members: list[MemberSpec]) -> None:
    problems = [problem for spec in members for problem in check_member(spec)]
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))


def _overlaps(start_a, end_a, start_b, end_b) -> bool:
    """Whether two half-open periods [start, end) share a day; None is an open end."""
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)


def _check_rules(committee: Committee, new: list[Membership], replaced: set[int]) -> None:
    """Refuse a set of new memberships that breaks a rule against each other or the existing."""
    existing = [m for m in committee.memberships.select_related("person") if m.pk not in replaced]
    errors = []
    for index, candidate in enumerate(new):
        others = existing + new[:index]
        for other in others:
            if not _overlaps(candidate.start, candidate.end, other.start, other.end):
                continue
            if (
                candidate.person.pk
                and candidate.person.pk == other.person_id
                or (candidate.person is other.person)
            ):
                errors.append(
                    _(
                        "%(name)s already holds the role “%(role)s” in this committee "
                        "from %(start)s to %(end)s."
                    )
                    % {
                        "name": candidate.label,
                        "role": other.get_role_display(),
                        "start": _date(other.start),
                        "end": _date(other.end),
                    }
                )
            elif candidate.role == other.role and candidate.role in SINGLE_HOLDER_ROLES:
                errors.append(
                    _(
                        "The committee already has a %(role)s, %(other)s, from %(start)s to "
                        "%(end)s; %(name)s cannot hold it at the same time."
                    )
                    % {
                        "role": candidate.get_role_display().lower(),
                        "other": other.label,
                        "start": _date(other.start),
                        "end": _date(other.end),
                        "name": candidate.label,
                    }
                )
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))


def _check_within_decision(membership: Membership, decision: Decision) -> None:
    following = (
        Decision.objects.filter(committee=decision.committee, date__gt=decision.date)
        .order_by("date")
        .first()
    )
    valid_to = following.date if following else None
    if membership.start < decision.date or (
        valid_to and (membership.end is None or membership.end > valid_to)
    ):
        raise ValidationError(
            _(
                "%(name)s: the period from %(start)s to %(end)s falls outside decision "
                "%(number)s, in force from %(from)s to %(to)s."
            )
            % {
                "name": membership.label,
                "start": _date(membership.start),
                "end": _date(membership.end),
                "number": decision.label,
                "from": _date(decision.date),
                "to": _date(valid_to),
            }
        )


def _save_person(person: Person) -> Person:
    person.full_name = " ".join(person.full_name.split())
    person.full_clean()
    person.save()
    return person


def _memberships_for(committee, decision, members, start) -> list[Membership]:
    return [
        Membership(
            committee=committee,
            decision=decision,
            person=spec.person,
            role=spec.role,
            represented_unit=spec.represented_unit,
            represented_text=spec.represented_text,
            start=start,
            term_end=spec.term_end,
        )
        for spec in members
    ]


@transaction.atomic
def reconstitute(
    actor,
    committee: Committee,
    *,
    number: str,
    date: datetime.date,
    members: list[MemberSpec],
    signer: str = "",
    signer_title: str = "",
    issuing_unit: OrgUnit | None = None,
    file=None,
    seen=None,
) -> Decision:
    """Record a (re)constituting decision: current memberships end on its date, its list starts.

    `seen`: the fingerprints of the member list the page started from (`roster_values`); the
    list is then merged with changes saved since (core.concurrency): members someone else added
    or removed meanwhile stay so, a detail both changed is refused (StaleEdit)."""
    committee = concurrency.locked(committee)  # one reconstitution of a committee at a time
    _check_edit(actor, committee.unit)
    if seen is not None:
        members = _merge_roster(committee, members, seen)
    # A decision whose number is not known yet is saved with its date (and flagged).
    number = " ".join((number or "").split())
    if date is None:
        raise ValidationError({"date": _("Enter the decision's date.")})
    committee.unit.refuse_after_end(date, field="date")
    latest = committee.decisions.order_by("-date").first()
    if latest and date <= latest.date:
        raise ValidationError(
            {
                "date": _(
                    "A new decision must be dated after the current one, %(number)s of %(date)s."
                )
                % {"number": latest.label, "date": _date(latest.date)}
            }
        )
    if not members:
        raise ValidationError(_("A decision needs at least one member."))
    _check_members(members)
    _check_no_repeats(members)
    if file:
        uploads.check(file, uploads.SCANS)

    current = list(committee.memberships.current())
    new = _memberships_for(committee, None, members, date)
    _check_rules(committee, new, replaced={m.pk for m in current})

    decision = Decision(
        committee=committee,
        number=number,
        date=date,
        signer=signer.strip(),
        signer_title=signer_title.strip(),
        issuing_unit=issuing_unit,
    )
    decision.full_clean(exclude=["file"])
    decision.save()
    if file:
        uploads.save(decision.file, file, uploads.SCANS)
    for membership in current:
        membership.end = date
        membership.save()
    for membership in new:
        membership.person = _save_person(membership.person)
        membership.decision = decision
        membership.full_clean()
        membership.save()
    return decision


@transaction.atomic
def add_members(
    actor, decision: Decision, members: list[MemberSpec], start: datetime.date | None = None
) -> list[Membership]:
    """Add members under an existing decision (e.g. from an Excel list), all or none."""
    committee = decision.committee
    _check_edit(actor, committee.unit)
    _check_members(members)
    _check_no_repeats(members)
    new = _memberships_for(committee, decision, members, start or decision.date)
    for membership in new:
        _check_within_decision(membership, decision)
    _check_rules(committee, new, replaced=set())
    for membership in new:
        membership.person = _save_person(membership.person)
        membership.full_clean()
        membership.save()
    return new


@transaction.atomic
def end_membership(actor, membership: Membership, on: datetime.date) -> Membership:
    """End a membership on a date (a member leaves between two decisions)."""
    _check_edit(actor, membership.committee.unit)
    if on <= membership.start:
        raise ValidationError(
            _("%(name)s joined on %(start)s; the end must come after it.")
            % {"name": membership.label, "start": _date(membership.start)}
        )
    membership.end = on
    _check_within_decision(membership, membership.decision)
    membership.save()
    return membership


@transaction.atomic
def attach_decision_file(actor, decision: Decision, file) -> Decision:
    """Attach (or replace) the scanned file of a decision."""
    _check_edit(actor, decision.committee.unit)
    uploads.check(file, uploads.SCANS)
    uploads.save(decision.file, file, uploads.SCANS)
    return decision


def member_values(membership: Membership) -> dict:
    """One member's stored details, in `update_member`'s terms."""
    values = {name: getattr(membership.person, name) for name in PERSON_FIELDS}
    values.update({name: getattr(membership, name) for name in MEMBER_FIELDS})
    return values


@transaction.atomic
def update_member(actor, membership: Membership, *, seen=None, **details) -> Membership:
    """Complete or correct a current member in place (a name learnt after the decision, the
    sex, the position...), without a new decision: the person and the membership stay the same,
    so the member's history continues. `details`: any of PERSON_FIELDS and MEMBER_FIELDS but the
    role, which changes only by a decision; `seen`: see core.concurrency."""
    membership = concurrency.locked(membership)
    person = concurrency.locked(membership.person)
    _check_edit(actor, membership.committee.unit)
    if membership.end is not None:
        raise ValidationError(
            _("%s is no longer a member; only current members can be completed.") % membership.label
        )
    unknown = set(details) - (set(PERSON_FIELDS) | set(MEMBER_FIELDS) - {"role"})
    if unknown:
        raise ValueError(f"unknown member details: {sorted(unknown)}")
    stored = member_values(membership)
    mine = {**stored, **details}
    if not concurrency.merge(mine, stored, seen):
        return membership
    for name in PERSON_FIELDS:
        setattr(person, name, mine[name] if name == "unit" else mine[name] or "")
    spec = MemberSpec(
        person=person,
        role=membership.role,
        represented_unit=mine["represented_unit"],
        term_end=mine["term_end"],
        represented_text=mine["represented_text"] or "",
    )
    _check_members([spec])
    membership.person = _save_person(person)
    membership.represented_unit = spec.represented_unit
    membership.represented_text = spec.represented_text
    membership.term_end = spec.term_end
    membership.full_clean()
    membership.save()
    return membership


def decision_values(decision: Decision) -> dict:
    """A decision's details, in `complete_decision`'s terms."""
    return {name: getattr(decision, name) for name in ("number", "signer", "signer_title")}


@transaction.atomic
def complete_decision(
    actor, decision: Decision, *, number: str, signer: str = "", signer_title: str = "", seen=None
) -> Decision:
    """Enter a decision's number (and signer) once known; its date and members stay."""
    decision = concurrency.locked(decision)
    _check_edit(actor, decision.committee.unit)
    mine = {
        "number": " ".join((number or "").split()),
        "signer": " ".join((signer or "").split()),
        "signer_title": " ".join((signer_title or "").split()),
    }
    if not concurrency.merge(mine, decision_values(decision), seen):
        return decision
    if not mine["number"]:
        raise ValidationError({"number": _("Enter the decision's number and symbol.")})
    for name, value in mine.items():
        setattr(decision, name, value)
    decision.full_clean(exclude=["file"])
    decision.save()
    return decision
