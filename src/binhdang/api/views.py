"""The endpoints: each reads through the apps' queries and the permissions module, or writes
through the apps' services, and turns the result into the schemas. No rule lives here."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from binhdang.accounts import permissions
from binhdang.activities import queries as activity_queries
from binhdang.activities import services as activity_services
from binhdang.activities.services import ActivityData, Link
from binhdang.committees.models import Committee, Membership
from binhdang.core.concurrency import fingerprints
from binhdang.indicators import analyst, queries
from binhdang.indicators import services as indicator_services
from binhdang.indicators.forms import AnalystExportForm
from binhdang.indicators.measures import Stored
from binhdang.indicators.models import DataValue, Target
from binhdang.orgunits import queries as unit_queries
from binhdang.orgunits.models import OrgUnit
from binhdang.plans import queries as plan_queries
from binhdang.plans import services as plan_services
from binhdang.reporting import queries as report_queries
from binhdang.reporting import services as report_services
from binhdang.reporting.models import Submission

from . import schemas, services
from .base import ERROR_STATUSES, Problem, api
from .schemas import MAX_ID, Id, Year


def responses(ok: int, schema) -> dict:
    """The documented responses of an operation: its result and every problem it may answer."""
    return {ok: schema, **{status: schemas.ProblemOut for status in ERROR_STATUSES}}


class Page(LimitOffsetPagination):
    """`limit` (at most 500) and `offset`; the answer is {"items": [...], "count": n}."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500)
        offset: int = Field(0, ge=0, le=10_000_000)


class Filters(Schema):
    """Every list: within a unit's subtree (a unit the token's user sees) and a year."""

    unit: Id | None = None
    year: Year | None = None


def _unit(request, pk, action: str = "view") -> OrgUnit:
    return permissions.get_unit(request.auth.user, pk, action)


def _within(request, filters: Filters, field: str) -> Q:
    """The condition "in the subtree of the filter's unit" on a unit-valued field."""
    if filters.unit is None:
        return Q()
    unit = _unit(request, filters.unit)
    return Q(**{f"{field}__path__startswith" if field else "path__startswith": unit.path})


PK = Path(..., ge=1, le=MAX_ID)


# Units -------------------------------------------------------------------------------------------

units = Router(tags=["units"])


@units.get("", response=responses(200, list[schemas.UnitOut]), summary="Units")
@paginate(Page)
def list_units(
    request,
    filters: Query[Filters],
    parent: Id | None = None,
    q: str = Query("", max_length=200),
    code: str = Query("", max_length=32),
    level: int | None = Query(None, ge=0, le=9),
    live: bool | None = None,
):
    """Units the token's user sees: the children of `parent` (the tree, level by level), the
    subtree of `unit`, those existing in `year`, the one with a `code` (P51, BNV), or those whose
    name holds the words of `q` (with or without diacritics)."""
    user = request.auth.user
    qs = permissions.visible_units(user)
    if parent is not None:
        qs = qs.filter(parent=_unit(request, parent))
    qs = qs.filter(_within(request, filters, ""))
    if filters.year is not None:
        qs = qs.filter(
            Q(valid_from__isnull=True) | Q(valid_from__year__lte=filters.year),
            Q(valid_to__isnull=True) | Q(valid_to__year__gte=filters.year),
        )
    if code:
        qs = qs.filter(code=code)
    if level is not None:
        qs = qs.filter(level=level)
    if live is not None:
        qs = qs.live() if live else qs.historical()
    if q.strip():
        found = unit_queries.search(qs, q, limit=500)
        return found
    return qs.order_by("path")


@units.get("/{pk}", response=responses(200, schemas.UnitOut), summary="One unit")
def get_unit(request, pk: int = PK):
    return _unit(request, pk)


@units.get("/{pk}/lineage", response=responses(200, schemas.LineageOut), summary="Lineage")
def unit_lineage(request, pk: int = PK):
    """The unit's ancestors (names only), and the units it was formed from and became (2025
    reorganisation) that the user sees."""
    unit = _unit(request, pk)
    visible = permissions.visible_units(request.auth.user)
    return {
        "unit": unit,
        "ancestors": unit_queries.breadcrumb(unit)[:-1],
        "predecessors": list(visible.filter(pk__in=unit.predecessors.values("pk"))),
        "successors": list(visible.filter(pk__in=unit.successors.values("pk"))),
    }


# Indicators and targets --------------------------------------------------------------------------

indicators = Router(tags=["indicators"])


def _indicator_out(indicator) -> dict:
    return {
        **{
            name: getattr(indicator, name)
            for name in (
                "id",
                "code",
                "number",
                "name_vi",
                "name_en",
                "measure",
                "direction",
                "multiplier",
                "unit_label_vi",
                "unit_label_en",
                "owner_unit_id",
            )
        },
        "disaggregations": [str(d.value) for d in indicator.dimensions],
        "categories": [key for key, _label in indicator.categories()],
    }


@indicators.get("", response=responses(200, list[schemas.IndicatorOut]), summary="Indicators")
@paginate(Page)
def list_indicators(request, filters: Query[Filters]):
    """The framework's indicators and the local ones the user sees (those applying at `unit`
    when it is given). `year` does not narrow indicators."""
    unit = _unit(request, filters.unit) if filters.unit else None
    found = permissions.indicators_for(request.auth.user, unit)
    return [_indicator_out(i) for i in found.order_by("objective__number", "number", "code")]


@indicators.get("/{pk}", response=responses(200, schemas.IndicatorOut), summary="One indicator")
def get_indicator(request, pk: int = PK):
    return _indicator_out(permissions.get_indicator(request.auth.user, pk))


@indicators.get("/targets/", response=responses(200, list[schemas.TargetOut]), summary="Targets")
@paginate(Page)
def list_targets(request, filters: Query[Filters], indicator: Id | None = None):
    """Targets: the national ones and those set by units the user sees (in `unit`'s subtree
    when given), for `year` when given."""
    user = request.auth.user
    qs = Target.objects.filter(indicator__in=permissions.indicators_for(user))
    qs = qs.filter(Q(unit__isnull=True) | Q(unit__in=permissions.visible_units(user)))
    if filters.unit is not None:
        qs = qs.filter(_within(request, filters, "unit"))
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if indicator is not None:
        qs = qs.filter(indicator_id=indicator)
    return qs.order_by("indicator_id", "year", "unit_id")


# Figures -----------------------------------------------------------------------------------------

figures = Router(tags=["figures"])


def _number(value):
    return None if value is None else float(value)


def _target_out(target) -> dict | None:
    if target is None:
        return None
    return {
        "id": target.pk,
        "indicator_id": target.indicator_id,
        "unit_id": target.unit_id,
        "year": target.year,
        "value": _number(target.value),
        "comparator": target.comparator,
        "source": target.source,
    }


def _figure_out(unit_id: int, year: int, row: queries.IndicatorRow) -> dict:
    figure = row.figure
    return {
        "unit_id": unit_id,
        "indicator_id": row.indicator.pk,
        "indicator_code": row.indicator.code,
        "year": year,
        "numerator": _number(figure.numerator),
        "denominator": _number(figure.denominator),
        "value": _number(figure.value),
        "entries": figure.entries,
        "rule": figure.provenance.rule if figure.provenance else "",
        "text": row.text,
        "verdict": str(row.verdict),
        "verdict_label": str(row.verdict.label)
        if hasattr(row.verdict, "label")
        else str(row.verdict),
        "target": _target_out(row.target),
        "parts": [
            {
                "category": part.category,
                "label": part.label,
                "numerator": _number(part.figure.numerator),
                "denominator": _number(part.figure.denominator),
                "value": _number(part.figure.value),
                "entries": part.figure.entries,
                "text": part.text(row.indicator),
            }
            for part in row.parts
        ],
        "levels": [
            {
                "level": line.level,
                "label": str(line.label),
                "numerator": _number(line.figure.numerator),
                "denominator": _number(line.figure.denominator),
                "value": _number(line.figure.value),
                "verdict": str(line.verdict),
            }
            for line in figure.levels
        ],
    }


class FigureFilters(Schema):
    unit: Id
    year: Year
    indicator: Id | None = None
    children: bool = False


@figures.get("", response=responses(200, list[schemas.FigureOut]), summary="Figures")
@paginate(Page)
def list_figures(request, filters: Query[FigureFilters]):
    """A unit's figures for a year (or, with `children`, each of its current sub-units'):
    rolled up from below, with the target that judges each and the verdict, as the overview
    pages show them."""
    user = request.auth.user
    unit = _unit(request, filters.unit)
    found = permissions.indicators_for(user, unit).order_by("objective__number", "number", "code")
    if filters.indicator is not None:
        found = found.filter(pk=filters.indicator)
    chosen = list(found)
    targets = (
        list(permissions.visible_units(user).filter(parent=unit).live().order_by("path"))
        if filters.children
        else [unit]
    )
    return _FigurePages(chosen, targets, filters.year)


class _FigurePages:
    """The rows (unit × indicator) of `list_figures`, computed only for the units of the page
    asked for: a province's every commune is not rolled up to answer its first hundred rows."""

    def __init__(self, indicators, units, year: int):
        self.indicators, self.units, self.year = indicators, units, year

    def __len__(self) -> int:
        return len(self.units) * len(self.indicators)

    def __getitem__(self, page: slice) -> list[dict]:
        start, stop, _step = page.indices(len(self))
        if stop <= start:
            return []
        per_unit = len(self.indicators)
        first = start // per_unit
        chosen = self.units[first : (stop - 1) // per_unit + 1]
        rows = queries.figure_rows(self.indicators, chosen, self.year)
        flat = [_figure_out(unit.pk, self.year, row) for unit in chosen for row in rows[unit.pk]]
        return flat[start - first * per_unit : stop - first * per_unit]


class EntryFilters(Schema):
    unit: Id
    year: Year
    indicator: Id | None = None


def _entries(unit: OrgUnit, year: int, indicator: int | None = None) -> list[dict]:
    qs = DataValue.objects.filter(unit=unit, year=year).select_related("indicator")
    if indicator is not None:
        qs = qs.filter(indicator_id=indicator)
    return [
        {
            "indicator_id": row.indicator_id,
            "indicator_code": row.indicator.code,
            "category": row.category,
            "numerator": _number(row.numerator),
            "denominator": _number(row.denominator),
            "value": _number(row.value),
            "note": row.note,
            "source": row.source,
            "version": services.version_of(Stored.of(row)),
        }
        for row in qs.order_by("indicator__code", "category")
    ]


@figures.get("/entries", response=responses(200, list[schemas.EntryOut]), summary="Entries")
@paginate(Page)
def list_entries(request, filters: Query[EntryFilters]):
    """The figures the unit itself entered for a year, each with its `version` (send it back
    when writing the line to have it refused if someone changed it since)."""
    unit = _unit(request, filters.unit)
    user = request.auth.user
    visible = set(permissions.indicators_for(user, unit).values_list("pk", flat=True))
    return [
        e for e in _entries(unit, filters.year, filters.indicator) if e["indicator_id"] in visible
    ]


class ExportFilters(Schema):
    unit: Id
    first_year: Year | None = None
    last_year: Year | None = None
    indicator: list[Id] = Field(default_factory=list)
    format: Literal["csv", "xlsx"] = "csv"


@figures.get(
    "/export",
    response={200: str, **{status: schemas.ProblemOut for status in ERROR_STATUSES}},
    summary="Analyst export (long format)",
    openapi_extra={
        "responses": {
            200: {
                "description": "One row per stored value, streamed as CSV or Excel.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def export_figures(request, filters: Query[ExportFilters]):
    """Every figure the token's user may see under a unit, one row per value (unit, parents,
    year, indicator, breakdown, numerator, denominator, value, verdict), streamed as CSV or
    Excel: the overview's analyst export, with the same filters and refusals."""
    user = request.auth.user
    unit = _unit(request, filters.unit)
    form = AnalystExportForm(
        {
            "first_year": filters.first_year or "",
            "last_year": filters.last_year or "",
            "indicators": filters.indicator,
            "format": filters.format,
        },
        indicators=analyst.indicators(user, unit),
    )
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    first, last = form.cleaned_data["first_year"], form.cleaned_data["last_year"]
    rows = analyst.rows(user, unit, first, last, form.cleaned_data["indicators"] or None)
    respond = analyst.RESPONSES[form.cleaned_data["format"]]
    return respond(analyst.header(), rows, analyst.filename(unit, first, last))


@figures.post("/entries", response=responses(200, schemas.SavedOut), summary="Write figures")
def write_entries(request, body: schemas.EntriesIn):
    """Write a unit's figures for a year, all or nothing, with the entry form's rules: a refused
    line → 422 (its messages under `errors`, keyed `lines.<n>.<field>`); a line someone else
    changed since its `version` → 409 `stale` with what is stored now; a locked year → 409
    `locked` with the lock's notice; a viewer or a read-only token → 403."""
    user = request.auth.user
    unit = _unit(request, body.unit, "edit")
    lines = [line.dict() for line in body.lines]
    try:
        saved = services.write_figures(user, unit, body.year, lines)
    except services.StaleLines as stale:
        raise Problem(
            409,
            "stale",
            _(
                "Someone else changed these lines after you read them. Nothing has been saved: "
                "read them again and send your figures with the new versions."
            ),
            conflicts=[
                {
                    "line": number,
                    "indicator_id": indicator,
                    "category": category,
                    "current": None if now is None else _stored_out(now),
                    "version": services.version_of(now),
                }
                for number, indicator, category, now in stale.conflicts
            ],
        ) from None
    except ValidationError as error:
        if indicator_services.active_lock(unit, body.year) is not None:
            raise Problem(409, "locked", " ".join(error.messages)) from None
        raise
    return {"saved": saved, "entries": _entries(unit, body.year)}


def _stored_out(stored) -> dict:
    return {
        "numerator": _number(stored.numerator),
        "denominator": _number(stored.denominator),
        "value": _number(stored.value),
        "note": stored.note,
        "source": stored.source,
    }


# Reporting ---------------------------------------------------------------------------------------

reporting = Router(tags=["reporting"])


@reporting.get("/rounds", response=responses(200, list[schemas.RoundOut]), summary="Rounds")
@paginate(Page)
def list_rounds(request, filters: Query[Filters]):
    """Reporting rounds the user sees, opened in `unit`'s subtree, for `year`."""
    qs = report_queries.visible_rounds(request.auth.user).filter(
        _within(request, filters, "opener")
    )
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    return qs.order_by("-year", "deadline", "pk")


def _round(request, pk):
    found = report_queries.visible_rounds(request.auth.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such reporting round, or it is outside your scope."))
    return found


@reporting.get("/rounds/{pk}", response=responses(200, schemas.RoundOut), summary="One round")
def get_round(request, pk: int = PK):
    return _round(request, pk)


class SubmissionFilters(Filters):
    round: Id | None = None
    state: str = Field("", max_length=16)


def _readable_submissions(request):
    return permissions.readable_reports(request.auth.user, Submission.objects.all())


@reporting.get(
    "/submissions", response=responses(200, list[schemas.SubmissionOut]), summary="Submissions"
)
@paginate(Page)
def list_submissions(request, filters: Query[SubmissionFilters]):
    """Submissions whose reports the user may read: of units in `unit`'s subtree, for rounds of
    `year`, of one `round`, in one `state`."""
    qs = _readable_submissions(request).filter(_within(request, filters, "unit"))
    if filters.year is not None:
        qs = qs.filter(round__year=filters.year)
    if filters.round is not None:
        qs = qs.filter(round_id=filters.round)
    if filters.state:
        qs = qs.filter(state=filters.state)
    return qs.order_by("round_id", "unit__path")


def _submission(request, pk) -> Submission:
    found = _readable_submissions(request).select_related("round", "unit").filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such report, or it is outside your scope."))
    return found


def _submission_out(submission: Submission) -> dict:
    return {
        **{
            name: getattr(submission, name)
            for name in (
                "id",
                "round_id",
                "unit_id",
                "state",
                "version",
                "first_submitted_at",
                "submitted_at",
                "accepted_at",
            )
        },
        "texts": {
            text.section.key: text.text for text in submission.texts.select_related("section")
        },
        "allowed_actions": [
            str(a.value) for a in report_services.allowed_actions(submission.state)
        ],
    }


@reporting.get(
    "/submissions/{pk}", response=responses(200, schemas.SubmissionDetailOut), summary="A report"
)
def get_submission(request, pk: int = PK):
    return _submission_out(_submission(request, pk))


@reporting.post(
    "/submissions/{pk}/actions",
    response=responses(200, schemas.SubmissionDetailOut),
    summary="Act on a report",
)
def act_on_submission(request, body: schemas.ActionIn, pk: int = PK):
    """Save, complete, submit (the unit), return, accept, unlock (the unit above): the one table
    of allowed moves. A `version` other than the current one → 409 `stale`; a move the table
    does not allow from the current state → 422 with the page's message."""
    submission = _submission(request, pk)
    done = report_services.act(
        request.auth.user,
        submission,
        body.action,
        version=body.version,
        texts=body.texts,
        explanation=body.explanation,
        comment=body.comment,
    )
    return _submission_out(done)


# Activities, plans, tasks, inspections -----------------------------------------------------------

work = Router(tags=["activities, plans, tasks, inspections"])


@work.get("/activities", response=responses(200, list[schemas.ActivityOut]), summary="Activities")
@paginate(Page)
def list_activities(request, filters: Query[Filters]):
    """Activities the user sees, organised in `unit`'s subtree, starting in `year`."""
    qs = activity_queries.visible_activities(request.auth.user).filter(
        _within(request, filters, "organiser")
    )
    if filters.year is not None:
        qs = qs.filter(start_date__year=filters.year)
    return qs.order_by("-start_date", "pk")


@work.get("/plans", response=responses(200, list[schemas.PlanOut]), summary="Plans")
@paginate(Page)
def list_plans(request, filters: Query[Filters]):
    """Plans of units the user sees, in `unit`'s subtree, covering `year`."""
    qs = plan_queries.visible_plans(request.auth.user).filter(_within(request, filters, "unit"))
    if filters.year is not None:
        qs = qs.filter(start_year__lte=filters.year, end_year__gte=filters.year)
    return qs.order_by("-start_year", "pk")


@work.get("/tasks", response=responses(200, list[schemas.TaskOut]), summary="Tasks")
@paginate(Page)
def list_tasks(request, filters: Query[Filters]):
    """Tasks the user sees, led in `unit`'s subtree, due in `year`."""
    qs = plan_queries.visible_tasks(request.auth.user).filter(
        _within(request, filters, "lead_unit")
    )
    if filters.year is not None:
        qs = qs.filter(deadline__year=filters.year)
    return qs.order_by("deadline", "pk")


@work.get(
    "/inspections", response=responses(200, list[schemas.InspectionOut]), summary="Inspections"
)
@paginate(Page)
def list_inspections(request, filters: Query[Filters]):
    """Inspections the user sees, made by a unit in `unit`'s subtree, starting in `year`."""
    qs = plan_queries.visible_inspections(request.auth.user).filter(
        _within(request, filters, "unit")
    )
    if filters.year is not None:
        qs = qs.filter(start_date__year=filters.year)
    return qs.order_by("-start_date", "pk")


def _visible_units(request, ids: list[int], field: str) -> list[OrgUnit]:
    """The units of the ids, all seen by the user, in the order given; else a refusal on the
    field."""
    found = permissions.visible_units(request.auth.user).in_bulk(ids)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError({field: _("No such unit, or it is outside your scope.")})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _activity(request, pk):
    found = activity_queries.visible_activities(request.auth.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such activity, or it is outside your scope."))
    return found


def _activity_out(activity) -> dict:
    values = activity_services.activity_values(activity)
    return {
        **{name: getattr(activity, name) for name in ACTIVITY_FIELDS},
        "co_organiser_ids": [u.pk for u in values["co_organisers"]],
        "topics": values["topics"],
        "outputs": [{"url": link.url, "title": link.title} for link in values["outputs"]],
        "versions": fingerprints(values),
    }


ACTIVITY_FIELDS = (
    *("id", "title", "kind", "start_date", "end_date", "organiser_id", "venue", "participants"),
    *("women", "partners", "online_sites", "online_site_count", "leaders", "officers", "public"),
    *("cost", "note"),
)


def _activity_data(request, body: schemas.ActivityIn):
    fields = body.dict(exclude={"organiser", "co_organisers", "outputs", "versions"})
    return ActivityData(
        **fields,
        organiser=_visible_units(request, [body.organiser], "organiser")[0],
        co_organisers=_visible_units(request, body.co_organisers, "co_organisers"),
        outputs=[Link(url=link.url, title=link.title) for link in body.outputs],
    )


@work.get(
    "/activities/{pk}", response=responses(200, schemas.ActivityDetailOut), summary="An activity"
)
def get_activity(request, pk: int = PK):
    return _activity_out(_activity(request, pk))


@work.post(
    "/activities", response=responses(201, schemas.ActivityDetailOut), summary="Record an activity"
)
def create_activity(request, body: schemas.ActivityIn):
    """Record an activity of a unit the user enters data for, with the activity form's rules."""
    activity = activity_services.create_activity(request.auth.user, _activity_data(request, body))
    return Status(201, _activity_out(activity))


@work.put(
    "/activities/{pk}", response=responses(200, schemas.ActivityDetailOut), summary="Change it"
)
def update_activity(request, body: schemas.ActivityIn, pk: int = PK):
    """Change an activity: send the whole activity and the `versions` last read; a field both
    you and someone else changed since → 409 `stale` with both values."""
    activity = _activity(request, pk)
    activity_services.update_activity(
        request.auth.user, activity, _activity_data(request, body), seen=body.versions
    )
    return _activity_out(_activity(request, pk))


def _plan(request, pk):
    found = plan_queries.visible_plans(request.auth.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such plan, or it is outside your scope."))
    return found


def _plan_out(plan) -> dict:
    return {
        **{name: getattr(plan, name) for name in PLAN_FIELDS},
        "versions": fingerprints(plan_services.plan_values(plan)),
    }


PLAN_FIELDS = (
    *("id", "unit_id", "kind", "start_year", "end_year", "title", "status"),
    *("decision_number", "decision_date", "decision_signer"),
)


@work.get("/plans/{pk}", response=responses(200, schemas.PlanDetailOut), summary="A plan")
def get_plan(request, pk: int = PK):
    return _plan_out(_plan(request, pk))


@work.post("/plans", response=responses(201, schemas.PlanDetailOut), summary="Record a plan")
def create_plan(request, body: schemas.PlanIn):
    """Record a draft plan of `unit` (one the user enters data for), with the plan form's rules;
    the decision's scanned file is attached on the plan's page."""
    if body.unit is None:
        raise ValidationError({"unit": _("No such unit, or it is outside your scope.")})
    plan = plan_services.create_plan(
        request.auth.user,
        _unit(request, body.unit),
        **body.dict(exclude={"unit", "versions"}),
    )
    return Status(201, _plan_out(plan))


@work.put("/plans/{pk}", response=responses(200, schemas.PlanDetailOut), summary="Change a plan")
def update_plan(request, body: schemas.PlanIn, pk: int = PK):
    """Change a draft plan, with `versions` as for activities; an approved plan stays as
    approved (422)."""
    plan_services.update_plan(
        request.auth.user,
        _plan(request, pk),
        seen=body.versions,
        **body.dict(exclude={"unit", "versions"}),
    )
    return _plan_out(_plan(request, pk))


def _task(request, pk):
    found = plan_queries.visible_tasks(request.auth.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such task, or it is outside your scope."))
    return found


def _task_out(task) -> dict:
    values = plan_services.task_values(task)
    return {
        **{name: getattr(task, name) for name in TASK_FIELDS},
        "collaborating_unit_ids": [u.pk for u in values["collaborating_units"]],
        "versions": fingerprints(values),
    }


TASK_FIELDS = (
    *("id", "title", "lead_unit_id", "assigned_by_id", "plan_id", "deadline", "status"),
    *("progress", "completed_on", "description", "deadline_kind", "meeting_reference"),
)


def _task_units(request, body: schemas.TaskIn) -> dict:
    lead = _visible_units(request, [body.lead_unit], "lead_unit")[0] if body.lead_unit else None
    return {
        "lead_unit": lead,
        "collaborating_units": _visible_units(
            request, body.collaborating_units, "collaborating_units"
        ),
    }


@work.get("/tasks/{pk}", response=responses(200, schemas.TaskDetailOut), summary="A task")
def get_task(request, pk: int = PK):
    return _task_out(_task(request, pk))


@work.post("/tasks", response=responses(201, schemas.TaskDetailOut), summary="Assign a task")
def create_task(request, body: schemas.TaskIn):
    """Assign a task from `assigned_by` (or from a `plan` of it) to a lead unit at or below it,
    with the task form's rules."""
    user = request.auth.user
    plan = None
    if body.plan is not None:
        plan = plan_queries.visible_plans(user).filter(pk=body.plan).first()
        if plan is None:
            raise ValidationError({"plan": _("No such plan, or it is outside your scope.")})
    if body.assigned_by is None and plan is None:
        raise ValidationError({"assigned_by": _("Choose the assigning unit or the plan.")})
    assigned_by = (
        plan.unit if plan else _visible_units(request, [body.assigned_by], "assigned_by")[0]
    )
    task = plan_services.create_task(
        user,
        assigned_by=assigned_by,
        plan=plan,
        title=body.title,
        deadline=body.deadline,
        deadline_kind=body.deadline_kind,
        description=body.description,
        meeting_reference=body.meeting_reference,
        **_task_units(request, body),
    )
    return Status(201, _task_out(task))


@work.put("/tasks/{pk}", response=responses(200, schemas.TaskDetailOut), summary="Change a task")
def update_task(request, body: schemas.TaskIn, pk: int = PK):
    """Change what a task asks (the assigning unit's side), with `versions` as for activities;
    its objectives and indicators stay as they are."""
    task = _task(request, pk)
    kept = plan_services.task_values(task)
    plan_services.update_task(
        request.auth.user,
        task,
        title=body.title,
        deadline=body.deadline,
        deadline_kind=body.deadline_kind,
        description=body.description,
        meeting_reference=body.meeting_reference,
        objectives=kept["objectives"],
        indicators=kept["indicators"],
        seen=body.versions,
        **_task_units(request, body),
    )
    return _task_out(_task(request, pk))


def _inspection(request, pk):
    found = plan_queries.visible_inspections(request.auth.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such inspection, or it is outside your scope."))
    return found


def _inspection_out(inspection) -> dict:
    values = plan_services.inspection_values(inspection)
    return {
        **{name: getattr(inspection, name) for name in INSPECTION_FIELDS},
        "inspected_unit_ids": [u.pk for u in values["inspected_units"]],
        "versions": fingerprints(values),
    }


INSPECTION_FIELDS = (
    *("id", "unit_id", "kind", "title", "decision_number", "start_date", "end_date"),
    *("lead_name", "lead_position", "members", "scope", "findings"),
)


def _inspected(inspecting: OrgUnit, ids: list[int]) -> list[OrgUnit]:
    """The inspected units among those the inspecting unit's pickers offer (its subtree and the
    subtrees it was ever given to inspect); the service judges the dates."""
    offered = OrgUnit.objects.subtrees([inspecting, *permissions.inspection_roots(inspecting)])
    found = offered.in_bulk(ids)
    if any(pk not in found for pk in ids):
        raise ValidationError({"inspected_units": _("No such unit, or it is outside your scope.")})
    return [found[pk] for pk in dict.fromkeys(ids)]


def _inspection_fields(body: schemas.InspectionIn) -> dict:
    return body.dict(exclude={"unit", "inspected_units", "versions"})


@work.get("/inspections/{pk}", response=responses(200, schemas.InspectionDetailOut), summary="One")
def get_inspection(request, pk: int = PK):
    return _inspection_out(_inspection(request, pk))


@work.post(
    "/inspections", response=responses(201, schemas.InspectionDetailOut), summary="Record one"
)
def create_inspection(request, body: schemas.InspectionIn):
    """Record an inspection or supervision by `unit` (one the user enters data for) of units in
    its subtree or under its oversight for inspection, with the inspection form's rules."""
    if body.unit is None:
        raise ValidationError({"unit": _("Choose the inspecting unit.")})
    unit = _unit(request, body.unit)
    inspection = plan_services.create_inspection(
        request.auth.user,
        unit,
        inspected_units=_inspected(unit, body.inspected_units),
        **_inspection_fields(body),
    )
    return Status(201, _inspection_out(inspection))


@work.put(
    "/inspections/{pk}", response=responses(200, schemas.InspectionDetailOut), summary="Change"
)
def update_inspection(request, body: schemas.InspectionIn, pk: int = PK):
    """Change an inspection's record, with `versions` as for activities."""
    inspection = _inspection(request, pk)
    plan_services.update_inspection(
        request.auth.user,
        inspection,
        inspected_units=_inspected(inspection.unit, body.inspected_units),
        seen=body.versions,
        **_inspection_fields(body),
    )
    return _inspection_out(_inspection(request, pk))


# Committees --------------------------------------------------------------------------------------

committees = Router(tags=["committees"])


@committees.get("", response=responses(200, list[schemas.CommitteeOut]), summary="Committees")
@paginate(Page)
def list_committees(request, filters: Query[Filters]):
    """Committees of units the user sees, in `unit`'s subtree; with `year`, those with members
    serving that year."""
    qs = permissions.restrict(request.auth.user, Committee.objects.all()).filter(
        _within(request, filters, "unit")
    )
    if filters.year is not None:
        serving = Membership.objects.filter(start__year__lte=filters.year).filter(
            Q(end__isnull=True) | Q(end__year__gte=filters.year)
        )
        qs = qs.filter(pk__in=serving.values("committee_id"))
    return qs.order_by("unit__path")


@committees.get(
    "/members", response=responses(200, list[schemas.MemberOut]), summary="Committee members"
)
@paginate(Page)
def list_members(request, filters: Query[Filters], committee: Id | None = None):
    """Members of the committees the user sees (of one `committee`), serving in `year`."""
    seen = permissions.restrict(request.auth.user, Committee.objects.all()).filter(
        _within(request, filters, "unit")
    )
    qs = Membership.objects.filter(committee__in=seen).select_related("person")
    if committee is not None:
        qs = qs.filter(committee_id=committee)
    if filters.year is not None:
        qs = qs.filter(start__year__lte=filters.year).filter(
            Q(end__isnull=True) | Q(end__year__gte=filters.year)
        )
    return [
        {
            "id": m.pk,
            "committee_id": m.committee_id,
            "full_name": m.person.full_name,
            "sex": m.person.sex,
            "title": m.person.title,
            "role": m.role,
            "represented_unit_id": m.represented_unit_id,
            "start": m.start,
            "end": m.end,
            "term_end": m.term_end,
        }
        for m in qs.order_by("committee_id", "start", "pk")
    ]


api.add_router("/units", units)
api.add_router("/indicators", indicators)
api.add_router("/figures", figures)
api.add_router("/reports", reporting)
api.add_router("/", work)
api.add_router("/committees", committees)
