"""What the API reads and returns: the OpenAPI document is generated from these."""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import PlainValidator, WithJsonSchema

from binhdang.plans.deadlines import DeadlineKind
from binhdang.plans.models import PlanKind

# Keys and years are bounded, so that no number reaches the database unchecked (SQLite refuses
# integers beyond 64 bits with an error, not a miss).
MAX_ID = 2**53
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=1900, le=2200)]


def _json_number(value):
    """A figure as a JSON number only: text such as "1.234,5" means different numbers in
    Vietnamese and English, so the API never guesses (the forms read text; the API does not)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(_("Send figures as JSON numbers (1234.5), not as text."))
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(_("Send figures as JSON numbers (1234.5), not as text."))
    return number


Number = Annotated[Decimal, PlainValidator(_json_number), WithJsonSchema({"type": "number"})]


class ProblemOut(Schema):
    """An error (RFC 9457 problem details) with a stable `code`; `errors` lists the refusals
    field by field (for figures, `lines.<n>.<field>`)."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: dict[str, list[str]] | None = None
    conflicts: list[dict] | None = None
    versions: dict[str, str] | None = None


class UnitRef(Schema):
    id: int
    code: str
    name: str


class UnitOut(Schema):
    id: int
    code: str
    official_code: str
    name: str
    kind: str
    level: int
    parent_id: int | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None


class LineageOut(Schema):
    unit: UnitOut
    ancestors: list[UnitRef]
    predecessors: list[UnitOut]
    successors: list[UnitOut]


class IndicatorOut(Schema):
    id: int
    code: str
    number: str
    name_vi: str
    name_en: str
    measure: str
    direction: str
    multiplier: float
    unit_label_vi: str
    unit_label_en: str
    disaggregations: list[str]
    owner_unit_id: int | None
    categories: list[str]


class TargetOut(Schema):
    id: int
    indicator_id: int
    unit_id: int | None
    year: int
    value: float | None
    comparator: str
    source: str


class PartOut(Schema):
    category: str
    label: str
    numerator: float | None
    denominator: float | None
    value: float | None
    entries: int
    text: str


class LevelOut(Schema):
    level: int
    label: str
    numerator: float | None
    denominator: float | None
    value: float | None
    verdict: str


class FigureOut(Schema):
    """A unit's rolled-up figure for an indicator and a year, judged against its target."""

    unit_id: int
    indicator_id: int
    indicator_code: str
    year: int
    numerator: float | None
    denominator: float | None
    value: float | None
    entries: int
    rule: str
    text: str
    verdict: Literal["met", "not_met", "no_data", "no_target"]
    verdict_label: str
    target: TargetOut | None
    parts: list[PartOut]
    levels: list[LevelOut]


class EntryOut(Schema):
    """A figure as the unit entered it (not rolled up). Send `version` back when writing it, so
    that a change someone made since is not overwritten."""

    indicator_id: int
    indicator_code: str
    category: str
    numerator: float | None
    denominator: float | None
    value: float | None
    note: str
    source: str
    version: str


class EntryIn(Schema):
    """One line to write: an indicator's total (`category` empty) or one of its breakdowns.
    A quotient sends `numerator` and `denominator`, a count or a milestone sends `value`; a
    unit answering yes or no sends 1/1 or 0/1 (quotient) or the value 1 or 0. `version` is what
    the line's last read said ("" or omitted: no check; the version of a missing line is
    returned by the read as well, so creating one can be checked too)."""

    indicator: Id
    category: str = Field("", max_length=64)
    numerator: Number | None = None
    denominator: Number | None = None
    value: Number | None = None
    note: str = Field("", max_length=2000)
    source: str = Field("", max_length=255)
    version: str | None = Field(None, max_length=64)


class EntriesIn(Schema):
    unit: Id
    year: Year
    lines: list[EntryIn] = Field(..., min_length=1, max_length=2000)


class SavedOut(Schema):
    saved: int
    entries: list[EntryOut]


class RoundOut(Schema):
    id: int
    name: str
    kind: str
    year: int
    opener_id: int
    period_start: datetime.date
    period_end: datetime.date
    deadline: datetime.date
    status: str


class SubmissionOut(Schema):
    id: int
    round_id: int
    unit_id: int
    state: str
    version: int
    first_submitted_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None


class SubmissionDetailOut(SubmissionOut):
    texts: dict[str, str]
    allowed_actions: list[str]


class ActionIn(Schema):
    """One move of the report's state machine: save, complete and submit by the unit; return,
    accept and unlock by the unit above. `version` is the submission's as last read."""

    action: Literal["save", "complete", "submit", "return", "accept", "unlock"]
    version: int = Field(..., ge=0, le=MAX_ID)
    comment: str = Field("", max_length=5000)
    texts: dict[str, Annotated[str, Field(max_length=100_000)]] | None = Field(None, max_length=100)
    explanation: str | None = Field(None, max_length=5000)


class ActivityOut(Schema):
    id: int
    title: str
    kind: str
    start_date: datetime.date
    end_date: datetime.date
    organiser_id: int
    venue: str
    participants: int | None
    women: int | None


class PlanOut(Schema):
    id: int
    unit_id: int
    kind: str
    start_year: int
    end_year: int
    title: str
    status: str
    decision_number: str
    decision_date: datetime.date | None


class TaskOut(Schema):
    id: int
    title: str
    lead_unit_id: int
    assigned_by_id: int | None
    plan_id: int | None
    deadline: datetime.date
    status: str
    progress: int
    completed_on: datetime.date | None


class InspectionOut(Schema):
    id: int
    unit_id: int
    kind: str
    title: str
    decision_number: str
    start_date: datetime.date
    end_date: datetime.date


class CommitteeOut(Schema):
    id: int
    unit_id: int
    name: str
    standing_unit_id: int | None


class MemberOut(Schema):
    id: int
    committee_id: int
    full_name: str
    sex: str
    title: str
    role: str
    represented_unit_id: int | None
    start: datetime.date
    end: datetime.date | None
    term_end: datetime.date | None


Count = Annotated[int, Field(ge=0, le=10**9)]
# How a task's deadline is said ("before October 2024": before_month), as the task form offers.
DeadlineKindName = Literal[tuple(DeadlineKind.values)]


class LinkOut(Schema):
    url: str
    title: str


class LinkIn(Schema):
    url: str = Field(..., max_length=1000)
    title: str = Field("", max_length=500)


class ActivityDetailOut(ActivityOut):
    """An activity with everything its page shows, and `versions`: send them back with a change
    (PUT) so that what someone else changed since is kept, or refused if you changed it too."""

    co_organiser_ids: list[int]
    partners: str
    online_sites: str
    online_site_count: int | None
    leaders: int | None
    officers: int | None
    public: int | None
    cost: int | None
    topics: list[str]
    outputs: list[LinkOut]
    note: str
    versions: dict[str, str]


class ActivityIn(Schema):
    """An activity as the activity form takes it (the whole activity, also when changing it)."""

    title: str = Field(..., max_length=1000)
    kind: str = Field(..., max_length=16)
    start_date: datetime.date
    end_date: datetime.date | None = None
    organiser: Id
    co_organisers: list[Id] = Field([], max_length=200)
    partners: str = Field("", max_length=1000)
    venue: str = Field("", max_length=1000)
    online_sites: str = Field("", max_length=10_000)
    online_site_count: Count | None = None
    participants: Count | None = None
    women: Count | None = None
    leaders: Count | None = None
    officers: Count | None = None
    public: Count | None = None
    cost: Annotated[int, Field(ge=0, le=10**15)] | None = None
    topics: list[Annotated[str, Field(max_length=32)]] = Field([], max_length=50)
    outputs: list[LinkIn] = Field([], max_length=50)
    note: str = Field("", max_length=10_000)
    versions: dict[str, Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=50)


class TaskDetailOut(TaskOut):
    description: str
    deadline_kind: str
    collaborating_unit_ids: list[int]
    meeting_reference: str
    versions: dict[str, str]


class TaskIn(Schema):
    """A task as the task form takes it. `assigned_by` and `plan` are read only when creating."""

    title: str = Field(..., max_length=1000)
    assigned_by: Id | None = None
    plan: Id | None = None
    lead_unit: Id | None = None
    deadline: datetime.date | None = None
    deadline_kind: DeadlineKindName = DeadlineKind.DAY.value
    description: str = Field("", max_length=10_000)
    collaborating_units: list[Id] = Field([], max_length=200)
    meeting_reference: str = Field("", max_length=1000)
    versions: dict[str, Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=50)


class InspectionDetailOut(InspectionOut):
    lead_name: str
    lead_position: str
    members: str
    scope: str
    findings: str
    inspected_unit_ids: list[int]
    versions: dict[str, str]


class InspectionIn(Schema):
    """An inspection as its form takes it; `unit` (the inspecting unit) is read only when
    creating."""

    unit: Id | None = None
    kind: str = Field(..., max_length=16)
    title: str = Field(..., max_length=1000)
    lead_name: str = Field(..., max_length=500)
    inspected_units: list[Id] = Field(..., max_length=500)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    lead_position: str = Field("", max_length=500)
    members: str = Field("", max_length=10_000)
    scope: str = Field("", max_length=50_000)
    findings: str = Field("", max_length=50_000)
    decision_number: str = Field("", max_length=200)
    versions: dict[str, Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=50)


class PlanDetailOut(PlanOut):
    decision_signer: str
    versions: dict[str, str]


class PlanIn(Schema):
    """A plan as its form takes it (without the decision's scanned file, which the page takes);
    `unit` is read only when creating."""

    unit: Id | None = None
    kind: Literal[tuple(PlanKind.values)]
    start_year: Year
    end_year: Year
    title: str = Field(..., max_length=1000)
    decision_number: str = Field("", max_length=200)
    decision_date: datetime.date | None = None
    decision_signer: str = Field("", max_length=500)
    versions: dict[str, Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=50)
