"""The intake's forms: the report to read, and one form per proposal to correct before saving,
built from the owning apps' own forms (activities, tasks, committee decisions and members) so
that the fields read and validate as on their own pages."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from binhdang.accounts import permissions
from binhdang.activities.forms import ActivityForm
from binhdang.activities.models import Kind
from binhdang.committees.forms import DecisionForm, MemberForm
from binhdang.core.forms import IntegerNumberField, StyledForm
from binhdang.indicators.models import CATEGORIES, Dimension, Indicator
from binhdang.orgunits.models import OrgUnit
from binhdang.plans.forms import TaskForm

from . import sources


class SourceForm(StyledForm):
    """A report pasted or uploaded: exactly one of the two."""

    text = forms.CharField(
        label=_("Text of the news report"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Copy the whole item from the portal (title, date and text); menus, related news, "
            "view counters and captions are left out by themselves."
        ),
    )
    file = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_("A Word file (.docx), a saved web page (.html, .htm) or a text file (.txt)."),
    )

    def clean(self):
        data = super().clean()
        text, file = data.get("text") or "", data.get("file")
        try:
            if file:
                if text.strip():
                    raise sources.IntakeError(_("Paste a text or choose a file, not both."))
                self.document = sources.from_upload(file)
            else:
                self.document = sources.from_text(text)
        except sources.IntakeError as error:
            raise forms.ValidationError(str(error)) from None
        if not self.document.text.strip():
            raise forms.ValidationError(
                _("No text was found in it: paste the report's text itself.")
            )
        return data


class IncludeForm(forms.Form):
    """Whether a proposal is to be saved."""

    include = forms.BooleanField(label=_("Save this"), required=False)


class FigureForm(StyledForm):
    """A target's figure for the unit and a year, by level of government when it is judged so."""

    indicator = forms.ModelChoiceField(label=_("Target"), queryset=Indicator.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    category = forms.ChoiceField(label=_("Level of government"), required=False)
    numerator = IntegerNumberField(label=_("Number meeting it"), required=False)
    denominator = IntegerNumberField(label=_("Out of"), required=False)

    def __init__(self, *args, user, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = permissions.indicators_for(user, unit).order_by(
            "framework", "number"
        )
        self.fields["indicator"].label_from_instance = lambda i: f"{i.number} {i.name[:90]}"
        levels = [(f"{Dimension.LEVEL}:{key}", label) for key, label in CATEGORIES[Dimension.LEVEL]]
        self.fields["category"].choices = [("", _("Total")), *levels]


def _unit(mention, allowed=None):
    """The unit a mention was matched to, when it was matched to exactly one (and is allowed)."""
    if mention is None or getattr(mention, "chosen", None) is None:
        return None
    unit = OrgUnit.objects.filter(pk=mention.chosen).first()
    if unit is None or (allowed is not None and not allowed.filter(pk=unit.pk).exists()):
        return None
    return unit


def activity_initial(fields: dict, unit: OrgUnit) -> dict:
    """An activity proposal as the activity form's initial values."""
    start, end = fields.get("start"), fields.get("end")
    return {
        "title": fields.get("title") or "",
        "kind": fields.get("kind") or "",
        "start_date": start,
        "end_date": end if end and end != start else None,
        "organiser": _unit(fields.get("organiser")),
        "co_organisers": [u for m in fields.get("others") or [] if (u := _unit(m))],
        # Organisations not in the tree (the Women's Union) are written as the text names them.
        "partners": ", ".join(
            m.text for m in fields.get("others") or [] if m is not None and not m.candidates
        ),
        "venue": fields.get("place") or "",
        "participants": fields.get("participants"),
        "topics": list(fields.get("topics") or []),
    }


def counted_initial(fields: dict, unit: OrgUnit) -> dict:
    """A counted record ("trên 20 lớp tập huấn" in 2022) as one activity record of the year."""
    year = fields.get("year")
    kind = fields.get("kind") or ""
    return {
        "title": Kind(kind).label if kind in Kind.values else "",
        "kind": kind,
        "event_count": fields.get("count"),
        "count_is_minimum": bool(fields.get("at_least")),
        "start_date": datetime.date(year, 1, 1) if year else None,
        "end_date": datetime.date(year, 12, 31) if year else None,
        "organiser": unit,
    }


def task_initial(fields: dict, unit: OrgUnit) -> dict:
    """A task proposal as the task form's initial values (the deadline as written)."""
    deadline = fields.get("deadline_text") or (
        fields["deadline"].strftime("%d/%m/%Y") if fields.get("deadline") else ""
    )
    return {
        "title": fields.get("title") or "",
        "lead_unit": _unit(fields.get("lead")),
        "deadline": deadline,
    }


def decision_initial(fields: dict, unit: OrgUnit) -> dict:
    """A decision proposal as the decision form's initial values."""
    issuer = _unit(fields.get("issuer"))
    return {
        "number": fields.get("number") or "",
        "date": fields.get("date"),
        **({"issuing_unit": issuer.pk} if issuer else {}),
    }


def member_initial(fields: dict, unit: OrgUnit) -> dict:
    """A member proposal as the member form's initial values; the unit they represent as
    written when it was not matched to one unit."""
    mention = fields.get("unit")
    represented = _unit(mention)
    return {
        "full_name": fields.get("name") or "",
        "title": fields.get("position") or "",
        "role": fields.get("role") or "",
        "represented_unit": represented,
        "represented_text": "" if represented or mention is None else mention.text,
    }


def figure_initial(fields: dict, unit: OrgUnit, user) -> dict:
    """A figure proposal as the figure form's initial values."""
    indicator = (
        permissions.indicators_for(user, unit)
        .filter(number=fields.get("indicator") or "", owner_unit__isnull=True)
        .order_by("-code")
        .first()
    )
    level = fields.get("level") or ""
    return {
        "indicator": indicator,
        "year": fields.get("year"),
        "category": f"{Dimension.LEVEL}:{level}" if level else "",
        "numerator": fields.get("numerator"),
        "denominator": fields.get("denominator"),
    }


def proposal_form(kind: str, fields: dict, *, data, prefix: str, user, unit: OrgUnit):
    """The form a proposal is corrected in (None for a kind that is only shown)."""
    if kind in ("activity", "counted"):
        initial = (activity_initial if kind == "activity" else counted_initial)(fields, unit)
        return ActivityForm(data, prefix=prefix, user=user, initial=initial)
    if kind == "task":
        initial = task_initial(fields, unit)
        return TaskForm(data, prefix=prefix, assigning_unit=unit, initial=initial)
    if kind == "decision":
        initial = decision_initial(fields, unit)
        return DecisionForm(data, prefix=prefix, unit=unit, initial=initial)
    if kind == "member":
        return MemberForm(data, prefix=prefix, unit=unit, initial=member_initial(fields, unit))
    if kind == "figure":
        initial = figure_initial(fields, unit, user)
        return FigureForm(data, prefix=prefix, user=user, unit=unit, initial=initial)
    return None
