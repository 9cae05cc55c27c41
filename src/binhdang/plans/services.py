"""Every write to plans, tasks and inspections, with the rules on scope, periods and deadlines.

Each function takes the acting user first, checks the user's rights through
`binhdang.accounts.permissions`, and raises ValidationError({field: message}) naming the field,
or PermissionDenied, before anything is written (every function is atomic).
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.core import concurrency, uploads
from binhdang.core.dates import today
from binhdang.notices.models import NoticeKind
from binhdang.notices.services import notify_after_commit
from binhdang.orgunits.models import OrgUnit

from .deadlines import DeadlineKind
from .models import (
    CLOSED_STATUSES,
    Inspection,
    InspectionKind,
    Plan,
    PlanKind,
    PlanStatus,
    Recommendation,
    Task,
    TaskStatus,
    TaskUpdate,
)
from .reminders import RECIPIENT_ROLE, task_params

MIN_YEAR = 2000
MAX_YEAR = 2100


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else "…"


def _clean_text(value: str | None) -> str:
    return " ".join((value or "").split())


def _refuse_outside(actor, unit: OrgUnit, message: str) -> None:
    if not permissions.can_edit(actor, unit):
        raise PermissionDenied(message % unit.name)


# Plans ------------------------------------------------------------------------------------------


def _check_period(kind: str, start_year, end_year) -> None:
    errors = {}
    if kind not in PlanKind.values:
        errors["kind"] = _("Choose the kind of plan.")
    for name, value in (("start_year", start_year), ("end_year", end_year)):
        if not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
            errors[name] = _("Enter a year between %(min)s and %(max)s.") % {
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }
    if errors:
        raise ValidationError(errors)
    if end_year < start_year:
        raise ValidationError(
            {
                "end_year": _("The end year (%(end)s) comes before the start year (%(start)s).")
                % {"end": end_year, "start": start_year}
            }
        )
    if kind == PlanKind.ANNUAL and end_year != start_year:
        raise ValidationError(
            {"end_year": _("An annual plan covers one year: end year = start year.")}
        )
    if kind == PlanKind.MULTI_YEAR and end_year == start_year:
        raise ValidationError(
            {"end_year": _("A multi-year plan covers more than one year (e.g. 2026–2030).")}
        )


def _check_decision(number: str, date: datetime.date | None) -> None:
    errors = {}
    if not number:
        errors["decision_number"] = _("Enter the number and symbol of the approving decision.")
    if date is None:
        errors["decision_date"] = _("Enter the date of the approving decision.")
    elif date > today():
        errors["decision_date"] = _("The decision date %s is in the future.") % _date(date)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_plan(
    actor,
    unit: OrgUnit,
    *,
    kind: str,
    start_year: int,
    end_year: int,
    title: str,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    decision_signer: str = "",
    file=None,
) -> Plan:
    """Record a draft plan of a unit; the decision may already be filled in."""
    _refuse_outside(actor, unit, _("You cannot record plans of “%s”."))
    title = _clean_text(title)
    if not title:
        raise ValidationError({"title": _("Enter the plan's title.")})
    _check_period(kind, start_year, end_year)
    unit.refuse_after_end(datetime.date(start_year, 1, 1), field="start_year")
    if decision_date and decision_date > today():
        raise ValidationError(
            {"decision_date": _("The decision date %s is in the future.") % _date(decision_date)}
        )
    if file:
        uploads.check(file)
    plan = Plan(
        unit=unit,
        kind=kind,
        start_year=start_year,
        end_year=end_year,
        title=title,
        decision_number=_clean_text(decision_number),
        decision_date=decision_date,
        decision_signer=_clean_text(decision_signer),
    )
    plan.full_clean(exclude=["file"])
    plan.save()
    if file:
        uploads.save(plan.file, file)
    return plan


@transaction.atomic
def update_plan(
    actor,
    plan: Plan,
    *,
    kind: str,
    start_year: int,
    end_year: int,
    title: str,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    decision_signer: str = "",
    file=None,
    seen=None,
) -> Plan:
    """Change a draft plan; an approved or superseded plan stays as approved.

    `seen`: the fingerprints of the page the change was made on (core.concurrency): fields
    changed meanwhile by someone else are kept, a field both changed is refused (StaleEdit),
    nothing is written when nothing changed. A new file is always attached."""
    plan = concurrency.locked(plan)
    _refuse_outside(actor, plan.unit, _("You cannot change plans of “%s”."))
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("An approved plan cannot be changed; record a new plan, whose approval replaces it.")
        )
    mine = {
        "kind": kind,
        "title": _clean_text(title),
        "start_year": start_year,
        "end_year": end_year,
        "decision_number": _clean_text(decision_number),
        "decision_date": decision_date,
        "decision_signer": _clean_text(decision_signer),
    }
    if not concurrency.merge(mine, plan_values(plan), seen) and not file:
        return plan
    if not mine["title"]:
        raise ValidationError({"title": _("Enter the plan's title.")})
    _check_period(mine["kind"], mine["start_year"], mine["end_year"])
    _check_tasks_after_start(plan, mine["start_year"])
    if mine["decision_date"] and mine["decision_date"] > today():
        raise ValidationError(
            {
                "decision_date": _("The decision date %s is in the future.")
                % _date(mine["decision_date"])
            }
        )
    if file:
        uploads.check(file)
    for name, value in mine.items():
        setattr(plan, name, value)
    plan.full_clean(exclude=["file"])
    plan.save()
    if file:
        uploads.save(plan.file, file)
    return plan


PLAN_FIELDS = (
    "kind",
    "title",
    "start_year",
    "end_year",
    "decision_number",
    "decision_date",
    "decision_signer",
)


def plan_values(plan: Plan) -> dict:
    """What is stored, in `update_plan`'s terms: what an edit page saw, or what it now finds."""
    return {name: getattr(plan, name) for name in PLAN_FIELDS}


def _check_tasks_after_start(plan: Plan, start_year: int) -> None:
    first = plan.tasks.order_by("deadline").first()
    if first and first.deadline < datetime.date(start_year, 1, 1):
        raise ValidationError(
            {
                "start_year": _(
                    "Task “%(task)s” is due %(deadline)s, before the new start year %(year)s."
                )
                % {"task": first.title, "deadline": first.deadline_label, "year": start_year}
            }
        )


@transaction.atomic
def approve_plan(
    actor,
    plan: Plan,
    *,
    decision_number: str,
    decision_date: datetime.date | None,
    decision_signer: str = "",
    file=None,
    seen=None,
) -> Plan:
    """Approve a draft plan by its decision; the unit's approved plan of the same kind and
    period, if any, becomes superseded by it (`seen`: as for `update_plan`, for the decision's
    details someone may have filled in meanwhile)."""
    if not permissions.can_approve(actor, plan.unit):
        raise PermissionDenied(_("Only an approver may approve plans of “%s”.") % plan.unit.name)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be approved."))
    mine = {
        "decision_number": _clean_text(decision_number),
        "decision_date": decision_date,
        "decision_signer": _clean_text(decision_signer),
    }
    concurrency.merge(mine, {name: getattr(plan, name) for name in mine}, seen)
    decision_number, decision_date, decision_signer = mine.values()
    _check_decision(decision_number, decision_date)
    if file:
        uploads.check(file)
    previous = list(
        Plan.objects.select_for_update()
        .filter(
            unit=plan.unit,
            kind=plan.kind,
            start_year=plan.start_year,
            end_year=plan.end_year,
            status=PlanStatus.APPROVED,
        )
        .exclude(pk=plan.pk)
    )
    for old in previous:
        old.status = PlanStatus.SUPERSEDED
        old.superseded_by = plan
        old.save()
    plan.decision_number = decision_number
    plan.decision_date = decision_date
    plan.decision_signer = _clean_text(decision_signer)
    plan.status = PlanStatus.APPROVED
    plan.approved_at = timezone.now()
    plan.approved_by = actor
    plan.full_clean(exclude=["file"])
    plan.save()
    if file:
        uploads.save(plan.file, file)
    return plan


@transaction.atomic
def attach_plan_file(actor, plan: Plan, file) -> Plan:
    """Attach (or replace) the approving decision's file."""
    _refuse_outside(actor, plan.unit, _("You cannot change plans of “%s”."))
    uploads.check(file)
    uploads.save(plan.file, file)
    return plan


# Tasks ------------------------------------------------------------------------------------------


def _check_lead_unit(
    actor, assigned_by: OrgUnit, lead_unit: OrgUnit, deadline: datetime.date | None = None
) -> None:
    if not permissions.can_edit(actor, lead_unit):
        raise ValidationError(
            {
                "lead_unit": _(
                    "“%s” is outside the units you may assign tasks to (your unit and the units "
                    "below it)."
                )
                % lead_unit.name
            }
        )
    if not lead_unit.is_within(assigned_by):
        raise ValidationError(
            {
                "lead_unit": _("The lead unit must be “%(unit)s” or a unit below it.")
                % {"unit": assigned_by.name}
            }
        )
    # A task of a former unit (its plan of 2019, say) may lead to its units of the time.
    if not lead_unit.is_live and (deadline is None or lead_unit.after_end(deadline)):
        raise ValidationError(
            {
                "lead_unit": _("“%(unit)s” no longer exists (since %(date)s).")
                % {"unit": lead_unit.name, "date": _date(lead_unit.valid_to)}
            }
        )


def _check_units(
    actor,
    assigned_by: OrgUnit,
    lead_unit: OrgUnit | None,
    collaborating_units: Iterable[OrgUnit],
    recommendation: Recommendation | None = None,
    deadline: datetime.date | None = None,
) -> None:
    if lead_unit is None:
        raise ValidationError({"lead_unit": _("Choose the lead unit.")})
    # The unit a recommendation addresses was judged when it was made (inspected, under the
    # inspecting unit or its oversight); if it has since merged, its successor follows it.
    if recommendation is None or lead_unit.pk != recommendation.unit_id:
        _check_lead_unit(actor, assigned_by, lead_unit, deadline)
    for unit in collaborating_units:
        if not (permissions.can_edit(actor, unit) and unit.is_within(assigned_by)):
            raise ValidationError(
                {
                    "collaborating_units": _(
                        "“%(name)s” is not “%(unit)s” or a unit below it; it cannot be asked to "
                        "collaborate."
                    )
                    % {"name": unit.name, "unit": assigned_by.name}
                }
            )


def _check_deadline(deadline: datetime.date | None, plan: Plan | None) -> None:
    if deadline is None:
        raise ValidationError({"deadline": _("Enter a deadline.")})
    if plan is not None and deadline < plan.start_date:
        raise ValidationError(
            {
                "deadline": _(
                    "The deadline %(deadline)s comes before the start of the plan (%(start)s)."
                )
                % {"deadline": _date(deadline), "start": _date(plan.start_date)}
            }
        )


def _check_plan(plan: Plan | None) -> None:
    if plan is not None and plan.status == PlanStatus.SUPERSEDED:
        raise ValidationError(
            {"plan": _("This plan has been superseded; add tasks to the plan in force.")}
        )


def _set_links(task: Task, collaborating_units, objectives, indicators) -> None:
    task.collaborating_units.set([u for u in collaborating_units if u.pk != task.lead_unit_id])
    task.objectives.set(list(objectives))
    task.indicators.set(list(indicators))


@transaction.atomic
def create_task(
    actor,
    *,
    assigned_by: OrgUnit,
    lead_unit: OrgUnit | None,
    title: str,
    deadline: datetime.date | None,
    deadline_kind: str = DeadlineKind.DAY,
    description: str = "",
    collaborating_units: Iterable[OrgUnit] = (),
    plan: Plan | None = None,
    recommendation: Recommendation | None = None,
    meeting_reference: str = "",
    objectives: Iterable = (),
    indicators: Iterable = (),
) -> Task:
    """Assign a task from a unit (or a plan of it) to a lead unit at or below it."""
    if plan is not None:
        assigned_by = plan.unit
    _refuse_outside(actor, assigned_by, _("You cannot assign tasks on behalf of “%s”."))
    collaborating_units = list(collaborating_units)
    title = _clean_text(title)
    if not title:
        raise ValidationError({"title": _("Enter the task's title.")})
    _check_plan(plan)
    _check_units(actor, assigned_by, lead_unit, collaborating_units, recommendation, deadline)
    _check_deadline(deadline, plan)
    task = Task(
        title=title,
        description=(description or "").strip(),
        assigned_by=assigned_by,
        lead_unit=lead_unit,
        deadline=deadline,
        deadline_kind=deadline_kind,
        plan=plan,
        recommendation=recommendation,
        meeting_reference=_clean_text(meeting_reference),
        created_by=actor,
    )
    task.full_clean()
    task.save()
    _set_links(task, collaborating_units, objectives, indicators)
    _tell_lead_unit(actor, task)
    return task


@transaction.atomic
def update_task(
    actor,
    task: Task,
    *,
    lead_unit: OrgUnit | None,
    title: str,
    deadline: datetime.date | None,
    deadline_kind: str = DeadlineKind.DAY,
    description: str = "",
    collaborating_units: Iterable[OrgUnit] = (),
    meeting_reference: str = "",
    objectives: Iterable = (),
    indicators: Iterable = (),
    seen=None,
) -> Task:
    """Change what a task asks; only the assigning unit's side may do so (`seen`: as for
    `update_plan`)."""
    task = concurrency.locked(task)
    _refuse_outside(
        actor, task.assigned_by, _("Only “%s”, which assigned this task, may change it.")
    )
    mine = {
        "title": _clean_text(title),
        "description": (description or "").strip(),
        "lead_unit": lead_unit,
        "collaborating_units": list(collaborating_units),
        "deadline": (deadline, deadline_kind),
        "meeting_reference": _clean_text(meeting_reference),
        "objectives": list(objectives),
        "indicators": list(indicators),
    }
    if not concurrency.merge(mine, task_values(task), seen):
        return task
    if not mine["title"]:
        raise ValidationError({"title": _("Enter the task's title.")})
    _check_units(
        actor,
        task.assigned_by,
        mine["lead_unit"],
        mine["collaborating_units"],
        task.recommendation,
        mine["deadline"][0],
    )
    task.deadline, task.deadline_kind = mine["deadline"]
    _check_deadline(task.deadline, task.plan)
    task.title = mine["title"]
    task.description = mine["description"]
    given_to_another = mine["lead_unit"].pk != task.lead_unit_id
    task.lead_unit = mine["lead_unit"]
    task.meeting_reference = mine["meeting_reference"]
    task.full_clean()
    task.save()
    _set_links(task, mine["collaborating_units"], mine["objectives"], mine["indicators"])
    if given_to_another:
        _tell_lead_unit(actor, task)
    return task


def _tell_lead_unit(actor, task: Task) -> None:
    """The lead unit's officers hear of a task given to their unit."""
    notify_after_commit(
        NoticeKind.TASK_ASSIGNED,
        permissions.members([task.lead_unit_id], RECIPIENT_ROLE).exclude(pk=actor.pk),
        link=task.get_absolute_url(),
        **task_params(task),
    )


def task_values(task: Task) -> dict:
    """What is stored, in `update_task`'s terms (the deadline with how it was said)."""
    return {
        "title": task.title,
        "description": task.description,
        "lead_unit": task.lead_unit,
        "collaborating_units": list(task.collaborating_units.all()),
        "deadline": (task.deadline, task.deadline_kind),
        "meeting_reference": task.meeting_reference,
        "objectives": list(task.objectives.all()),
        "indicators": list(task.indicators.all()),
    }


def progress_values(task: Task) -> dict:
    """A task's state in `add_update`'s terms, as a progress page shows it."""
    return {"percent": task.progress, "new_status": task.status}


def _merge_progress(task: Task, percent, new_status: str, seen) -> tuple[int | None, str]:
    """The percentage and status a progress page means, given what was saved since it opened."""
    mine, current = {}, {}
    if percent is not None:  # collaborating units have no percentage to send
        mine["percent"], current["percent"] = percent, task.progress
    if new_status:
        mine["new_status"], current["new_status"] = new_status, task.status
    if not concurrency.merge(mine, current, seen):
        return None, ""  # left as shown: a report without a change of state
    return mine.get("percent"), mine.get("new_status", "")


def task_rights(actor, task: Task) -> dict[str, bool]:
    """What the user may do with a task: change it, report on it, change its status, cancel it."""
    assigner = permissions.can_edit(actor, task.assigned_by)
    lead = permissions.can_edit(actor, task.lead_unit)
    collaborator = any(permissions.can_edit(actor, unit) for unit in task.collaborating_units.all())
    return {
        "edit": assigner,
        "report": assigner or lead or collaborator,
        "status": assigner or lead,
        "cancel": assigner,
    }


@transaction.atomic
def add_update(
    actor,
    task: Task,
    *,
    text: str,
    date: datetime.date | None = None,
    link: str = "",
    file=None,
    percent: int | None = None,
    new_status: str = "",
    seen=None,
) -> TaskUpdate:
    """Report progress on a task with its evidence; the lead or assigning unit may also change the
    status or percentage (done sets 100% and the completion date).

    `seen`: the fingerprints of the page (`progress_values` when it was opened): a percentage or
    status left as shown is no change, and does not undo one saved meanwhile; one both changed
    is refused (core.concurrency.StaleEdit)."""
    rights = task_rights(actor, task)
    if not rights["report"]:
        raise PermissionDenied(_("You cannot report on this task."))
    task = Task.objects.select_for_update().get(pk=task.pk)
    if seen is not None:
        percent, new_status = _merge_progress(task, percent, new_status, seen)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Describe what was done.")
    date = date or today()
    if date > today():
        errors["date"] = _("The date %s is in the future.") % _date(date)
    if percent is not None and not 0 <= percent <= 100:
        errors["percent"] = _("The percentage must be between 0 and 100.")
    if new_status and new_status not in TaskStatus.values:
        errors["new_status"] = _("Choose a status.")
    if errors:
        raise ValidationError(errors)
    changes_state = (new_status and new_status != task.status) or percent is not None
    if changes_state and not rights["status"]:
        raise ValidationError(
            {
                "new_status": _(
                    "Only the lead unit or the unit that assigned the task may change its status "
                    "or percentage; collaborating units report progress."
                )
            }
        )
    cancelling = new_status == TaskStatus.CANCELLED and task.status != TaskStatus.CANCELLED
    if cancelling and not rights["cancel"]:
        raise ValidationError(
            {"new_status": _("Only the unit that assigned the task may cancel it.")}
        )
    if file:
        uploads.check(file)

    old_status = task.status
    status = new_status or old_status
    if status == TaskStatus.NOT_STARTED and percent and not new_status:
        status = TaskStatus.IN_PROGRESS
    update = TaskUpdate(
        task=task,
        author=actor,
        unit=getattr(actor, "unit", None),
        date=date,
        text=text,
        link=(link or "").strip(),
        percent=percent,
        old_status=old_status if status != old_status else "",
        new_status=status if status != old_status else "",
    )
    update.full_clean(exclude=["file"])
    update.save()
    if file:
        uploads.save(update.file, file)

    if percent is not None:
        task.progress = percent
    if status != old_status:
        task.status = status
        if status == TaskStatus.DONE:
            task.progress = 100
            task.completed_on = date
        elif old_status == TaskStatus.DONE:
            task.completed_on = None
    task.save()
    return update


# Inspections ------------------------------------------------------------------------------------


def _check_inspection(
    unit: OrgUnit,
    *,
    kind: str,
    title: str,
    lead_name: str,
    inspected_units: list[OrgUnit],
    start_date: datetime.date | None,
    end_date: datetime.date | None,
) -> None:
    errors = {}
    if kind not in InspectionKind.values:
        errors["kind"] = _("Choose inspection or supervision.")
    if not title:
        errors["title"] = _("Enter the title of the inspection.")
    if not lead_name:
        errors["lead_name"] = _("Enter the team lead's name.")
    if start_date is None:
        errors["start_date"] = _("Enter the start date.")
    if end_date is None:
        errors["end_date"] = _("Enter the end date.")
    elif start_date and end_date < start_date:
        errors["end_date"] = _("The end date %(end)s comes before the start date %(start)s.") % {
            "end": _date(end_date),
            "start": _date(start_date),
        }
    if start_date and unit.after_end(start_date):
        errors["start_date"] = unit.after_end(start_date)
    if not inspected_units:
        errors["inspected_units"] = _("Choose at least one unit inspected.")
    outside = [u.name for u in inspected_units if not permissions.may_inspect(unit, u, start_date)]
    # A unit that had merged away before the inspection began cannot have been inspected.
    gone = [u for u in inspected_units if start_date and u.valid_to and u.valid_to < start_date]
    if outside:
        errors["inspected_units"] = _(
            "%(units)s: not under “%(unit)s” nor under its oversight for inspection on that "
            "date; a unit can only inspect units in its own subtree or those it oversees."
        ) % {"units": ", ".join(f"“{name}”" for name in outside), "unit": unit.name}
    elif gone:
        errors["inspected_units"] = _(
            "“%(name)s” no longer existed on %(start)s (it ended on %(end)s)."
        ) % {"name": gone[0].name, "start": _date(start_date), "end": _date(gone[0].valid_to)}
    if errors:
        raise ValidationError(errors)


def _inspection_fields(unit: OrgUnit, inspected_units: list[OrgUnit], **typed) -> dict:
    """An inspection's fields (`_cleaned_inspection`'s), cleaned and checked (refusals named by
    field)."""
    fields = _cleaned_inspection(**typed)
    _check_inspection(
        unit,
        inspected_units=inspected_units,
        **{key: fields[key] for key in ("kind", "title", "lead_name", "start_date", "end_date")},
    )
    return fields


def _cleaned_inspection(
    *,
    kind,
    title,
    lead_name,
    start_date,
    end_date,
    lead_position,
    members,
    scope,
    findings,
    decision_number,
) -> dict:
    """An inspection's fields with their text trimmed, as stored."""
    return {
        "kind": kind,
        "title": _clean_text(title),
        "decision_number": _clean_text(decision_number),
        "lead_name": _clean_text(lead_name),
        "lead_position": _clean_text(lead_position),
        "members": (members or "").strip(),
        "start_date": start_date,
        "end_date": end_date,
        "scope": (scope or "").strip(),
        "findings": (findings or "").strip(),
    }


@transaction.atomic
def create_inspection(
    actor,
    unit: OrgUnit,
    *,
    kind: str,
    title: str,
    lead_name: str,
    inspected_units: Iterable[OrgUnit],
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    lead_position: str = "",
    members: str = "",
    scope: str = "",
    findings: str = "",
    decision_number: str = "",
) -> Inspection:
    """Record an inspection or supervision by a unit of units in its subtree or under its
    oversight for inspection (historical units too, when the inspection falls in their time)."""
    _refuse_outside(actor, unit, _("You cannot record inspections of “%s”."))
    inspected_units = list(inspected_units)
    fields = _inspection_fields(
        unit,
        inspected_units,
        kind=kind,
        title=title,
        lead_name=lead_name,
        start_date=start_date,
        end_date=end_date,
        lead_position=lead_position,
        members=members,
        scope=scope,
        findings=findings,
        decision_number=decision_number,
    )
    inspection = Inspection(unit=unit, created_by=actor, **fields)
    inspection.full_clean()
    inspection.save()
    inspection.inspected_units.set(inspected_units)
    return inspection


@transaction.atomic
def update_inspection(
    actor,
    inspection: Inspection,
    *,
    kind: str,
    title: str,
    lead_name: str,
    inspected_units: Iterable[OrgUnit],
    start_date: datetime.date | None,
    end_date: datetime.date | None,
    lead_position: str = "",
    members: str = "",
    scope: str = "",
    findings: str = "",
    decision_number: str = "",
    seen=None,
) -> Inspection:
    """Change an inspection's record; units with recommendations stay among those inspected
    (`seen`: as for `update_plan`)."""
    inspection = concurrency.locked(inspection)
    _refuse_outside(actor, inspection.unit, _("You cannot change inspections of “%s”."))
    mine = _cleaned_inspection(
        kind=kind,
        title=title,
        lead_name=lead_name,
        start_date=start_date,
        end_date=end_date,
        lead_position=lead_position,
        members=members,
        scope=scope,
        findings=findings,
        decision_number=decision_number,
    )
    mine["inspected_units"] = list(inspected_units)
    if not concurrency.merge(mine, inspection_values(inspection), seen):
        return inspection
    inspected_units = mine.pop("inspected_units")
    fields = _inspection_fields(inspection.unit, inspected_units, **mine)
    kept = {u.pk for u in inspected_units}
    dropped = inspection.recommendations.exclude(unit__in=kept).select_related("unit").first()
    if dropped:
        raise ValidationError(
            {
                "inspected_units": _(
                    "“%s” has recommendations from this inspection; it stays among the units "
                    "inspected."
                )
                % dropped.unit.name
            }
        )
    for name, value in fields.items():
        setattr(inspection, name, value)
    inspection.full_clean()
    inspection.save()
    inspection.inspected_units.set(inspected_units)
    return inspection


INSPECTION_FIELDS = (
    "kind",
    "title",
    "decision_number",
    "lead_name",
    "lead_position",
    "members",
    "start_date",
    "end_date",
    "scope",
    "findings",
)


def inspection_values(inspection: Inspection) -> dict:
    """What is stored, in `update_inspection`'s terms."""
    values = {name: getattr(inspection, name) for name in INSPECTION_FIELDS}
    values["inspected_units"] = list(inspection.inspected_units.all())
    return values


@transaction.atomic
def add_recommendation(
    actor,
    inspection: Inspection,
    *,
    unit: OrgUnit | None,
    text: str,
    deadline: datetime.date | None,
    deadline_kind: str = DeadlineKind.DAY,
) -> Recommendation:
    """Record a recommendation to an inspected unit and the task that tracks it to closure; one
    to a unit that has since merged is followed by its successor."""
    _refuse_outside(actor, inspection.unit, _("You cannot change inspections of “%s”."))
    text = (text or "").strip()
    errors = {}
    if unit is None or not inspection.inspected_units.filter(pk=unit.pk).exists():
        errors["unit"] = _("Choose one of the units inspected.")
    if not text:
        errors["text"] = _("Enter the recommendation.")
    if deadline is None:
        errors["deadline"] = _("Enter a deadline.")
    elif deadline < inspection.end_date:
        errors["deadline"] = _(
            "The deadline %(deadline)s comes before the end of the inspection (%(end)s)."
        ) % {"deadline": _date(deadline), "end": _date(inspection.end_date)}
    if errors:
        raise ValidationError(errors)
    recommendation = Recommendation(
        inspection=inspection,
        unit=unit,
        text=text,
        deadline=deadline,
        deadline_kind=deadline_kind,
    )
    recommendation.full_clean()
    recommendation.save()
    try:
        create_task(
            actor,
            assigned_by=inspection.unit,
            lead_unit=unit,
            title=Truncator(" ".join(text.split())).chars(200),
            description=text,
            deadline=deadline,
            deadline_kind=deadline_kind,
            recommendation=recommendation,
        )
    except ValidationError as error:
        # The task's rules speak of the lead unit; on this form that is the unit addressed.
        if hasattr(error, "error_dict") and "lead_unit" in error.error_dict:
            raise ValidationError({"unit": error.error_dict["lead_unit"]}) from None
        raise
    return recommendation


def is_closed(task: Task | None) -> bool:
    return task is not None and task.status in CLOSED_STATUSES
