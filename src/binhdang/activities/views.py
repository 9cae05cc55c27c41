"""Pages of activities, commendations, the calendar and the calendar feed."""

import calendar as pycalendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhdang.accounts import permissions
from binhdang.core import dates
from binhdang.core.forms import add_service_errors
from binhdang.core.text import matching
from binhdang.orgunits.queries import breadcrumb
from binhdang.reporting.queries import round_deadlines

from . import ical, observances, queries, services, spreadsheets
from .forms import (
    ActivityFilterForm,
    ActivityForm,
    ApproveForm,
    CommendationFilterForm,
    ImportForm,
    ProposalForm,
    RejectForm,
    initial_from,
)
from .models import FIRST_YEAR, Activity, CalendarFeed, Commendation, CommendationStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "activities_import"


def _download(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _years() -> list[int]:
    """The years filters offer: from the Law on Gender Equality's entry into force on."""
    this_year = dates.today().year
    return list(range(this_year + 1, FIRST_YEAR - 1, -1))


def _activity(user, pk, action: str = "view") -> Activity:
    """An activity the user may see (organised or co-organised in scope); 404 otherwise. For
    "edit", the user must also be able to change the organiser's data (403)."""
    activity = get_object_or_404(
        queries.visible_activities(user).select_related("organiser", "created_by"), pk=pk
    )
    if action == "edit" and not permissions.can_edit(user, activity.organiser):
        raise PermissionDenied(_("Your role does not allow this action in this unit."))
    return activity


def _commendation(user, pk) -> Commendation:
    return get_object_or_404(
        queries.visible_commendations(user).select_related(
            "proposing_unit", "proposed_by", "reviewed_by"
        ),
        pk=pk,
    )


# Activities -------------------------------------------------------------------------------------


def home(request):
    """The activities of the user's own unit and the units below it."""
    unit = permissions.home_unit(request.user)
    url = reverse("activities:unit", args=[unit.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


def _filtered(request, unit):
    """The activity filter form and the activities of the unit's subtree it selects."""
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(dates.today().year)
    form = ActivityFilterForm(data, years=_years())
    activities = queries.in_subtree(unit)
    year = None
    if form.is_valid():
        year = form.cleaned_data["year"] or None
        if year:
            activities = activities.filter(start_date__year=year)
        if form.cleaned_data["kind"]:
            activities = activities.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["topic"]:
            activities = activities.filter(topics__topic=form.cleaned_data["topic"])
        if form.cleaned_data["q"]:
            activities = matching(activities, form.cleaned_data["q"])
    activities = permissions.restrict(request.user, activities, "organiser")
    return form, activities, year


def unit_activities(request, pk):
    """A unit's activities with filters, its counts by kind, topic, month and sub-unit, and the
    summary sentence."""
    unit = permissions.get_unit(request.user, pk)
    form, activities, year = _filtered(request, unit)
    kinds = queries.counts_by_kind(activities)
    page = Paginator(
        activities.select_related("organiser")
        .prefetch_related("topics")
        .order_by("-start_date", "-pk"),
        50,
    ).get_page(request.GET.get("page"))
    summary = None
    if year:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        summary = queries.summary_from_counts(
            unit, start, end, queries.activity_counts(unit, start, end)
        )
    total = queries.total_of(kinds)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "activities/unit.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "form": form,
            "year": str(year) if year else "",
            "page": page,
            "kinds": kinds,
            "total": total,
            "topics": queries.counts_by_topic(activities),
            "subunits": queries.counts_by_subunit(unit, activities),
            "months": queries.counts_by_month(activities) if year else [],
            "summary": summary,
            "can_edit": permissions.can_edit(request.user, unit),
            "query": query.urlencode(),
        },
    )


def activity_detail(request, pk):
    activity = _activity(request.user, pk)
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "unit": activity.organiser,
            "breadcrumb": breadcrumb(activity.organiser),
            "breadcrumb_link_last": True,
            "co_organisers": activity.co_organisers.order_by("depth", "search_name"),
            "outputs": activity.outputs.all(),
            "can_edit": permissions.can_edit(request.user, activity.organiser),
        },
    )


@require_http_methods(["GET", "POST"])
def activity_create(request, pk):
    """Record an activity of the unit (or of a unit below it)."""
    unit = permissions.get_unit(request.user, pk, "edit")
    form = ActivityForm(
        request.POST or None,
        user=request.user,
        initial={"organiser": unit, "start_date": dates.today()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.create_activity(request.user, form.activity_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Activity recorded."))
            return redirect(activity)
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "title": _("Record an activity"),
            "cancel": reverse("activities:unit", args=[unit.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = _activity(request.user, pk, "edit")
    form = ActivityForm(
        request.POST or None,
        user=request.user,
        initial=initial_from(activity),
        seen=services.activity_values(activity),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(
            services.update_activity, request.user, activity, form.activity_data()
        )
    ):
        messages.success(request, _("Saved."))
        return redirect(activity)
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "unit": activity.organiser,
            "breadcrumb": breadcrumb(activity.organiser),
            "title": activity.title,
            "activity": activity,
            "cancel": activity.get_absolute_url(),
        },
    )


@require_POST
def activity_delete(request, pk):
    activity = _activity(request.user, pk, "edit")
    unit_pk = activity.organiser_id
    services.delete_activity(request.user, activity)
    messages.success(request, _("Activity deleted."))
    return redirect("activities:unit", pk=unit_pk)


def _heading(unit, form) -> list[tuple[str, str]]:
    heading = [("Đơn vị", f"{unit.name} (mã {unit.code}) và các đơn vị trực thuộc")]
    if form.is_valid():
        data = form.cleaned_data
        heading.append(("Năm", str(data["year"]) if data["year"] else "Tất cả"))
        labels = spreadsheets.kind_labels()
        topics = spreadsheets.topic_labels()
        if data["kind"]:
            heading.append(("Loại hoạt động", labels[data["kind"]]))
        if data["topic"]:
            heading.append(("Chủ đề", topics[data["topic"]]))
        if data["q"]:
            heading.append(("Tên có chứa", data["q"]))
    heading.append(("Ngày xuất", dates.today().strftime("%d/%m/%Y")))
    return heading


def export_xlsx(request, pk):
    """The filtered activity list as Excel, in the import template's layout."""
    unit = permissions.get_unit(request.user, pk)
    form, activities, year = _filtered(request, unit)
    content = spreadsheets.export_activities(
        activities.order_by("start_date", "pk").distinct(), _heading(unit, form)
    )
    suffix = f"-{year}" if year else ""
    return _download(content, f"hoat-dong-{unit.code}{suffix}.xlsx")


def template_xlsx(request):
    """The Excel template for importing activities."""
    return _download(spreadsheets.activity_template(), "mau-danh-sach-hoat-dong.xlsx")


@require_http_methods(["GET", "POST"])
def import_xlsx(request, pk):
    """Upload a filled template, see what it adds, then confirm: every row, or none."""
    unit = permissions.get_unit(request.user, pk, "edit")
    problems, rows = [], None
    confirming = request.method == "POST" and "confirm" in request.POST
    # The confirm step posts no file: its form stays unbound, or it would say a file is required.
    form = ImportForm() if confirming else ImportForm(request.POST or None, request.FILES or None)
    if confirming:
        pending = request.session.get(SESSION_KEY)
        if not pending or pending.get("unit") != unit.pk:
            messages.error(request, _("Nothing to save: check the file again."))
            return redirect("activities:import", pk=unit.pk)
        try:
            saved = services.import_activities(
                request.user, spreadsheets.rows_from_session(pending["rows"])
            )
        except ValidationError as error:
            problems = error.messages
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("Activities imported: %d.") % len(saved))
            return redirect("activities:unit", pk=unit.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            rows = spreadsheets.parse(form.cleaned_data["file"], request.user)
        except spreadsheets.ImportErrors as error:
            problems = [p.message for p in error.problems]
            request.session.pop(SESSION_KEY, None)
        else:
            request.session[SESSION_KEY] = {
                "unit": unit.pk,
                "rows": spreadsheets.rows_to_session(rows),
            }
    new = [r for r in rows or [] if r.status == "new"]
    return render(
        request,
        "activities/import.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "form": form,
            "problems": problems,
            "rows": rows,
            "new": new,
            "existing": [r for r in rows or [] if r.status == "existing"],
        },
    )


# Commendations ----------------------------------------------------------------------------------


def _filtered_commendations(request, unit):
    form = CommendationFilterForm(request.GET or None, years=_years())
    items = queries.commendations_in(unit)
    if form.is_valid():
        if form.cleaned_data["year"]:
            items = items.filter(year=form.cleaned_data["year"])
        if form.cleaned_data["status"]:
            items = items.filter(status=form.cleaned_data["status"])
    return form, permissions.restrict(request.user, items, "proposing_unit")


def commendations(request, pk):
    """Commendation proposals of the unit and the units below it."""
    unit = permissions.get_unit(request.user, pk)
    form, items = _filtered_commendations(request, unit)
    counts = queries.commendation_counts(items)
    page = Paginator(
        items.select_related("proposing_unit").order_by("-year", "status", "-pk"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/commendations.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "form": form,
            "page": page,
            "counts": {status: counts.get(status, 0) for status in CommendationStatus.values},
            "can_edit": permissions.can_edit(request.user, unit),
            "query": request.GET.urlencode(),
        },
    )


def commendations_xlsx(request, pk):
    unit = permissions.get_unit(request.user, pk)
    form, items = _filtered_commendations(request, unit)
    heading = [("Đơn vị", f"{unit.name} (mã {unit.code}) và các đơn vị trực thuộc")]
    if form.is_valid() and form.cleaned_data["year"]:
        heading.append(("Năm", str(form.cleaned_data["year"])))
    heading.append(("Ngày xuất", dates.today().strftime("%d/%m/%Y")))
    content = spreadsheets.export_commendations(items.order_by("-year", "pk"), heading)
    return _download(content, f"khen-thuong-{unit.code}.xlsx")


@require_http_methods(["GET", "POST"])
def commendation_create(request, pk):
    unit = permissions.get_unit(request.user, pk, "edit")
    form = ProposalForm(
        request.POST or None,
        user=request.user,
        initial={"proposing_unit": unit, "year": dates.today().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.propose(request.user, form.proposal_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Proposal recorded; it awaits a decision from above."))
            return redirect(item)
    return render(
        request,
        "activities/commendation_form.html",
        {
            "form": form,
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "title": _("Propose a commendation"),
            "cancel": reverse("activities:commendations", args=[unit.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def commendation_edit(request, pk):
    item = _commendation(request.user, pk)
    if not permissions.can_edit(request.user, item.proposing_unit):
        raise PermissionDenied(_("Your role does not allow this action in this unit."))
    if not item.is_open:
        messages.error(request, _("This proposal has been decided and can no longer be changed."))
        return redirect(item)
    values = services.proposal_values(item)
    form = ProposalForm(request.POST or None, user=request.user, initial=values, seen=values)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(services.update_proposal, request.user, item, form.proposal_data())
    ):
        messages.success(request, _("Saved."))
        return redirect(item)
    return render(
        request,
        "activities/commendation_form.html",
        {
            "form": form,
            "unit": item.proposing_unit,
            "breadcrumb": breadcrumb(item.proposing_unit),
            "title": item.nominee,
            "cancel": item.get_absolute_url(),
        },
    )


def commendation_detail(request, pk):
    item = _commendation(request.user, pk)
    can_decide = item.is_open and services.can_decide(request.user, item)
    return render(
        request,
        "activities/commendation.html",
        {
            "item": item,
            "unit": item.proposing_unit,
            "breadcrumb": breadcrumb(item.proposing_unit),
            "breadcrumb_link_last": True,
            "can_decide": can_decide,
            "can_edit": item.is_open and permissions.can_edit(request.user, item.proposing_unit),
            "approve_form": ApproveForm() if can_decide else None,
            "reject_form": RejectForm() if can_decide else None,
        },
    )


def _decide(request, pk, form_class, action):
    item = _commendation(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(item, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(item)
    can_decide = item.is_open and services.can_decide(request.user, item)
    return render(
        request,
        "activities/commendation.html",
        {
            "item": item,
            "unit": item.proposing_unit,
            "breadcrumb": breadcrumb(item.proposing_unit),
            "breadcrumb_link_last": True,
            "can_decide": can_decide,
            "approve_form": form if form_class is ApproveForm else ApproveForm(),
            "reject_form": form if form_class is RejectForm else RejectForm(),
        },
        status=400,
    )


@require_POST
def commendation_approve(request, pk):
    def action(item, data):
        services.approve(
            request.user,
            item,
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
        )
        messages.success(request, _("Proposal approved."))

    return _decide(request, pk, ApproveForm, action)


@require_POST
def commendation_reject(request, pk):
    def action(item, data):
        services.reject(request.user, item, reason=data["review_note"])
        messages.success(request, _("Proposal rejected."))

    return _decide(request, pk, RejectForm, action)


@require_POST
def commendation_withdraw(request, pk):
    item = _commendation(request.user, pk)
    unit_pk = item.proposing_unit_id
    try:
        services.withdraw_proposal(request.user, item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(item)
    messages.success(request, _("Proposal withdrawn."))
    return redirect("activities:commendations", pk=unit_pk)


# Calendar ---------------------------------------------------------------------------------------


def _month(request) -> tuple[int, int]:
    today = dates.today()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        datetime.date(year, month, 1)
        if not 1900 <= year <= 2200:
            raise ValueError
    except ValueError:
        year, month = today.year, today.month
    return year, month


def month_calendar(request):
    """A month grid: observances, the unit's activities, and the deadlines of the user's reporting
    rounds and tasks."""
    unit = permissions.home_unit(request.user)
    if request.GET.get("unit"):
        unit = permissions.get_unit(request.user, request.GET["unit"])
    include_sub = request.GET.get("sub") == "1"
    year, month = _month(request)
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    month_start = datetime.date(year, month, 1)
    month_end = datetime.date(year, month, pycalendar.monthrange(year, month)[1])

    activities = queries.in_subtree(unit) if include_sub else queries.of_unit(unit)
    visible = queries.visible_activities(request.user).values("pk")
    activities = list(
        activities.filter(start_date__lte=last, end_date__gte=first, pk__in=visible)
        .select_related("organiser")
        .order_by("start_date", "pk")
        .distinct()[:500]
    )
    tasks = ical.task_deadlines(request.user, first, last)
    rounds = round_deadlines(request.user, first, last)
    occurrences = observances.between(first, last)
    # Month-long periods go in a banner; days and short periods in the grid.
    periods = [o for o in occurrences if o.days > 7]
    short = [o for o in occurrences if o.days <= 7]
    today = dates.today()
    grid = []
    for week in weeks:
        row = []
        for day in week:
            row.append(
                {
                    "date": day,
                    "in_month": day.month == month,
                    "is_today": day == today,
                    "observances": [o for o in short if o.covers(day)],
                    "activities": [a for a in activities if a.start_date <= day <= a.end_date],
                    "tasks": [t for t in tasks if t.deadline == day],
                    "rounds": [r for r in rounds if r.deadline == day],
                }
            )
        grid.append(row)
    previous = (datetime.date(year, month, 1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    following = (datetime.date(year, month, 28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    with_unit = f"&unit={unit.pk}&sub={'1' if include_sub else '0'}"
    return render(
        request,
        "activities/calendar.html",
        {
            "unit": unit,
            "grid": grid,
            "weekdays": [formats.date_format(d, "D") for d in weeks[0]],
            "month_label": _("Month %(month)d/%(year)s") % {"month": month, "year": str(year)},
            "previous_url": f"?month={previous}{with_unit}",
            "next_url": f"?month={following}{with_unit}",
            "today_url": f"?month={today.strftime('%Y-%m')}{with_unit}",
            "periods": periods,
            "include_sub": include_sub,
            "month_value": f"{year}-{month:02d}",
            "count_activities": sum(
                1 for a in activities if a.start_date <= month_end and a.end_date >= month_start
            ),
            "count_tasks": sum(1 for t in tasks if month_start <= t.deadline <= month_end),
            "count_rounds": sum(1 for r in rounds if month_start <= r.deadline <= month_end),
        },
    )


# Calendar feed ----------------------------------------------------------------------------------


def feed_page(request):
    """The user's calendar address, with how to subscribe, and the button to change it."""
    feed = services.feed_for(request.user)
    url = request.build_absolute_uri(reverse("activities:feed", args=[feed.token]))
    start, end = ical.window(dates.today())
    return render(
        request,
        "activities/feed.html",
        {
            "unit": permissions.home_unit(request.user),
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[1],
            "window_start": start,
            "window_end": end,
        },
    )


@require_POST
def feed_regenerate(request):
    services.regenerate_feed(request.user)
    messages.success(request, _("A new calendar address was made; the old one no longer works."))
    return redirect("activities:feed_page")


@login_not_required
@never_cache
@require_GET
def feed(request, token):
    """The iCalendar feed; the secret token in the address stands for the user."""
    item = (
        CalendarFeed.objects.select_related("user", "user__unit").filter(token=token).first()
        if token
        else None
    )
    if item is None or not item.user.is_active:
        raise Http404(_("No such calendar."))
    base = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(
        ical.build(item.user, base), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="binhdang.ics"'
    return response
