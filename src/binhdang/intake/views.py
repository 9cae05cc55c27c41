"""The intake pages: a report pasted or uploaded, then its proposals to correct and confirm."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from binhdang.accounts import permissions
from binhdang.committees.forms import person_from_row
from binhdang.committees.services import MemberSpec
from binhdang.core.forms import add_service_errors
from binhdang.orgunits.models import OrgUnit
from binhdang.orgunits.queries import breadcrumb

from . import services, sources
from .forms import IncludeForm, SourceForm, proposal_form
from .models import Draft

HIDDEN_FIELDS = (
    "outputs",
    "cost",
    "note",
    "leaders",
    "officers",
    "public",
    "from_province",
    "from_district",
    "from_commune",
    "from_departments",
    "objectives",
    "indicators",
    "meeting_reference",
    "description",
    "phone",
    "email",
    "term_end",
    "remove",
    "person_id",
    "workplace",
    "signer",
    "signer_title",
)
# A proposal the extractor is at least this sure of is ticked for saving at first.
TICKED_FROM = 0.5
# The fields of each kind that name units (UnitMention or a list of them), and the form field
# that takes the unit (none for the co-organisers, a list).
MENTION_FIELDS = {
    "organiser": "organiser",
    "others": None,
    "issuer": "issuing_unit",
    "unit": "represented_unit",
    "lead": "lead_unit",
}
KIND_LABELS = {
    "activity": lambda: _("Activity"),
    "counted": lambda: _("Activities counted together"),
    "decision": lambda: _("Committee decision"),
    "member": lambda: _("Committee member"),
    "summary": lambda: _("Targets met (summary)"),
    "figure": lambda: _("Target figure"),
    "task": lambda: _("Task"),
}


def read(document, unit: OrgUnit):
    """The report's proposals (intake.extract, the extractor)."""
    from . import extract

    return extract.read(document, home_unit=unit)


@dataclass
class Unresolved:
    """A unit named in the text that matched several units: the officer chooses."""

    text: str
    candidates: list[OrgUnit]
    field: str | None = None  # the form field the unit goes in


@dataclass
class Block:
    """One proposal as the page shows it."""

    number: int
    proposal: object
    include: IncludeForm
    form: object | None
    sentence: str = ""
    unresolved: list[Unresolved] = field(default_factory=list)
    # Fields of the owning apps' forms that a news report does not give: not shown, left empty.
    hidden_fields: tuple = HIDDEN_FIELDS

    @property
    def shown_fields(self) -> list[tuple[str, object]]:
        """A proposal without a form (the summary), field by field in the interface's words."""
        labels = {
            "met": _("Targets met"),
            "total": _("Targets"),
            "percent": _("Share (%)"),
            "year": _("Year"),
        }
        return [(labels.get(name, name), value) for name, value in self.proposal.fields.items()]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.proposal.kind, lambda: self.proposal.kind)()

    @property
    def confidence_percent(self) -> int:
        return round(float(self.proposal.confidence) * 100)

    @property
    def included(self) -> bool:
        return bool(
            self.include.is_bound
            and self.include.is_valid()
            and self.include.cleaned_data["include"]
        )


def highlighted(text: str, proposals) -> SafeString:
    """The report with each proposal's sentence marked; every piece of the text escaped."""
    bounds = {0, len(text)}
    for p in proposals:
        bounds.update((max(0, min(p.start, len(text))), max(0, min(p.end, len(text)))))
    points = sorted(bounds)
    pieces = []
    for left, right in zip(points, points[1:], strict=False):
        numbers = [str(n) for n, p in enumerate(proposals, 1) if p.start <= left and right <= p.end]
        chunk = escape(text[left:right])
        if numbers:
            label = escape(", ".join(numbers))
            chunk = f'<mark title="#{label}">{chunk}<sup>{label}</sup></mark>'
        pieces.append(chunk)
    return mark_safe("".join(pieces))  # noqa: S308 - built from escaped pieces only


def _unresolved(proposal) -> list[Unresolved]:
    found = []
    for name in MENTION_FIELDS:
        value = proposal.fields.get(name)
        for mention in value if isinstance(value, list) else [value]:
            if mention is None or getattr(mention, "chosen", None) is not None:
                continue
            units = OrgUnit.objects.in_bulk(list(mention.candidates or []))
            candidates = [units[pk] for pk in mention.candidates or [] if pk in units]
            found.append(Unresolved(mention.text, candidates, MENTION_FIELDS[name]))
    return found


def _offer(form, unresolved: list[Unresolved]) -> None:
    """Put the units an ambiguous name may be at the top of its picker, as their own group,
    with none of them selected: the officer chooses (the other units stay below)."""
    for mention in unresolved:
        field = form.fields.get(mention.field) if mention.field else None
        if field is None or not mention.candidates:
            continue
        allowed = set(field.queryset.filter(pk__in=[u.pk for u in mention.candidates]))
        named = [(u.pk, u.picker_label) for u in mention.candidates if u in allowed]
        if not named:
            continue
        pks = {str(pk) for pk, _label in named}
        rest = [(v, label) for v, label in field.widget.choices if str(v) not in pks and v != ""]
        field.widget.choices = [
            ("", "—"),
            (_("Named “%s” in the report") % mention.text, named),
            (_("Other units"), rest),
        ]


def _blocks(request, unit, reading, posted: bool) -> list[Block]:
    data = request.POST if posted else None
    blocks = []
    for number, proposal in enumerate(reading.proposals, 1):
        prefix = f"p{number}"
        include = IncludeForm(
            data,
            prefix=prefix,
            initial={"include": proposal.confidence >= TICKED_FROM and proposal.kind != "summary"},
        )
        form = proposal_form(
            proposal.kind, proposal.fields, data=data, prefix=prefix, user=request.user, unit=unit
        )
        sentence = reading.document.text[proposal.start : proposal.end]
        unresolved = _unresolved(proposal)
        if form is not None:
            _offer(form, unresolved)
        blocks.append(Block(number, proposal, include, form, sentence, unresolved))
    return blocks


def _items(unit: OrgUnit, blocks: list[Block]) -> list:
    """The ticked, valid proposals as the records to save; members go with the decision before
    them (or, without one, under the committee's current decision)."""
    items, decision = [], None
    for block in blocks:
        if not block.included or block.form is None:
            continue
        kind, data = block.proposal.kind, block.form.cleaned_data
        if kind in ("activity", "counted"):
            items.append(services.ActivityItem(block.number, block.form.activity_data()))
        elif kind == "task":
            values = {"assigned_by": unit, **block.form.service_data()}
            items.append(services.TaskItem(block.number, values))
        elif kind == "decision":
            decision = services.CommitteeItem(block.number, dict(data))
            items.append(decision)
        elif kind == "member":
            spec = MemberSpec(
                person=person_from_row(data, {}),
                role=data.get("role") or "",
                represented_unit=data.get("represented_unit"),
                represented_text=data.get("represented_text") or "",
            )
            if decision is None:
                decision = services.CommitteeItem(block.number, None)
                items.append(decision)
            decision.members.append(spec)
            decision.member_indexes.append(block.number)
        elif kind == "figure":
            items.append(
                services.FigureItem(
                    block.number,
                    indicator=data["indicator"],
                    unit=unit,
                    year=data["year"],
                    numerator=data.get("numerator"),
                    denominator=data.get("denominator"),
                    category=data.get("category") or "",
                )
            )
    return items


@csrf_exempt  # checked below, once the body is known to be readable
@require_http_methods(["GET", "POST"])
def start(request, pk):
    """Paste or upload a news report of the unit's work; its proposals follow."""
    unit = permissions.get_unit(request.user, pk, "edit")
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 - parsed here to catch a body over the request limit
        except RequestDataTooBig:
            # Megabytes pasted are refused with the page's own message, not a bare 400 (the
            # CSRF check would read the body first and fail there). Nothing is written.
            size = int(request.META.get("CONTENT_LENGTH") or 0)
            return _start_page(request, unit, SourceForm(), [sources.too_large(size)])
    return _start(request, unit)


@csrf_protect
def _start(request, unit):
    form = SourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        reading = read(form.document, unit)
        if not reading.proposals:
            form.add_error(
                None,
                _(
                    "No information that can be recorded was found in this report (an "
                    "activity, a committee decision or member, a figure or a task). Check that "
                    "it reports the unit's gender-equality work, or record it by hand."
                ),
            )
        else:
            draft = services.start_draft(request.user, unit, form.document)
            return redirect("intake:draft", pk=unit.pk, draft=draft.pk)
    return _start_page(request, unit, form)


def _start_page(request, unit, form, refusals=()):
    context = {"form": form, "unit": unit, "breadcrumb": breadcrumb(unit), "refusals": refusals}
    return render(request, "intake/start.html", context)


@require_http_methods(["GET", "POST"])
def draft(request, pk, draft):
    """A report's proposals, each editable, saved together on confirmation (all or none)."""
    unit = permissions.get_unit(request.user, pk, "edit")
    # A draft is its author's: another officer's is as absent as a wrong address.
    found = get_object_or_404(Draft, pk=draft, unit=unit, created_by=request.user)
    context = {"unit": unit, "breadcrumb": breadcrumb(unit), "draft": found}
    if found.saved_at is not None:
        if request.method == "POST":
            messages.warning(
                request, _("These records were saved already; nothing was saved again.")
            )
        return render(request, "intake/saved.html", context)
    reading = read(services.document_of(found), unit)
    posted = request.method == "POST"
    blocks = _blocks(request, unit, reading, posted)
    errors = []
    if posted:
        chosen = [b for b in blocks if b.included and b.form is not None]
        if all(b.form.is_valid() for b in chosen):
            try:
                saved = services.confirm(request.user, found, _items(unit, blocks))
            except services.AlreadySaved:
                messages.warning(
                    request, _("These records were saved already; nothing was saved again.")
                )
                return redirect("intake:draft", pk=unit.pk, draft=found.pk)
            except services.Refused as refused:
                by_number = {b.number: b for b in blocks}
                for number, error in refused.errors.items():
                    add_service_errors(by_number[number].form, error)
                errors.append(_("Nothing was saved: correct the proposals marked below."))
            except ValidationError as error:
                errors.extend(error.messages)
            except PermissionDenied as error:
                errors.append(str(error))
            else:
                count = len(saved)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d record saved from the news report.",
                        "%(count)d records saved from the news report.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("intake:draft", pk=unit.pk, draft=found.pk)
        else:
            errors.append(_("Nothing was saved: correct the proposals marked below."))
    context.update(
        {
            "blocks": blocks,
            "reading": reading,
            "article": highlighted(found.text, reading.proposals),
            "errors": errors,
        }
    )
    return render(request, "intake/draft.html", context)
