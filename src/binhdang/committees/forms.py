from django import forms
from django.utils.translation import gettext_lazy as _

from binhdang.core.concurrency import StaleCheckForm
from binhdang.core.forms import StyledForm
from binhdang.orgunits.forms import UnitChoiceField
from binhdang.orgunits.models import OrgUnit
from binhdang.orgunits.queries import own_units

from .models import Person, Role, Sex


def unit_choices(unit: OrgUnit):
    """Units a member may represent, or that may serve as standing agency: the unit and its own."""
    return own_units(unit).order_by("level", "name")


class CommitteeForm(StaleCheckForm, StyledForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    standing_unit = UnitChoiceField(
        label=_("Standing agency"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standing_unit"].queryset = unit_choices(unit)


class DecisionForm(StaleCheckForm, StyledForm):
    number = forms.CharField(
        label=_("Number and symbol"),
        max_length=64,
        required=False,
        help_text=_("e.g. 2967/QĐ-UBND; may be left empty until known (flagged as incomplete)."),
    )
    date = forms.DateField(label=_("Date of issue"), help_text=_("dd/mm/yyyy"))
    signer = forms.CharField(label=_("Signer"), max_length=255, required=False)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=255, required=False)
    issuing_unit = UnitChoiceField(
        label=_("Issuing unit"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        # A unit's committee is constituted by the unit's head or by a superior.
        self.fields["issuing_unit"].queryset = OrgUnit.objects.filter(
            pk__in=[*unit.ancestor_ids(), unit.pk]
        ).exclude(parent=None)
        self.fields["issuing_unit"].initial = unit.pk


class DecisionFileForm(StyledForm):
    file = forms.FileField(label=_("Scanned decision (PDF or image)"), required=False)


class MemberForm(StyledForm):
    """One row of the member list; a blank row is ignored."""

    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    title = forms.CharField(label=_("Position"), max_length=255, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    workplace = UnitChoiceField(
        label=_("Workplace"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    represented_unit = UnitChoiceField(
        label=_("Represents"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    represented_text = forms.CharField(
        label=_("Represents (as written)"),
        max_length=255,
        required=False,
        help_text=_("When the unit is not in the list, e.g. “Vụ Tổ chức cán bộ”."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    term_end = forms.DateField(label=_("Term ends"), required=False)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    # A row saying any of these is a member (a member may be known by role and unit alone).
    SAYS_SOMEONE = ("person_id", "full_name", "represented_unit", "represented_text", "title")

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["represented_unit"].queryset = unit_choices(unit)
        self.fields["workplace"].queryset = unit_choices(unit)

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in self.SAYS_SOMEONE)

    def clean(self):
        data = super().clean()
        if data.get("remove") or self.is_blank:
            return data
        # The rest (a name or the unit represented, the sex of a named member) is the service's.
        if not data.get("role"):
            self.add_error("role", _("This field is required."))
        return data


MemberFormSet = forms.formset_factory(MemberForm, extra=2)


class MemberEditForm(StaleCheckForm, StyledForm):
    """A current member's details, completed or corrected without a new decision."""

    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", _("not known")), *Sex.choices], required=False
    )
    title = forms.CharField(label=_("Position"), max_length=255, required=False)
    unit = UnitChoiceField(
        label=_("Workplace"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    represented_unit = UnitChoiceField(
        label=_("Represents"), queryset=OrgUnit.objects.none(), required=False, empty_label="—"
    )
    represented_text = forms.CharField(
        label=_("Represents (as written)"), max_length=255, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    term_end = forms.DateField(label=_("Term ends"), required=False)

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["represented_unit"].queryset = unit_choices(unit)
        self.fields["unit"].queryset = unit_choices(unit)


class CompleteDecisionForm(StaleCheckForm, StyledForm):
    """A decision's number (and signer) entered once known."""

    number = forms.CharField(
        label=_("Number and symbol"), max_length=64, help_text=_("e.g. 2967/QĐ-UBND")
    )
    signer = forms.CharField(label=_("Signer"), max_length=255, required=False)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=255, required=False)


class ImportForm(StyledForm):
    file = forms.FileField(label=_("Excel file (.xlsx) made from the template"))


class HistoryDateForm(StyledForm):
    on = forms.DateField(label=_("Members on"), required=False)


def person_from_row(data: dict, existing: dict[int, Person]) -> Person:
    """The person a form row stands for: the current member it names, updated, or a new one."""
    person = existing.get(data.get("person_id") or 0) or Person()
    for name in ("full_name", "sex", "title", "phone", "email"):
        setattr(person, name, data.get(name) or "")
    # A workplace outside this committee's choices is not shown on the form: keep it.
    if data.get("workplace") or person.pk is None:
        person.unit = data.get("workplace")
    return person
