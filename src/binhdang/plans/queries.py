"""Reads of plans, tasks and inspections that pages, exports and other apps share.

Scope comes from `binhdang.accounts.permissions` only: a task is visible to a user when its lead
unit, one of its collaborating units or the unit that assigned it lies in the user's scope. So a
commune sees the tasks assigned to it from anywhere above, a province sees every task it (or a
unit below it) assigned and its state, and a neighbouring commune sees none of them. A unit
overseeing a subtree for following recommendations also sees the recommendations made there and
the tasks that follow them up.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from binhdang.accounts import permissions
from binhdang.accounts.models import OversightFunction
from binhdang.core.dates import today
from binhdang.orgunits.models import OrgUnit

from .models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    DisplayStatus,
    Inspection,
    Plan,
    PlanKind,
    PlanStatus,
    Recommendation,
    Task,
)

# "Due soon" on pages when no other horizon is asked for.
DUE_SOON_DAYS = 14


def visible_tasks(user) -> QuerySet[Task]:
    """Tasks the user may see: led by, shared with, or assigned by a unit in their scope."""
    base = Task.objects.all()
    if permissions.sees_everything(user):
        return base
    ids = (
        permissions.restrict(user, Task.objects.all(), "lead_unit").values("pk"),
        permissions.restrict(user, Task.objects.all(), "collaborating_units").values("pk"),
        permissions.restrict(user, Task.objects.all(), "assigned_by").values("pk"),
        permissions.restrict_with_oversight(
            user,
            Task.objects.filter(recommendation__isnull=False),
            OversightFunction.FOLLOW_RECOMMENDATIONS,
            "recommendation__unit",
        ).values("pk"),
    )
    return base.filter(Q(pk__in=ids[0]) | Q(pk__in=ids[1]) | Q(pk__in=ids[2]) | Q(pk__in=ids[3]))


def deadlines(user, start: datetime.date, end: datetime.date) -> QuerySet[Task]:
    """Tasks given to or by the user's unit (led, shared or assigned; its predecessors too) with
    a deadline in [start, end], for the calendar and its feed.

    Each task has `title`, `deadline` (the last day on time), `deadline_label` ("Trước tháng
    10/2024" or "10/04/2024"), `deadline_words`, `status`, `is_overdue` and `get_absolute_url()`.
    """
    units = [unit.pk for unit in permissions.scope_roots(user)]
    if not units and (home := permissions.home_unit(user)) is not None:
        units = [home.pk]
    shared = Task.objects.filter(collaborating_units__in=units).values("pk")
    return (
        visible_tasks(user)
        .filter(Q(lead_unit__in=units) | Q(assigned_by__in=units) | Q(pk__in=shared))
        .filter(deadline__gte=start, deadline__lte=end)
        .select_related("lead_unit")
        .order_by("deadline", "pk")
    )


def tasks_of_unit(user, unit: OrgUnit) -> QuerySet[Task]:
    """Visible tasks the unit leads or collaborates on, and those led by the units it was formed
    from (a recommendation to a province that has since merged is its successor's to follow)."""
    led = Q(lead_unit=unit) | Q(lead_unit__in=unit.predecessors.all())
    return visible_tasks(user).filter(led | Q(collaborating_units=unit)).distinct()


def tasks_in_subtree(user, unit: OrgUnit) -> QuerySet[Task]:
    """Visible tasks led by, or shared with, the unit or a unit below it."""
    shared = Task.objects.filter(collaborating_units__path__startswith=unit.path).values("pk")
    return visible_tasks(user).filter(Q(lead_unit__path__startswith=unit.path) | Q(pk__in=shared))


def tasks_assigned_by(user, unit: OrgUnit) -> QuerySet[Task]:
    """Visible tasks the unit assigned."""
    return visible_tasks(user).filter(assigned_by=unit)


@dataclass
class TaskCounts:
    total: int = 0
    not_started: int = 0
    in_progress: int = 0
    overdue: int = 0
    done: int = 0
    cancelled: int = 0
    due_soon: int = 0

    @property
    def closed(self) -> int:
        return self.done + self.cancelled


def task_counts(
    tasks: QuerySet[Task], on: datetime.date | None = None, days: int = DUE_SOON_DAYS
) -> TaskCounts:
    """How many tasks by status as shown (overdue included), and how many fall due soon."""
    on = on or today()
    rows = dict(
        tasks.order_by()
        .with_display_status(on)
        .values_list("display_status")
        .annotate(n=Count("pk", distinct=True))
    )
    counts = TaskCounts(**{status: rows.get(status, 0) for status in DisplayStatus.values})
    counts.total = sum(rows.values())
    counts.due_soon = tasks.due_within(days, on).order_by().values("pk").distinct().count()
    return counts


def task_list(tasks: QuerySet[Task], on: datetime.date | None = None) -> QuerySet[Task]:
    """Tasks ready for a list page or an export: status as shown, units at hand."""
    return (
        tasks.with_display_status(on)
        .select_related("lead_unit", "assigned_by", "plan", "recommendation__inspection")
        .prefetch_related("collaborating_units")
        .order_by("deadline", "pk")
    )


# Plans ------------------------------------------------------------------------------------------


def visible_plans(user) -> QuerySet[Plan]:
    """Plans of units the user may see."""
    return permissions.restrict(user, Plan.objects.all(), "unit")


def annual_plan_for(unit: OrgUnit, year: int) -> Plan | None:
    """The unit's approved annual plan covering a year, if any."""
    return (
        Plan.objects.filter(unit=unit, kind=PlanKind.ANNUAL)
        .approved()
        .covering(year)
        .order_by("-decision_date", "-pk")
        .first()
    )


def units_without_plan(units: QuerySet[OrgUnit], year: int) -> QuerySet[OrgUnit]:
    """Of the given units, those with no approved annual plan covering the year."""
    has_plan = Plan.objects.filter(
        unit=OuterRef("pk"), kind=PlanKind.ANNUAL, status=PlanStatus.APPROVED
    ).covering(year)
    draft = Plan.objects.filter(
        unit=OuterRef("pk"), kind=PlanKind.ANNUAL, status=PlanStatus.DRAFT
    ).covering(year)
    return (
        units.filter(~Exists(has_plan))
        .annotate(has_draft=Exists(draft))
        .select_related("parent")
        .order_by("level", "search_name", "name")
    )


def candidate_units(user, unit: OrgUnit, level: int | None, year: int) -> QuerySet[OrgUnit]:
    """Units to check for a plan: live in the year; the unit's direct sub-units by default, or
    every unit of a level in its subtree."""
    on = datetime.date(year, 12, 31)
    units = permissions.visible_units(user).live(on)
    if level is None:
        return units.filter(parent=unit)
    return units.subtree(unit).filter(level=level).exclude(pk=unit.pk)


# Inspections ------------------------------------------------------------------------------------


def visible_inspections(user) -> QuerySet[Inspection]:
    """Inspections by a unit in the user's scope, or of one, or of one the user oversees for
    following recommendations."""
    if permissions.sees_everything(user):
        return Inspection.objects.all()
    by = permissions.restrict(user, Inspection.objects.all(), "unit").values("pk")
    of = permissions.restrict_with_oversight(
        user,
        Inspection.objects.all(),
        OversightFunction.FOLLOW_RECOMMENDATIONS,
        "inspected_units",
    ).values("pk")
    return Inspection.objects.filter(Q(pk__in=by) | Q(pk__in=of))


@dataclass
class RecommendationRow:
    recommendation: object
    task: Task | None


def recommendation_rows(inspection: Inspection, on: datetime.date | None = None):
    """Each recommendation with its follow-up task (status as shown), and how many are closed."""
    on = on or today()
    recommendations = list(inspection.recommendations.select_related("unit").order_by("pk"))
    tasks = {}
    for task in (
        Task.objects.filter(recommendation__in=recommendations)
        .with_display_status(on)
        .select_related("lead_unit")
        .order_by("pk")
    ):
        tasks.setdefault(task.recommendation_id, task)
    rows = [RecommendationRow(r, tasks.get(r.pk)) for r in recommendations]
    closed = sum(1 for row in rows if row.task and row.task.status in CLOSED_STATUSES)
    return rows, closed


def closure_counts(inspections: QuerySet[Inspection]) -> dict[int, tuple[int, int]]:
    """{inspection id: (recommendations, closed ones)} in one query."""
    rows = (
        Task.objects.filter(recommendation__inspection__in=inspections)
        .values_list("recommendation__inspection")
        .annotate(
            total=Count("recommendation", distinct=True),
            closed=Count("recommendation", filter=Q(status__in=CLOSED_STATUSES), distinct=True),
        )
    )
    return {inspection: (total, closed) for inspection, total, closed in rows}


# The work board ---------------------------------------------------------------------------------


def tasks_given_to_or_by(user, unit: OrgUnit) -> QuerySet[Task]:
    """Tasks the unit leads, shares or assigned. By `visible_tasks`' rule each of them is visible
    to whoever may view the unit, so scope is one check of the unit rather than three subqueries
    over every task of the subtree (50 ms a list for a province at national scale)."""
    if not permissions.can_view(user, unit):
        return Task.objects.none()
    shared = Task.objects.filter(collaborating_units=unit).values("pk")
    return Task.objects.filter(Q(lead_unit=unit) | Q(assigned_by=unit) | Q(pk__in=shared))


def recommendations_to_follow(user, unit: OrgUnit) -> QuerySet[Recommendation]:
    """Inspection recommendations to the unit whose follow-up is not done or cancelled yet, the
    soonest deadline first; `follow_up` is the id of the open follow-up task, if any."""
    open_task = Task.objects.filter(recommendation=OuterRef("pk"), status__in=OPEN_STATUSES)
    closed = Task.objects.filter(recommendation=OuterRef("pk"), status__in=CLOSED_STATUSES)
    if not permissions.can_view(user, unit):
        return Recommendation.objects.none()
    return (
        Recommendation.objects.filter(unit=unit)
        .filter(~Exists(closed))
        .annotate(follow_up=Subquery(open_task.order_by("pk").values("pk")[:1]))
        .select_related("inspection")
        .order_by("deadline", "pk")
    )
