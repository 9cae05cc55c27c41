"""Committee pages: the committee, reconstitution, lists, import/export and the handover file."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from binhdang.accounts import permissions
from binhdang.core import uploads
from binhdang.core.concurrency import StaleEdit
from binhdang.core.forms import add_service_errors
from binhdang.orgunits.models import Level
from binhdang.orgunits.queries import breadcrumb

from . import documents, queries, services, spreadsheets
from .forms import (
    CommitteeForm,
    CompleteDecisionForm,
    DecisionFileForm,
    DecisionForm,
    HistoryDateForm,
    ImportForm,
    MemberEditForm,
    MemberFormSet,
    person_from_row,
)
from .models import Committee, Decision, Membership

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _committee(user, pk, action: str = "view") -> Committee:
    """A committee whose unit the user may see (and, for "edit", change); 404 otherwise."""
    committee = get_object_or_404(Committee.objects.select_related("unit", "standing_unit"), pk=pk)
    permissions.get_unit(user, committee.unit_id, action)
    return committee


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def home(request):
    """The committees of the user's own subtree."""
    unit = permissions.home_unit(request.user)
    return redirect("committees:coverage", pk=unit.pk)


def coverage(request, pk):
    """Which units below this one have a committee, and the share of women among members."""
    unit = permissions.get_unit(request.user, pk)
    levels = sorted(set(unit.children.live().values_list("level", flat=True)))
    try:
        level = int(request.GET.get("level") or (levels[0] if levels else Level.COMMUNE))
    except ValueError:
        level = Level.COMMUNE
    units = permissions.visible_units(request.user).subtree(unit).live().filter(level=level)
    result = queries.coverage(units)
    return render(
        request,
        "committees/coverage.html",
        {
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "own_committee": Committee.objects.filter(unit=unit).first(),
            "coverage": result,
            # Shares over members whose sex is known; the unknown are shown apart.
            "women_share": result.share(result.women, result.known_sex),
            "women_heads_share": result.share(result.women_heads, result.heads_known_sex),
            "levels": [(value, Level(value).label) for value in levels],
            "level": level,
            "can_edit": permissions.can_edit(request.user, unit),
        },
    )


def unit_committee(request, pk):
    """A unit's committee page, or the offer to record one."""
    unit = permissions.get_unit(request.user, pk)
    committee = Committee.objects.filter(unit=unit).first()
    if committee is None:
        return render(
            request,
            "committees/none.html",
            {
                "unit": unit,
                "breadcrumb": breadcrumb(unit),
                "can_edit": permissions.can_edit(request.user, unit),
                "former_committees": queries.former_committees(unit),
            },
        )
    return redirect("committees:detail", pk=committee.pk)


def detail(request, pk):
    """The committee: decision in force, members on a date, what needs attention, history."""
    committee = _committee(request.user, pk)
    today = queries.last_day(committee.unit)
    date_form = HistoryDateForm(request.GET or None)
    on = today
    if date_form.is_valid() and date_form.cleaned_data["on"]:
        on = date_form.cleaned_data["on"]
    decisions = list(committee.decisions.all())
    return render(
        request,
        "committees/detail.html",
        {
            "committee": committee,
            "unit": committee.unit,
            "breadcrumb": breadcrumb(committee.unit),
            "on": on,
            "is_today": on == today,
            "date_form": date_form,
            "members": queries.members_on(committee, on),
            "decision": queries.decision_on(committee, on),
            "decisions": decisions,
            "notes": queries.attention(committee, today),
            "can_edit": permissions.can_edit(request.user, committee.unit),
            "former_committees": queries.former_committees(committee.unit),
        },
    )


@require_http_methods(["GET", "POST"])
def create(request, pk):
    """Record the committee of a unit."""
    unit = permissions.get_unit(request.user, pk, "edit")
    form = CommitteeForm(
        request.POST or None,
        unit=unit,
        initial={"name": _("Committee for the Advancement of Women of %s") % unit.name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.create_committee(request.user, unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Committee recorded. Now enter its decision."))
            return redirect("committees:reconstitute", pk=committee.pk)
    return render(
        request,
        "committees/form.html",
        {
            "form": form,
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "title": _("Record the committee"),
        },
    )


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """Rename the committee or change its standing agency."""
    committee = _committee(request.user, pk, "edit")
    values = services.committee_values(committee)
    form = CommitteeForm(request.POST or None, unit=committee.unit, initial=values, seen=values)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(
            services.update_committee, request.user, committee, **form.cleaned_data
        )
    ):
        messages.success(request, _("Saved."))
        return redirect("committees:detail", pk=committee.pk)
    return render(
        request,
        "committees/form.html",
        {
            "form": form,
            "unit": committee.unit,
            "breadcrumb": breadcrumb(committee.unit),
            "title": committee.name,
        },
    )


def _initial_rows(committee: Committee) -> list[dict]:
    return [
        {
            "person_id": m.person_id,
            "full_name": m.person.full_name,
            "sex": m.person.sex,
            "title": m.person.title,
            "workplace": m.person.unit,
            "role": m.role,
            "represented_unit": m.represented_unit,
            "represented_text": m.represented_text,
            "phone": m.person.phone,
            "email": m.person.email,
            "term_end": m.term_end,
        }
        for m in queries.members_on(committee, queries.last_day(committee.unit))
    ]


@require_http_methods(["GET", "POST"])
def reconstitute(request, pk):
    """Enter a new decision starting from the current members; preview the changes, then save."""
    committee = _committee(request.user, pk, "edit")
    # Everyone who was ever a member: a row of a member removed meanwhile still names its person.
    current = {
        m.person_id: m.person
        for m in committee.memberships.select_related("person").order_by("start")
    }
    posted = request.method == "POST"
    decision_form = DecisionForm(
        request.POST if posted else None,
        unit=committee.unit,
        seen=None if posted else services.roster_values(committee),
    )
    file_form = DecisionFileForm(request.POST if posted else None, request.FILES or None)
    formset = MemberFormSet(
        request.POST if posted else None,
        initial=None if posted else _initial_rows(committee),
        form_kwargs={"unit": committee.unit},
    )
    diff = None
    if posted and decision_form.is_valid() and formset.is_valid() and file_form.is_valid():
        members = [
            services.MemberSpec(
                person=person_from_row(row.cleaned_data, current),
                role=row.cleaned_data["role"],
                represented_unit=row.cleaned_data["represented_unit"],
                term_end=row.cleaned_data["term_end"],
                represented_text=row.cleaned_data["represented_text"],
            )
            for row in formset
            if not row.is_blank and not row.cleaned_data.get("remove")
        ]
        diff = services.member_diff(committee, members)
        if "confirm" in request.POST:
            try:
                decision = services.reconstitute(
                    request.user,
                    committee,
                    members=members,
                    file=file_form.cleaned_data["file"],
                    **decision_form.cleaned_data,
                    seen=decision_form.seen(),
                )
            except StaleEdit as stale:
                decision_form.show_stale(stale)
            except ValidationError as error:
                add_service_errors(decision_form, error)
            else:
                messages.success(
                    request, _("Decision %s saved with its member list.") % decision.label
                )
                return redirect("committees:detail", pk=committee.pk)
    return render(
        request,
        "committees/reconstitute.html",
        {
            "committee": committee,
            "unit": committee.unit,
            "breadcrumb": breadcrumb(committee.unit),
            "decision_form": decision_form,
            "file_form": file_form,
            "formset": formset,
            "diff": diff,
        },
    )


@require_http_methods(["GET", "POST"])
def edit_member(request, pk):
    """Complete a current member (a name learnt later) or correct their details in place."""
    membership = get_object_or_404(
        Membership.objects.select_related("committee", "committee__unit", "person"), pk=pk
    )
    committee = _committee(request.user, membership.committee_id, "edit")
    values = services.member_values(membership)
    form = MemberEditForm(request.POST or None, unit=committee.unit, initial=values, seen=values)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(
            services.update_member, request.user, membership, **form.cleaned_data
        )
    ):
        messages.success(request, _("Saved."))
        return redirect("committees:detail", pk=committee.pk)
    return render(
        request,
        "committees/form.html",
        {
            "form": form,
            "unit": committee.unit,
            "breadcrumb": breadcrumb(committee.unit),
            "title": _("Member: %(member)s") % {"member": membership.label},
            "cancel": reverse("committees:detail", args=[committee.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def complete_decision(request, pk):
    """Enter the number of a decision saved without one (or correct it)."""
    decision = get_object_or_404(Decision.objects.select_related("committee"), pk=pk)
    committee = _committee(request.user, decision.committee_id, "edit")
    values = services.decision_values(decision)
    form = CompleteDecisionForm(request.POST or None, initial=values, seen=values)
    if (
        request.method == "POST"
        and form.is_valid()
        and form.saved_through(
            services.complete_decision, request.user, decision, **form.cleaned_data
        )
    ):
        messages.success(request, _("Saved."))
        return redirect("committees:detail", pk=committee.pk)
    return render(
        request,
        "committees/form.html",
        {
            "form": form,
            "unit": committee.unit,
            "breadcrumb": breadcrumb(committee.unit),
            "title": _("Decision %(decision)s") % {"decision": decision.label},
            "cancel": reverse("committees:detail", args=[committee.pk]),
        },
    )


def decision_file(request, pk):
    """A decision's scan, only to those who may see the committee."""
    decision = get_object_or_404(Decision.objects.select_related("committee"), pk=pk)
    permissions.get_unit(request.user, decision.committee.unit_id)
    if not decision.file:
        raise Http404(_("This decision has no scanned file."))
    return uploads.serve(decision.file, decision.label)


@require_http_methods(["POST"])
def attach_file(request, pk):
    """Attach the scanned file to a decision."""
    decision = get_object_or_404(Decision.objects.select_related("committee"), pk=pk)
    permissions.get_unit(request.user, decision.committee.unit_id, "edit")
    form = DecisionFileForm(request.POST, request.FILES)
    if form.is_valid() and form.cleaned_data["file"]:
        try:
            services.attach_decision_file(request.user, decision, form.cleaned_data["file"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("File attached to decision %s.") % decision.label)
    else:
        messages.error(request, _("Choose a file."))
    return redirect("committees:detail", pk=decision.committee_id)


@require_http_methods(["GET", "POST"])
def import_members(request, pk):
    """Add members to the decision in force from an Excel file: all rows, or none."""
    committee = _committee(request.user, pk, "edit")
    decision = queries.decision_on(committee, queries.last_day(committee.unit))
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and decision is None:
        raise PermissionDenied(_("Record the constituting decision first."))
    if request.method == "POST" and form.is_valid():
        try:
            members = spreadsheets.parse_members(form.cleaned_data["file"], committee.unit)
            added = services.add_members(request.user, decision, members)
        except spreadsheets.ImportErrors as error:
            problems = error.problems
        except ValidationError as error:
            problems = [spreadsheets.ImportProblem(None, None, m) for m in error.messages]
        else:
            count = len(added)
            messages.success(
                request, ngettext("%d member added.", "%d members added.", count) % count
            )
            return redirect("committees:detail", pk=committee.pk)
    return render(
        request,
        "committees/import.html",
        {
            "committee": committee,
            "unit": committee.unit,
            "breadcrumb": breadcrumb(committee.unit),
            "form": form,
            "problems": problems,
            "decision": decision,
        },
    )


def template_xlsx(request, pk):
    """The Excel template for importing members."""
    _committee(request.user, pk)
    return _download(spreadsheets.member_template(), "mau-thanh-vien-ban-vstbpn.xlsx", XLSX)


def export_xlsx(request, pk):
    """The current members as Excel."""
    committee = _committee(request.user, pk)
    content = spreadsheets.export_members(committee, queries.last_day(committee.unit))
    return _download(content, f"thanh-vien-{committee.unit.code}.xlsx", XLSX)


def export_docx(request, pk):
    """The current members as a Word annex to the decision."""
    committee = _committee(request.user, pk)
    content = documents.members_annex_docx(committee, queries.last_day(committee.unit))
    return _download(content, f"danh-sach-thanh-vien-{committee.unit.code}.docx", DOCX)


def handover(request, pk):
    """The one page a newly assigned officer reads first."""
    committee = _committee(request.user, pk)
    today = queries.last_day(committee.unit)
    return render(
        request,
        "committees/handover.html",
        {
            "committee": committee,
            "unit": committee.unit,
            "breadcrumb": breadcrumb(committee.unit),
            "members": queries.members_on(committee, today),
            "decision": queries.decision_on(committee, today),
            "decisions": committee.decisions.all(),
            "notes": queries.attention(committee, today),
        },
    )


def handover_docx(request, pk):
    """The handover dossier as a Word file."""
    committee = _committee(request.user, pk)
    content = documents.handover_docx(committee, queries.last_day(committee.unit))
    return _download(content, f"ho-so-ban-giao-{committee.unit.code}.docx", DOCX)
