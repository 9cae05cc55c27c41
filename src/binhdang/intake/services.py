"""Every write of the intake: keeping a report's text as a draft, and saving the records the
officer confirmed, all or none, through the services that own them (activities, committees,
plans, indicators), so that their rules, the permissions and the audit apply as on their own
pages; every audit entry written is marked as coming from an intake."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.activities import services as activities
from binhdang.committees import services as committees
from binhdang.committees.models import Committee
from binhdang.core import audit
from binhdang.indicators import services as indicators
from binhdang.indicators.models import Indicator
from binhdang.orgunits.models import OrgUnit
from binhdang.plans import services as plans

from .models import Draft
from .sources import Document

# A draft not confirmed within this many days is deleted (the report can be pasted again).
DRAFT_DAYS = 2
VIA = "intake"


@dataclass
class ActivityItem:
    """An activity (or a counted record of several) to save."""

    index: int
    data: activities.ActivityData


@dataclass
class TaskItem:
    """A task to assign: `create_task`'s keyword arguments."""

    index: int
    values: dict


@dataclass
class CommitteeItem:
    """A (re)constituting decision with its members, or members added under the current one."""

    index: int
    decision: dict | None  # number, date, signer, signer_title, issuing_unit
    members: list[committees.MemberSpec] = field(default_factory=list)
    member_indexes: list[int] = field(default_factory=list)


@dataclass
class FigureItem:
    """A figure of a target for a unit and a year."""

    index: int
    indicator: Indicator
    unit: OrgUnit
    year: int
    numerator: int | None
    denominator: int | None
    category: str = ""


class Refused(Exception):
    """Some records were refused: nothing was saved. `errors` maps a proposal's number to the
    refusal (a ValidationError, shown on that proposal's form)."""

    def __init__(self, errors: dict[int, ValidationError]):
        super().__init__(errors)
        self.errors = errors


class AlreadySaved(Exception):
    """The draft's records were saved already (a second tab, a repeated post)."""


def start_draft(actor, unit: OrgUnit, document: Document) -> Draft:
    """Keep a report's text for its proposals page; drafts left unconfirmed are cleaned up."""
    if not permissions.can_edit(actor, unit):
        raise PermissionDenied(_("Your role does not allow this action in this unit."))
    cutoff = timezone.now() - datetime.timedelta(days=DRAFT_DAYS)
    Draft.objects.filter(created_at__lt=cutoff).delete()
    return Draft.objects.create(
        unit=unit,
        created_by=actor,
        text=document.text,
        title=document.title[:500],
        published=document.published,
    )


def document_of(draft: Draft) -> Document:
    """The draft's report, as it was read."""
    return Document(text=draft.text, published=draft.published, title=draft.title)


def _committee(actor, unit: OrgUnit) -> Committee:
    committee = Committee.objects.filter(unit=unit).first()
    if committee is not None:
        return committee
    return committees.create_committee(
        actor, unit, name=_("Committee for the Advancement of Women of %s") % unit.name
    )


def _save_committee(actor, unit: OrgUnit, item: CommitteeItem) -> list:
    with transaction.atomic():
        committee = _committee(actor, unit)
        if item.decision is not None:
            decision = committees.reconstitute(
                actor, committee, members=item.members, **item.decision
            )
            return [decision]
        latest = committee.decisions.order_by("-date").first()
        if latest is None:
            raise ValidationError(
                _(
                    "The committee has no decision yet: include the decision that names these "
                    "members, or record it first."
                )
            )
        committees.add_members(actor, latest, item.members)
        return [latest]


def _save(actor, unit: OrgUnit, item) -> list:
    if isinstance(item, ActivityItem):
        return [activities.create_activity(actor, item.data)]
    if isinstance(item, TaskItem):
        return [plans.create_task(actor, **item.values)]
    if isinstance(item, CommitteeItem):
        return _save_committee(actor, unit, item)
    if isinstance(item, FigureItem):
        value = indicators.record_value(
            actor,
            item.indicator,
            item.unit,
            item.year,
            numerator=item.numerator,
            denominator=item.denominator,
            category=item.category,
            source=_("News report"),
        )
        return [value]
    raise TypeError(item)


def _label(record) -> tuple[str, str]:
    link = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    return str(record), link


def confirm(actor, draft: Draft, items: list) -> list[tuple[str, str]]:
    """Save the confirmed records, all or none; returns each saved record as (label, link).

    Every item is tried so that each refusal can be shown on its proposal; any refusal undoes
    them all (Refused). A draft is saved once: a second confirmation raises AlreadySaved."""
    if not items:
        raise ValidationError(_("Tick at least one proposal to save."))
    with audit.marking(), transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft.pk)
        if draft.saved_at is not None:
            raise AlreadySaved
        if not permissions.can_edit(actor, draft.unit):
            raise PermissionDenied(_("Your role does not allow this action in this unit."))
        audit.mark(actor, via=VIA, draft=str(draft.pk))
        errors: dict[int, ValidationError] = {}
        saved = []
        for item in items:
            try:
                records = _save(actor, draft.unit, item)
            except ValidationError as error:
                errors[item.index] = error
            except PermissionDenied as error:
                errors[item.index] = ValidationError(str(error))
            else:
                saved.extend(_label(record) for record in records)
        if errors:
            raise Refused(errors)  # leaving the block undoes what the others saved
        draft.saved_at = timezone.now()
        draft.saved = saved
        draft.save(update_fields=["saved_at", "saved"])
    return saved
