"""Pages of plans, tasks and inspections; the rules live in services, the reads in queries."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from binhdang.accounts import permissions
from binhdang.core import uploads
from binhdang.core.dates import today
from binhdang.core.forms import add_service_errors
from binhdang.core.text import matching
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.orgunits.queries import breadcrumb

from . import queries, services, spreadsheets
from .forms import (
    ApproveForm,
    FileForm,
    InspectionForm,
    MissingPlansForm,
    PlanFilterForm,
    PlanForm,
    RecommendationForm,
    TaskFilterForm,
    TaskForm,
    UpdateForm,
)
from .models import DisplayStatus, Inspection, Plan, PlanKind, PlanStatus, Task, TaskUpdate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _unit_from_query(request, key: str = "unit") -> OrgUnit:
    """The unit named in the query string (404 outside the user's scope), else the home unit."""
    pk = request.GET.get(key)
    if pk:
        return permissions.get_unit(request.user, pk)
    return permissions.home_unit(request.user)


def _plan(user, pk) -> tuple[Plan, bool]:
    """A plan the user may read: of a unit in scope, or holding a task assigned to the user's
    unit from above (read-only then). Returns the plan and whether its unit is in scope."""
    plan = get_object_or_404(Plan.objects.select_related("unit", "superseded_by"), pk=pk)
    if permissions.can_view(user, plan.unit):
        return plan, True
    if queries.visible_tasks(user).filter(plan=plan).exists():
        return plan, False
    raise Http404(_("No such plan, or it is outside your scope."))


def _plan_to_change(user, pk, action: str) -> Plan:
    """A plan the user may change ("edit") or approve; 403 for one they only read."""
    plan, in_scope = _plan(user, pk)
    if not in_scope:
        raise PermissionDenied(_("Your role does not allow this action in this unit."))
    permissions.get_unit(user, plan.unit_id, action)
    return plan


def _task(user, pk) -> Task:
    try:
        return (
            queries.visible_tasks(user)
            .select_related("lead_unit", "assigned_by", "plan", "recommendation__inspection")
            .get(pk=pk)
        )
    except (Task.DoesNotExist, ValueError):
        raise Http404(_("No such task, or it is outside your scope.")) from None


def _inspection(user, pk) -> Inspection:
    try:
        return queries.visible_inspections(user).select_related("unit").get(pk=pk)
    except (Inspection.DoesNotExist, ValueError):
        raise Http404(_("No such inspection, or it is outside your scope.")) from None


# The section's home and a unit's page -----------------------------------------------------------


def home(request):
    """The user's own unit: its plans, its tasks, what is overdue and due soon."""
    return _unit_page(request, permissions.home_unit(request.user))


def unit(request, pk):
    """Any unit in scope: its plans and tasks."""
    return _unit_page(request, permissions.get_unit(request.user, pk))


def _unit_page(request, unit: OrgUnit):
    user = request.user
    on = today()
    assigned_to = queries.tasks_of_unit(user, unit)
    assigned_by = queries.tasks_assigned_by(user, unit)
    plans = (
        queries.visible_plans(user)
        .filter(unit=unit)
        .annotate(n_tasks=Count("tasks"))
        .order_by("-end_year", "kind", "-pk")
    )
    subtree = queries.tasks_in_subtree(user, unit)
    horizon = on + datetime.timedelta(days=queries.DUE_SOON_DAYS)
    attention = queries.task_list(subtree.open().filter(deadline__lte=horizon), on)
    return render(
        request,
        "plans/unit.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "plans": plans,
            "annual_plan": queries.annual_plan_for(unit, on.year),
            "year": str(on.year),
            "mine": queries.task_counts(assigned_to, on),
            "all": queries.task_counts(subtree, on),
            "theirs": queries.task_counts(assigned_by.exclude(lead_unit=unit), on),
            "attention": attention[:20],
            "open_tasks": queries.task_list(assigned_to.open().filter(deadline__gt=horizon), on)[
                :10
            ],
            "due_soon_days": queries.DUE_SOON_DAYS,
            "recent_assigned": queries.task_list(assigned_by.exclude(lead_unit=unit), on).order_by(
                "-created_at"
            )[:10],
            "inspections": queries.visible_inspections(user)
            .filter(Q(unit=unit) | Q(inspected_units=unit))
            .distinct()
            .select_related("unit")[:5],
            "can_edit": permissions.can_edit(user, unit),
            "has_children": unit.children.live().exists(),
            "is_home": unit == permissions.home_unit(user),
        },
    )


# Plans ------------------------------------------------------------------------------------------


def _plan_filters(request):
    unit = _unit_from_query(request)
    form = PlanFilterForm(request.GET or None)
    plans = queries.visible_plans(request.user).filter(unit__path__startswith=unit.path)
    if form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            plans = plans.filter(kind=data["kind"])
        if data["status"]:
            plans = plans.filter(status=data["status"])
        if data["year"]:
            plans = plans.covering(data["year"])
    plans = (
        plans.select_related("unit")
        .annotate(n_tasks=Count("tasks"))
        .order_by("unit__path", "-start_year", "kind", "-pk")
    )
    return unit, form, plans


def plan_list(request):
    """Plans of a unit and the units below it, with filters."""
    unit, form, plans = _plan_filters(request)
    page = Paginator(plans, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/plan_list.html",
        {"unit": unit, "breadcrumb": breadcrumb(unit), "form": form, "page": page},
    )


def plan_list_xlsx(request):
    unit, _form, plans = _plan_filters(request)
    content = spreadsheets.export_plans(plans, f"Danh sách kế hoạch — {unit.name}")
    return _download(content, f"ke-hoach-{unit.code}.xlsx")


def plan_detail(request, pk):
    """A plan, its decision, and its tasks with their state."""
    plan, in_scope = _plan(request.user, pk)
    on = today()
    tasks = queries.visible_tasks(request.user).filter(plan=plan)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "unit": plan.unit,
            "breadcrumb": breadcrumb(plan.unit) if in_scope else None,
            "tasks": queries.task_list(tasks, on),
            "counts": queries.task_counts(tasks, on),
            "previous": plan.supersedes.all(),
            "can_edit": in_scope and permissions.can_edit(request.user, plan.unit),
            "can_approve": in_scope and permissions.can_approve(request.user, plan.unit),
            "file_form": FileForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_create(request, pk):
    """Record a plan of a unit (a draft until approved)."""
    unit = permissions.get_unit(request.user, pk, "edit")
    year = today().year
    kind = (
        request.GET.get("kind") if request.GET.get("kind") in PlanKind.values else PlanKind.ANNUAL
    )
    initial = {"kind": kind, "start_year": year, "end_year": year}
    if kind == PlanKind.MULTI_YEAR:
        # The five-year period holding this year: 2021–2025, 2026–2030, ...
        start = 2021 + 5 * ((year - 2021) // 5)
        initial.update(start_year=start, end_year=start + 4)
    form = PlanForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.create_plan(request.user, unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Plan recorded as a draft. Add its tasks, then approve it.")
            )
            return redirect(plan)
    return render(
        request,
        "plans/plan_form.html",
        {
            "form": form,
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "title": _("New plan of %s") % unit.name,
            "cancel": redirect("plans:unit", pk=unit.pk).url,
        },
    )


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = _plan_to_change(request.user, pk, "edit")
    values = services.plan_values(plan)
    form = PlanForm(request.POST or None, request.FILES or None, initial=values, seen=values)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(services.update_plan, request.user, plan, **form.cleaned_data)
    ):
        messages.success(request, _("Saved."))
        return redirect(plan)
    return render(
        request,
        "plans/plan_form.html",
        {
            "form": form,
            "unit": plan.unit,
            "breadcrumb": breadcrumb(plan.unit),
            "title": plan.title,
            "plan": plan,
            "cancel": plan.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_approve(request, pk):
    """Approve a draft plan by its decision; the plan it replaces becomes superseded."""
    plan = _plan_to_change(request.user, pk, "approve")
    values = services.plan_values(plan)
    form = ApproveForm(request.POST or None, request.FILES or None, initial=values, seen=values)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(services.approve_plan, request.user, plan, **form.cleaned_data)
    ):
        messages.success(request, _("Plan approved."))
        return redirect(plan)
    current = (
        Plan.objects.filter(
            unit=plan.unit,
            kind=plan.kind,
            start_year=plan.start_year,
            end_year=plan.end_year,
            status=PlanStatus.APPROVED,
        )
        .exclude(pk=plan.pk)
        .first()
    )
    return render(
        request,
        "plans/plan_approve.html",
        {
            "form": form,
            "plan": plan,
            "unit": plan.unit,
            "breadcrumb": breadcrumb(plan.unit),
            "current": current,
        },
    )


def plan_file(request, pk):
    plan, _in_scope = _plan(request.user, pk)
    if not plan.file:
        raise Http404(_("This plan has no file."))
    return uploads.serve(plan.file, plan.decision_number or f"ke-hoach-{plan.pk}")


@require_http_methods(["POST"])
def plan_attach(request, pk):
    plan = _plan_to_change(request.user, pk, "edit")
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach_plan_file(request.user, plan, form.cleaned_data["file"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("File attached."))
    else:
        messages.error(request, _("Choose a file."))
    return redirect(plan)


# Tasks ------------------------------------------------------------------------------------------


def _task_filters(request):
    """The task list's query: visible tasks, narrowed by the filters; and a note describing them."""
    user = request.user
    form = TaskFilterForm(request.GET or None)
    tasks = queries.visible_tasks(user)
    notes = []
    unit = None
    on = today()
    if form.is_valid():
        data = form.cleaned_data
        own = user.unit
        if data["relation"] == TaskFilterForm.MINE and own:
            tasks = tasks.filter(
                Q(lead_unit=own)
                | Q(pk__in=Task.objects.filter(collaborating_units=own).values("pk"))
            )
            notes.append(_("assigned to my unit"))
        elif data["relation"] == TaskFilterForm.BY_ME and own:
            tasks = tasks.filter(assigned_by=own)
            notes.append(_("assigned by my unit"))
        if data["unit"]:
            unit = permissions.get_unit(user, data["unit"])
            tasks = tasks.filter(pk__in=queries.tasks_in_subtree(user, unit).values("pk"))
            notes.append(_("unit: %s") % unit.name)
        if data["assigned_by"]:
            assigner = permissions.get_unit(user, data["assigned_by"])
            tasks = tasks.filter(assigned_by=assigner)
            notes.append(_("assigned by: %s") % assigner.name)
        if data["plan"]:
            plan, _in_scope = _plan(user, data["plan"])
            tasks = tasks.filter(plan=plan)
            notes.append(_("plan: %s") % plan.title)
        if data["status"]:
            tasks = tasks.with_display_status_in([data["status"]], on)
            notes.append(_("status: %s") % DisplayStatus(data["status"]).label)
        if data["due_within"] is not None:
            tasks = tasks.due_within(data["due_within"], on)
            notes.append(_("due within %d days") % data["due_within"])
        if data["q"]:
            tasks = matching(tasks, data["q"])
            notes.append(_("title contains “%s”") % data["q"])
    return form, queries.task_list(tasks, on), unit, notes


def task_list(request):
    """Tasks the user can see, with filters: status (overdue included), due soon, unit, relation."""
    form, tasks, unit, notes = _task_filters(request)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "plans/task_list.html",
        {
            "form": form,
            "page": page,
            "filter_unit": unit,
            "notes": notes,
            "due_soon_days": queries.DUE_SOON_DAYS,
            "query": request.GET.urlencode(),
        },
    )


def task_list_xlsx(request):
    with translation.override("vi"):
        _form, tasks, _unit, notes = _task_filters(request)
        described = "Lọc: " + "; ".join(str(n) for n in notes) if notes else ""
    return _download(spreadsheets.export_tasks(tasks, described), "nhiem-vu.xlsx")


def task_detail(request, pk):
    """A task: what, who, by when, where it came from, its progress updates."""
    task = _task(request.user, pk)
    rights = services.task_rights(request.user, task)
    plan_visible = bool(task.plan_id)
    inspection_visible = bool(
        task.recommendation_id
        and queries.visible_inspections(request.user)
        .filter(pk=task.recommendation.inspection_id)
        .exists()
    )
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "unit": task.lead_unit,
            "collaborators": task.collaborating_units.all(),
            "objectives": task.objectives.all(),
            "indicators": task.indicators.all(),
            "updates": task.updates.select_related("author", "unit"),
            "rights": rights,
            "plan_visible": plan_visible,
            "inspection_visible": inspection_visible,
        },
    )


@require_http_methods(["GET", "POST"])
def task_create(request, pk):
    """Assign a task from a unit to itself or a unit below it."""
    unit = permissions.get_unit(request.user, pk, "edit")
    return _task_form(request, assigning_unit=unit, plan=None)


@require_http_methods(["GET", "POST"])
def plan_task_create(request, pk):
    """Add a task to a plan."""
    plan = _plan_to_change(request.user, pk, "edit")
    return _task_form(request, assigning_unit=plan.unit, plan=plan)


def _task_form(request, assigning_unit: OrgUnit, plan: Plan | None):
    form = TaskForm(
        request.POST or None, assigning_unit=assigning_unit, initial={"lead_unit": assigning_unit}
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(
                request.user, assigned_by=assigning_unit, plan=plan, **form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Task assigned to %s.") % task.lead_unit.name)
            return redirect(plan or task)
    return render(
        request,
        "plans/task_form.html",
        {
            "form": form,
            "unit": assigning_unit,
            "breadcrumb": breadcrumb(assigning_unit),
            "plan": plan,
            "title": _("New task of plan “%s”") % plan.title
            if plan
            else _("New task assigned by %s") % assigning_unit.name,
            "cancel": plan.get_absolute_url()
            if plan
            else redirect("plans:unit", pk=assigning_unit.pk).url,
        },
    )


@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    task = _task(request.user, pk)
    if not services.task_rights(request.user, task)["edit"]:
        raise PermissionDenied(_("Only the unit that assigned the task may change it."))
    form = TaskForm(
        request.POST or None,
        assigning_unit=task.assigned_by,
        initial=TaskForm.initial_for(task),
        seen=services.task_values(task),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(services.update_task, request.user, task, **form.service_data())
    ):
        messages.success(request, _("Saved."))
        return redirect(task)
    return render(
        request,
        "plans/task_form.html",
        {
            "form": form,
            "unit": task.assigned_by,
            "breadcrumb": breadcrumb(task.assigned_by),
            "plan": task.plan,
            "task": task,
            "title": task.title,
            "cancel": task.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def task_update(request, pk):
    """Report progress on a task, with evidence, and change its status or percentage."""
    task = _task(request.user, pk)
    rights = services.task_rights(request.user, task)
    if not rights["report"]:
        raise PermissionDenied(_("You cannot report on this task."))
    form = UpdateForm(
        request.POST or None,
        request.FILES or None,
        initial={"date": today(), "percent": task.progress},
        can_change_status=rights["status"],
        can_cancel=rights["cancel"],
        seen=services.progress_values(task),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(services.add_update, request.user, task, **form.cleaned_data)
    ):
        messages.success(request, _("Progress update recorded."))
        return redirect(task)
    return render(
        request,
        "plans/update_form.html",
        {"form": form, "task": task, "unit": task.lead_unit, "rights": rights},
    )


def update_file(request, pk):
    """An evidence file, to those who may see its task."""
    update = get_object_or_404(TaskUpdate, pk=pk)
    _task(request.user, update.task_id)
    if not update.file:
        raise Http404(_("This update has no file."))
    return uploads.serve(update.file, f"minh-chung-{update.pk}")


# Units without a plan ---------------------------------------------------------------------------


def _missing(request):
    unit = _unit_from_query(request)
    year = today().year
    form = MissingPlansForm(request.GET or None, initial={"year": year})
    level = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        level = form.cleaned_data["level"]
    candidates = queries.candidate_units(request.user, unit, level, year)
    rows = list(queries.units_without_plan(candidates, year))
    return unit, form, year, level, rows, candidates.count()


def missing_plans(request):
    """For a year, the units of a subtree that have no approved annual plan covering it."""
    unit, form, year, level, rows, checked = _missing(request)
    return render(
        request,
        "plans/missing.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "form": form,
            "year": str(year),
            "level": "" if level is None else level,
            "level_label": Level(level).label if level is not None else "",
            "rows": rows,
            "checked": checked,
            "with_plan": checked - len(rows),
            "query": request.GET.urlencode(),
        },
    )


def missing_plans_xlsx(request):
    unit, _form, year, _level, rows, checked = _missing(request)
    content = spreadsheets.export_units_without_plan(unit, year, rows, checked)
    return _download(content, f"chua-co-ke-hoach-{year}-{unit.code}.xlsx")


# Inspections ------------------------------------------------------------------------------------


def _inspection_filters(request):
    unit = _unit_from_query(request)
    inspected = Inspection.objects.filter(inspected_units__path__startswith=unit.path)
    inspections = (
        queries.visible_inspections(request.user)
        .filter(Q(unit__path__startswith=unit.path) | Q(pk__in=inspected.values("pk")))
        .select_related("unit")
        .prefetch_related("inspected_units")
        .order_by("-start_date", "-pk")
    )
    return unit, inspections


def inspection_list(request):
    """Inspections by or of the units of a subtree, with how many recommendations are closed."""
    unit, inspections = _inspection_filters(request)
    page = Paginator(inspections, 50).get_page(request.GET.get("page"))
    closure = queries.closure_counts(Inspection.objects.filter(pk__in=[i.pk for i in page]))
    rows = [(inspection, *closure.get(inspection.pk, (0, 0))) for inspection in page]
    return render(
        request,
        "plans/inspection_list.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "page": page,
            "rows": rows,
            "can_edit": permissions.can_edit(request.user, unit),
        },
    )


def inspection_list_xlsx(request):
    unit, inspections = _inspection_filters(request)
    content = spreadsheets.export_inspections(inspections.prefetch_related("recommendations__unit"))
    return _download(content, f"kiem-tra-giam-sat-{unit.code}.xlsx")


def inspection_detail(request, pk):
    """An inspection: team, units, findings, and each recommendation's follow-up."""
    inspection = _inspection(request.user, pk)
    rows, closed = queries.recommendation_rows(inspection)
    can_edit = permissions.can_edit(request.user, inspection.unit)
    return render(
        request,
        "plans/inspection_detail.html",
        {
            "inspection": inspection,
            "unit": inspection.unit,
            "inspected_units": inspection.inspected_units.all(),
            "rows": rows,
            "closed": closed,
            "can_edit": can_edit,
            "recommendation_form": RecommendationForm(inspection=inspection) if can_edit else None,
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_create(request, pk):
    unit = permissions.get_unit(request.user, pk, "edit")
    year = today()
    form = InspectionForm(request.POST or None, unit=unit, initial={"start_date": year})
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.create_inspection(request.user, unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Inspection recorded. Now add its recommendations."))
            return redirect(inspection)
    return render(
        request,
        "plans/inspection_form.html",
        {
            "form": form,
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "title": _("New inspection or supervision by %s") % unit.name,
            "cancel": redirect("plans:inspections").url + f"?unit={unit.pk}",
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_edit(request, pk):
    inspection = _inspection(request.user, pk)
    permissions.get_unit(request.user, inspection.unit_id, "edit")
    form = InspectionForm(
        request.POST or None,
        unit=inspection.unit,
        initial=InspectionForm.initial_for(inspection),
        seen=services.inspection_values(inspection),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(
            services.update_inspection, request.user, inspection, **form.cleaned_data
        )
    ):
        messages.success(request, _("Saved."))
        return redirect(inspection)
    return render(
        request,
        "plans/inspection_form.html",
        {
            "form": form,
            "unit": inspection.unit,
            "breadcrumb": breadcrumb(inspection.unit),
            "title": inspection.title,
            "cancel": inspection.get_absolute_url(),
        },
    )


@require_http_methods(["GET", "POST"])
def recommendation_create(request, pk):
    """Add a recommendation; its follow-up task for the inspected unit is created with it."""
    inspection = _inspection(request.user, pk)
    permissions.get_unit(request.user, inspection.unit_id, "edit")
    form = RecommendationForm(request.POST or None, inspection=inspection)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = services.add_recommendation(
                request.user, inspection, **form.service_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Recommendation recorded; a task was assigned to %s to follow it up.")
                % recommendation.unit.name,
            )
            return redirect(inspection)
    return render(
        request,
        "plans/recommendation_form.html",
        {"form": form, "inspection": inspection, "unit": inspection.unit},
    )
