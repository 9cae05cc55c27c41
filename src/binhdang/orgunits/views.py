"""Unit pages: home, search, history, departments. Scope comes from accounts.permissions."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from binhdang.accounts import permissions
from binhdang.core.audit import history_rows, unit_history
from binhdang.core.forms import add_service_errors

from . import queries, services
from .forms import AddDepartmentsForm, DepartmentForm
from .loading import DATA_DIR
from .models import Kind


def home(request):
    """Send the user to their own unit's page (the nation for a system administrator)."""
    unit = permissions.home_unit(request.user)
    if unit is None:
        return render(request, "orgunits/empty_map.html")
    return redirect("orgunits:detail", pk=unit.pk)


def detail(request, pk):
    """A unit: where it sits, what lies below it, its lineage."""
    unit = permissions.get_unit(request.user, pk)
    historical = request.GET.get("history") == "1"
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        kind = ""
    page = Paginator(queries.children(unit, kind=kind, historical=historical), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "unit": unit,
        "breadcrumb": queries.breadcrumb(unit),
        "counts": queries.descendant_counts(unit),
        "page": page,
        "historical": historical,
        "kind": kind,
        "kinds": sorted(set(unit.children.values_list("kind", flat=True))),
        "kind_labels": dict(Kind.choices),
        "predecessors": unit.predecessors.all(),
        "successors": unit.successors.all(),
        "can_administer": permissions.can_administer(request.user, unit),
        "can_edit_department": unit.is_department
        and permissions.can_administer(request.user, unit.parent),
    }
    return render(request, "orgunits/detail.html", context)


def search(request):
    """Find any visible unit by name, with or without diacritics."""
    text = request.GET.get("q", "").strip()[:100]
    results = queries.search(permissions.visible_units(request.user), text) if text else []
    template = "orgunits/_search_results.html" if request.htmx else "orgunits/search.html"
    return render(request, template, {"q": text, "results": results})


def history(request, pk):
    """Who changed what in this unit's records (and its predecessors'), and when."""
    unit = permissions.get_unit(request.user, pk)
    # A merged province or ministry carries on the records of the units it was formed from.
    predecessors = list(unit.predecessors.all())
    entries = unit_history(unit.pk, *(p.pk for p in predecessors))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "orgunits/history.html",
        {
            "unit": unit,
            "breadcrumb": queries.breadcrumb(unit),
            "page": page,
            "predecessors": predecessors,
            "rows": history_rows(page.object_list),
        },
    )


def _default_departments() -> list[str]:
    spec = json.loads((DATA_DIR / "provincial_departments.json").read_text(encoding="utf-8"))
    return spec["departments"]


@require_http_methods(["GET", "POST"])
def add_departments(request, pk):
    """Add departments to a ministry or province, current or former, from the default list (the
    current structure's, so only for a current province) or typed, with their validity."""
    unit = permissions.get_unit(request.user, pk, "admin")
    if not unit.takes_departments:
        raise Http404  # a commune or district has no page for adding departments

    present = {n.casefold() for n in unit.children.live().values_list("name", flat=True)}
    suggestions = []
    if unit.kind in (Kind.PROVINCE, Kind.CITY) and unit.is_live:
        suggestions = [n for n in _default_departments() if n.casefold() not in present]
    form = AddDepartmentsForm(request.POST or None, suggestions=suggestions)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.add_departments(request.user, unit, form.names(), **form.period())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = len(created)
            messages.success(
                request,
                ngettext("Added %d department.", "Added %d departments.", count) % count,
            )
            return redirect("orgunits:detail", pk=unit.pk)
    return render(
        request,
        "orgunits/add_departments.html",
        {"unit": unit, "breadcrumb": queries.breadcrumb(unit), "form": form},
    )


@require_http_methods(["GET", "POST"])
def edit_department(request, pk):
    """Rename or close a department."""
    unit = permissions.get_unit(request.user, pk)
    if not unit.is_department:
        return redirect("orgunits:detail", pk=unit.pk)
    permissions.get_unit(request.user, unit.parent_id, "admin")
    form = DepartmentForm(
        request.POST or None, initial={"name": unit.name, "short_name": unit.short_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            if "close" in request.POST:
                services.close_department(request.user, unit)
                messages.success(request, _("“%s” is closed.") % unit.name)
            else:
                services.update_department(request.user, unit, **form.cleaned_data)
                messages.success(request, _("Saved."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("orgunits:detail", pk=unit.pk)
    return render(
        request,
        "orgunits/edit_department.html",
        {"unit": unit, "breadcrumb": queries.breadcrumb(unit), "form": form},
    )
