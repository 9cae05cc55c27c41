"""Forms of plans, tasks and inspections. They read input; the services judge it."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from binhdang.accounts import permissions
from binhdang.core.concurrency import StaleCheckForm, display
from binhdang.core.forms import IntegerNumberField, StyledForm
from binhdang.indicators.models import Indicator, Objective
from binhdang.orgunits import forms as orgunit_forms
from binhdang.orgunits.forms import unit_choices_of
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.orgunits.queries import own_units

from .deadlines import DeadlineKind, format_deadline_input, parse_deadline
from .models import DisplayStatus, InspectionKind, PlanKind, PlanStatus, TaskStatus


def nearby_units(unit: OrgUnit) -> list[tuple[int, str]]:
    """The choices shown for a unit picker: the unit and the units directly below it (of its
    time, for a former unit).

    Any unit may be posted (the field's queryset is every unit), so that a unit outside the
    user's scope is refused by the service with its own message naming the field.
    """
    return unit_choices_of(own_units(unit).order_by("depth", "level", "search_name"))


class UnitChoiceField(orgunit_forms.UnitChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=OrgUnit.objects.all(), **kwargs)


class UnitMultipleChoiceField(orgunit_forms.UnitMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=OrgUnit.objects.all(), **kwargs)


def overseen_units(unit: OrgUnit) -> list[tuple[int, str]]:
    """The choices a unit's inspection grants add to its picker: each overseen unit and the units
    directly below it, past ones too (an inspection may concern a province before 2025)."""
    choices = []
    for root in permissions.inspection_roots(unit):
        units = (
            OrgUnit.objects.filter(Q(pk=root.pk) | Q(parent=root))
            .select_related("parent")
            .order_by("depth", "level", "search_name", "valid_from")
        )
        choices += unit_choices_of(units)
    return choices


def _show_units(field, unit: OrgUnit, selected=(), empty: bool = True, more=()) -> None:
    """Offer the nearby units (and `more` choices), plus any already chosen elsewhere."""
    choices = nearby_units(unit)
    shown = {pk for pk, _name in choices}
    choices += [(pk, name) for pk, name in dict(more).items() if pk not in shown]
    shown = {pk for pk, _name in choices}
    extra = [u for u in selected if u is not None and u.pk not in shown]
    choices += unit_choices_of(extra)
    field.widget.choices = ([("", "—")] if empty else []) + choices


class DeadlineField(forms.CharField):
    """A deadline typed as a day or in words ("trước tháng 10/2024"): see `deadlines`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Due date"))
        kwargs.setdefault(
            "help_text",
            _(
                "dd/mm/yyyy for a day. “10/2024” or “within month 10/2024” = by 31/10/2024; "
                "“before month 10/2024” = by 30/09/2024. Also “quarter III/2024”, "
                "“first half of 2024”, “second half of 2024”, “end of 2024”."
            ),
        )
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_deadline(value)
        except ValidationError as error:
            raise ValidationError(error.message_dict["deadline"]) from None


YEARS = [(year, str(year)) for year in range(2016, 2041)]


class PlanForm(StaleCheckForm, StyledForm):
    kind = forms.ChoiceField(label=_("Kind of plan"), choices=PlanKind.choices)
    title = forms.CharField(label=_("Plan title"), max_length=500)
    start_year = forms.TypedChoiceField(label=_("From year"), coerce=int, choices=YEARS)
    end_year = forms.TypedChoiceField(label=_("To year"), coerce=int, choices=YEARS)
    decision_number = forms.CharField(
        label=_("Decision number and symbol"),
        max_length=64,
        required=False,
        help_text=_("e.g. 123/KH-UBND; may be filled in when the plan is approved."),
    )
    decision_date = forms.DateField(
        label=_("Decision date"), required=False, help_text="dd/mm/yyyy"
    )
    decision_signer = forms.CharField(label=_("Signer"), max_length=255, required=False)
    file = forms.FileField(label=_("Decision or plan file (PDF, Word or image)"), required=False)


class ApproveForm(StaleCheckForm, StyledForm):
    decision_number = forms.CharField(
        label=_("Decision number and symbol"), max_length=64, help_text=_("e.g. 123/KH-UBND")
    )
    decision_date = forms.DateField(label=_("Decision date"), help_text="dd/mm/yyyy")
    decision_signer = forms.CharField(label=_("Signer"), max_length=255, required=False)
    file = forms.FileField(label=_("Decision or plan file (PDF, Word or image)"), required=False)


class FileForm(StyledForm):
    file = forms.FileField(label=_("Decision or plan file (PDF, Word or image)"))


class TaskForm(StaleCheckForm, StyledForm):
    title = forms.CharField(label=_("Task"), max_length=500)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead_unit = UnitChoiceField(label=_("Lead unit"))
    collaborating_units = UnitMultipleChoiceField(
        label=_("Collaborating units"),
        required=False,
        widget=forms.SelectMultiple,
    )
    deadline = DeadlineField()
    meeting_reference = forms.CharField(
        label=_("Meeting conclusion"),
        max_length=500,
        required=False,
        help_text=_("When the task comes from a meeting: e.g. Thông báo kết luận số 45/TB-UBND."),
    )
    objectives = forms.ModelMultipleChoiceField(
        label=_("Objectives served"),
        queryset=Objective.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    indicators = forms.ModelMultipleChoiceField(
        label=_("Targets served"),
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.SelectMultiple,
    )

    def __init__(self, *args, assigning_unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        initial = self.initial
        self.fields["indicators"].queryset = Indicator.objects.filter(
            Q(owner_unit__isnull=True)
            | Q(owner_unit_id__in=[*assigning_unit.ancestor_ids(), assigning_unit.pk])
        ).order_by("framework", "objective__number", "number")
        self.fields["indicators"].label_from_instance = lambda i: f"{i.number} {i.name[:90]}"
        self.fields["objectives"].label_from_instance = lambda o: f"{o.number}. {o.name}"
        _show_units(self.fields["lead_unit"], assigning_unit, [initial.get("lead_unit")])
        _show_units(
            self.fields["collaborating_units"],
            assigning_unit,
            list(initial.get("collaborating_units") or []),
            empty=False,
        )

    @classmethod
    def initial_for(cls, task) -> dict:
        return {
            "title": task.title,
            "description": task.description,
            "lead_unit": task.lead_unit,
            "collaborating_units": list(task.collaborating_units.all()),
            "deadline": format_deadline_input(task.deadline, task.deadline_kind),
            "meeting_reference": task.meeting_reference,
            "objectives": list(task.objectives.all()),
            "indicators": list(task.indicators.all()),
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        deadline = data.pop("deadline")
        data["deadline"], data["deadline_kind"] = deadline or (None, DeadlineKind.DAY)
        return data

    def stale_display(self, name, value) -> str:
        if name == "deadline":  # the services' (date, how it was said) pair
            return format_deadline_input(*value) or display(None)
        return super().stale_display(name, value)


class UpdateForm(StaleCheckForm, StyledForm):
    date = forms.DateField(label=_("Date"), help_text="dd/mm/yyyy")
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    new_status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("(unchanged)")), *TaskStatus.choices], required=False
    )
    percent = IntegerNumberField(
        label=_("Progress (%)"), required=False, min_value=0, max_value=100, below=1000
    )
    link = forms.URLField(
        label=_("Link to evidence"),
        required=False,
        max_length=500,
        help_text=_("e.g. a news item on the unit's portal."),
    )
    file = forms.FileField(label=_("Evidence file (PDF, Word or image)"), required=False)

    def __init__(self, *args, can_change_status: bool, can_cancel: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_change_status:
            del self.fields["new_status"]
            del self.fields["percent"]
        elif not can_cancel:
            self.fields["new_status"].choices = [
                c for c in self.fields["new_status"].choices if c[0] != TaskStatus.CANCELLED
            ]


class TaskFilterForm(StyledForm):
    """The task list's filters, read from the query string."""

    MINE = "mine"
    BY_ME = "by_me"

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *DisplayStatus.choices], required=False
    )
    due_within = IntegerNumberField(
        label=_("Due within (days)"), required=False, min_value=0, max_value=366, below=1000
    )
    relation = forms.ChoiceField(
        label=_("Tasks"),
        choices=[
            ("", _("All I can see")),
            (MINE, _("Assigned to my unit")),
            (BY_ME, _("Assigned by my unit")),
        ],
        required=False,
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    assigned_by = forms.IntegerField(required=False, widget=forms.HiddenInput)
    plan = forms.IntegerField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class InspectionForm(StaleCheckForm, StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    title = forms.CharField(label=_("Inspection title"), max_length=500)
    decision_number = forms.CharField(
        label=_("Decision or plan number"),
        max_length=64,
        required=False,
        help_text=_("e.g. 45/QĐ-UBND establishing the team."),
    )
    lead_name = forms.CharField(label=_("Team lead"), max_length=150)
    lead_position = forms.CharField(label=_("Team lead's position"), max_length=255, required=False)
    members = forms.CharField(
        label=_("Team members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: full name — position."),
    )
    inspected_units = UnitMultipleChoiceField(
        label=_("Units inspected"),
        widget=forms.SelectMultiple,
    )
    start_date = forms.DateField(label=_("Start date"), help_text="dd/mm/yyyy")
    end_date = forms.DateField(label=_("End date"), help_text="dd/mm/yyyy")
    scope = forms.CharField(
        label=_("Scope and content"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        _show_units(
            self.fields["inspected_units"],
            unit,
            list(self.initial.get("inspected_units") or []),
            empty=False,
            more=overseen_units(unit),
        )

    @classmethod
    def initial_for(cls, inspection) -> dict:
        names = [f.name for f in inspection._meta.fields]
        data = {name: getattr(inspection, name) for name in cls.base_fields if name in names}
        data["inspected_units"] = list(inspection.inspected_units.all())
        return data


class RecommendationForm(StyledForm):
    unit = orgunit_forms.UnitChoiceField(label=_("Addressed to"), queryset=OrgUnit.objects.none())
    text = forms.CharField(label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = DeadlineField()

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        # Any unit may be posted; the service refuses one that was not inspected.
        self.fields["unit"].queryset = OrgUnit.objects.all()
        self.fields["unit"].widget.choices = unit_choices_of(
            inspection.inspected_units.select_related("parent").order_by("search_name")
        )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        deadline = data.pop("deadline")
        data["deadline"], data["deadline_kind"] = deadline or (None, DeadlineKind.DAY)
        return data


class MissingPlansForm(StyledForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=YEARS)
    level = forms.TypedChoiceField(
        label=_("Units"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            ("", _("Directly under the unit")),
            (Level.DEPARTMENT, _("All departments in the subtree")),
            (Level.COMMUNE, _("All communes in the subtree")),
            (Level.PROVINCE, _("All provinces")),
            (Level.DISTRICT, _("All districts (before 2025)")),
        ],
    )


class PlanFilterForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind of plan"), choices=[("", _("All")), *PlanKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *PlanStatus.choices], required=False
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("All")), *YEARS],
    )
