"""Indicator pages: the catalogue, a unit's figures, the ranking of sub-units, data entry."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from binhdang.accounts import permissions
from binhdang.core import dates
from binhdang.core.forms import add_service_errors
from binhdang.core.navigation import came_from
from binhdang.core.numbers import write_number
from binhdang.core.spreadsheets import read_upload
from binhdang.orgunits.queries import breadcrumb

from . import analyst, charts, dhis2, measures, queries, services, spreadsheets
from . import forecast as forecasting
from .evaluation import Verdict
from .forms import (
    AnalystExportForm,
    DataEntryForm,
    DataFileForm,
    ImportFileForm,
    LocalIndicatorForm,
    TargetForm,
    YearForm,
)
from .models import Framework, Indicator, Target


def catalogue(request):
    """The strategy's objectives, indicators and 2025/2030 targets with their sources."""
    framework = Framework.objects.order_by("code").first()
    return render(
        request,
        "indicators/catalogue.html",
        {
            "framework": framework,
            "objectives": queries.catalogue(framework) if framework else [],
            "can_edit_targets": permissions.sees_everything(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def edit_target(request, pk):
    """A system administrator fills in or corrects a national target (audited)."""
    if not permissions.sees_everything(request.user):
        raise PermissionDenied(_("Only a system administrator changes national targets."))
    target = get_object_or_404(Target.objects.select_related("indicator"), pk=pk, unit=None)
    form = TargetForm(
        request.POST or None,
        initial={"value": target.value, "comparator": target.comparator, "source": target.source},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_target(
                request.user, target.indicator, year=target.year, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("indicators:catalogue")
    return render(request, "indicators/edit_target.html", {"target": target, "form": form})


# Years go to templates as text: a localized number would print 2025 as "2.025".
YEARS = [str(year) for year in services.STRATEGY_YEARS]


def _year(request, default: int) -> int:
    form = YearForm(request.GET or None)
    return form.cleaned_data["year"] if form.is_valid() else default


def _framework() -> Framework:
    framework = Framework.objects.order_by("code").first()
    if framework is None:
        raise Http404(_("The catalogue is not loaded yet."))
    return framework


def unit_home(request):
    """The user's own unit's figures."""
    unit = permissions.home_unit(request.user)
    return redirect("indicators:overview", pk=unit.pk)


def overview(request, pk):
    """A unit's figures for a year, rolled up from below and judged against the targets."""
    unit = permissions.get_unit(request.user, pk)
    year = _year(request, default=dates.today().year - 1)
    rows = queries.unit_overview(_framework(), unit, year)
    return render(
        request,
        "indicators/overview.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "year": str(year),
            "years": YEARS,
            "rows": rows,
            "summary": queries.summary(rows),
            "not_met": [row for row in rows if row.verdict == Verdict.NOT_MET],
            "at_risk": forecasting.targets_at_risk(_framework(), unit),
            "local_rows": queries.local_overview(unit, year),
            "can_enter": permissions.can_edit(request.user, unit),
        },
    )


def unit_targets(request, pk):
    """The targets that judge the unit's figures: national, inherited or its own, and its own
    local indicators; approvers set the unit's own values for its subtree."""
    unit = permissions.get_unit(request.user, pk)
    indicators = list(
        Indicator.objects.filter(framework=_framework()).order_by("objective__number", "number")
    ) + list(queries.local_indicators(unit))
    applied = queries.milestone_targets(indicators, unit)
    rows = [
        (indicator, [(str(year), applied.get((indicator.pk, year))) for year in MILESTONES])
        for indicator in indicators
    ]
    return render(
        request,
        "indicators/unit_targets.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "rows": rows,
            "can_set": permissions.can_approve(request.user, unit),
            "can_add_local": permissions.can_approve(request.user, unit)
            and unit.level in services.LOCAL_INDICATOR_LEVELS,
        },
    )


MILESTONES = (2025, 2030)


@require_http_methods(["GET", "POST"])
def own_target(request, pk, indicator_pk, year):
    """Set or drop the unit's own target for a milestone (approvers of the unit)."""
    unit = permissions.get_unit(request.user, pk, "approve")
    indicator = permissions.get_indicator(request.user, indicator_pk, unit)
    if year not in MILESTONES:
        raise Http404
    own = Target.objects.filter(indicator=indicator, unit=unit, year=year).first()
    form = TargetForm(
        request.POST or None,
        initial={"value": own.value, "comparator": own.comparator, "source": own.source}
        if own
        else {},
    )
    back = reverse("indicators:unit_targets", args=[unit.pk])
    if request.method == "POST" and "remove" in request.POST and own:
        services.remove_target(request.user, own)
        messages.success(request, _("The unit's own target was removed."))
        return redirect(back)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_target(request.user, indicator, year=year, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    return render(
        request,
        "indicators/own_target.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "indicator": indicator,
            "year": str(year),
            "own": own,
            "form": form,
        },
    )


@require_http_methods(["GET", "POST"])
def local_indicator(request, pk, indicator_pk=None):
    """Add or change one of the unit's own indicators."""
    unit = permissions.get_unit(request.user, pk, "approve")
    indicator = (
        get_object_or_404(Indicator, pk=indicator_pk, owner_unit=unit) if indicator_pk else None
    )
    initial = {}
    if indicator:
        initial = {
            name: getattr(indicator, name)
            for name in ("number", "name_vi", "name_en", "measure", "multiplier")
            + ("unit_label_vi", "direction", "notes", "source")
        }
        initial["dimensions"] = [d.value for d in indicator.dimensions]
    form = LocalIndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_local_indicator(request.user, unit, indicator, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("indicators:unit_targets", pk=unit.pk)
    return render(
        request,
        "indicators/local_indicator.html",
        {"unit": unit, "breadcrumb": breadcrumb(unit), "indicator": indicator, "form": form},
    )


def forecast(request, pk):
    """Each target's projection to its next milestone, and the sub-units' targets at risk."""
    unit = permissions.get_unit(request.user, pk)
    framework = _framework()
    return render(
        request,
        "indicators/forecast.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "forecasts": forecasting.unit_forecasts(framework, unit),
            "subunits": forecasting.subunit_risks(framework, unit),
            "method": forecasting.METHOD,
        },
    )


def ranking(request, pk, indicator_pk):
    """An indicator's figures across the unit's sub-units, ranked."""
    unit = permissions.get_unit(request.user, pk)
    indicator = permissions.get_indicator(request.user, indicator_pk, unit)
    year = _year(request, default=dates.today().year - 1)
    points = queries.trend(indicator, unit)
    milestones = {
        y: target.value
        for y in (2025, 2030)
        if (target := queries.applicable_target(indicator, unit, y)) and target.year == y
    }
    return render(
        request,
        "indicators/ranking.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "indicator": indicator,
            "year": str(year),
            "rows": queries.ranked_children(indicator, unit, year),
            "row": queries.figure_rows([indicator], [unit], year)[unit.pk][0],
            "chart": charts.trend_chart(points, milestones),
            "inherited": any(p.from_predecessors for p in points),
            "predecessors": unit.predecessors.all(),
        },
    )


# The section the last save wrote, kept for the next entry page: its script then forgets the
# values it was keeping in the browser for that section ("*": every section).
SAVED_KEY = "indicators_entry_saved"


@require_http_methods(["GET", "POST"])
def enter(request, pk):
    """A data officer enters the unit's figures for a year, with last year's beside them; the
    whole form is saved at once, or one section (an objective) at a time."""
    unit = permissions.get_unit(request.user, pk, "edit")
    year = _year(request, default=dates.today().year - 1)
    indicators = list(
        Indicator.objects.filter(framework=_framework())
        .select_related("objective")
        .order_by("objective__number", "number")
    ) + list(queries.local_indicators(unit))
    yes_no = {i.pk for i in indicators if i.asks_yes_no(unit)}
    lock = services.active_lock(unit, year)
    # Opened from a report being written: back there after saving, or on leaving.
    came = came_from(request)
    back = came or f"{reverse('indicators:overview', args=[unit.pk])}?year={year}"
    section = request.POST.get("section") or None
    figures = queries.stored_figures(unit, year, year - 1)
    form = DataEntryForm(
        request.POST or None,
        indicators=indicators,
        yes_no=yes_no,
        categories=services.categories_by_indicator(indicators, unit, year),
        stored=figures[year],
        locked=lock is not None,
        section=section,
    )
    if request.method == "POST" and form.savable():
        try:
            result = services.record_values(request.user, unit, year, form.to_save())
        except ValidationError as error:
            form.add_refusal(error)
        else:
            if not result.conflicts:
                request.session[SAVED_KEY] = {"unit": unit.pk, "year": year, "section": section}
                if section:
                    messages.success(
                        request,
                        _("%(n)d figures of “%(section)s” saved for %(year)d.")
                        % {
                            "n": result.count,
                            "section": form.sections[section].short,
                            "year": year,
                        },
                    )
                    url = reverse("indicators:enter", args=[unit.pk])
                    query = urlencode({"year": year, **({"next": came} if came else {})})
                    return redirect(f"{url}?{query}#section-{section}")
                messages.success(
                    request,
                    _("%(n)d figures saved for %(year)d.") % {"n": result.count, "year": year},
                )
                return redirect(back)
            form.show_conflicts(result.conflicts, queries.stored_figures(unit, year)[year])
            messages.warning(
                request,
                _(
                    "%(n)d figures saved. %(k)d lines were changed by someone else since you "
                    "opened this page and were not saved: see them below."
                )
                % {"n": result.count, "k": len(result.conflicts)},
            )
    last = {pk: stored for (pk, category), stored in figures[year - 1].items() if not category}
    sections = [
        (
            group,
            [
                (
                    total.indicator,
                    [form[key] for key in total.keys],
                    form[f"{total.indicator.pk}-note"],
                    form[f"{total.indicator.pk}-source"],
                    measures.describe(total.indicator, total.yes_no, last.get(total.indicator.pk)),
                    [(part.label, [form[key] for key in part.keys]) for part in parts],
                    [form[line.was] for line in (total, *parts)],
                )
                for total, parts in group.lines
            ],
        )
        for group in form.sections.values()
    ]
    return render(
        request,
        "indicators/enter.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "year": str(year),
            "form": form,
            "sections": sections,
            "years": YEARS,
            "lock": lock,
            "unlockers": unit.parent,
            "back": back,
            "examples": (write_number(1250), write_number(Decimal("12.5"))),
            "saved": _saved_section(request, unit, year),
        },
    )


def _saved_section(request, unit, year: int) -> str | None:
    """The section whose save this page follows ("*": the whole form), once: a reload of the
    page must not make its script forget values typed after that save."""
    saved = request.session.get(SAVED_KEY) if request.method == "GET" else None
    if not saved or (saved["unit"], saved["year"]) != (unit.pk, year):
        return None
    del request.session[SAVED_KEY]
    return saved["section"] or "*"


def dhis2_export(request, pk, fmt):
    """The year's values of the unit's subtree as a DHIS2 data value set (JSON, CSV or ADX)."""
    unit = permissions.get_unit(request.user, pk)
    year = _year(request, default=dates.today().year - 1)
    records = dhis2.export_values(request.user, unit, year)
    return dhis2.download(records, fmt, f"dhis2-{unit.code}-{year}")


def analyst_export(request, pk):
    """Every figure the user may see under the unit, in long format, as CSV or Excel: the form,
    and with `format` given, the file (streamed)."""
    unit = permissions.get_unit(request.user, pk)
    asked = "format" in request.GET
    form = AnalystExportForm(
        request.GET if asked else None, indicators=analyst.indicators(request.user, unit)
    )
    if asked and form.is_valid():
        first, last = form.cleaned_data["first_year"], form.cleaned_data["last_year"]
        chosen = form.cleaned_data["indicators"] or None
        rows = analyst.rows(request.user, unit, first, last, chosen)
        respond = analyst.RESPONSES[form.cleaned_data["format"]]
        return respond(analyst.header(), rows, analyst.filename(unit, first, last))
    return render(
        request,
        "indicators/analyst_export.html",
        {"unit": unit, "breadcrumb": breadcrumb(unit), "form": form},
        status=400 if asked else 200,
    )


@require_http_methods(["GET", "POST"])
def dhis2_import(request, pk):
    """Import a DHIS2 data value set (JSON or CSV): every value, or none."""
    unit = permissions.get_unit(request.user, pk, "edit")
    form = DataFileForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            cells = dhis2.parse(read_upload(upload), upload.name)
            saved = dhis2.import_values(request.user, cells)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, _("%d values imported.") % saved)
            return redirect("indicators:overview", pk=unit.pk)
    return render(
        request,
        "indicators/dhis2_import.html",
        {"unit": unit, "breadcrumb": breadcrumb(unit), "form": form, "problems": problems},
        # A refused file is a bad request (a client reading the status learns it at once).
        status=400 if request.method == "POST" else 200,
    )


def excel_template(request, pk):
    """The figures sheet for the unit (and its sub-units), pre-filled with what exists."""
    unit = permissions.get_unit(request.user, pk, "edit")
    year = _year(request, default=dates.today().year - 1)
    units = spreadsheets.template_units(
        request.user, unit, year, with_children=request.GET.get("children") == "1"
    )
    indicators = list(Indicator.objects.filter(framework=_framework()).order_by("code"))
    response = HttpResponse(
        spreadsheets.template(units, indicators, year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="so-lieu-{unit.code}-{year}.xlsx"'
    return response


SESSION_KEY = "indicator_excel_rows"


@require_http_methods(["GET", "POST"])
def excel_import(request, pk):
    """Upload the filled sheet, see what is new, changed or unchanged, then confirm."""
    unit = permissions.get_unit(request.user, pk, "edit")
    problems, rows = [], None
    confirming = request.method == "POST" and "confirm" in request.POST
    # The confirm step posts no file: its form stays unbound, or it would say a file is required.
    form = (
        ImportFileForm()
        if confirming
        else ImportFileForm(request.POST or None, request.FILES or None)
    )
    if confirming:
        pending = request.session.get(SESSION_KEY)
        if not pending or pending.get("unit") != unit.pk:
            messages.error(request, _("Nothing to save: check the file again."))
            return redirect("indicators:excel_import", pk=unit.pk)
        try:
            saved = spreadsheets.save(request.user, spreadsheets.rows_from_session(pending["rows"]))
        except ValidationError as error:
            problems = error.messages
        else:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("%d values imported.") % saved)
            return redirect("indicators:overview", pk=unit.pk)
    elif request.method == "POST" and form.is_valid():
        request.session.pop(SESSION_KEY, None)
        try:
            rows = spreadsheets.preview(request.user, spreadsheets.parse(form.cleaned_data["file"]))
        except ValidationError as error:
            problems = error.messages
        else:
            request.session[SESSION_KEY] = {
                "unit": unit.pk,
                "rows": spreadsheets.rows_to_session(rows),
            }
    counts = {}
    for row in rows or []:
        counts[row.status] = counts.get(row.status, 0) + 1
    return render(
        request,
        "indicators/excel_import.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "form": form,
            "problems": problems,
            "rows": [r for r in rows or [] if r.status != "unchanged"][:500],
            "counts": counts,
            "year": str(_year(request, default=dates.today().year - 1)),
        },
    )
