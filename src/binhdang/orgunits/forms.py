from django import forms
from django.utils.translation import gettext_lazy as _

from binhdang.core.forms import StyledForm

from .models import OrgUnit


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picker: each unit by its label (period of a former unit, parent of a department)."""

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset.select_related("parent") if queryset is not None else None)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, obj: OrgUnit) -> str:
        return obj.picker_label


class UnitMultipleChoiceField(UnitChoiceField, forms.ModelMultipleChoiceField):
    """Several units, each by its label."""


def unit_choices_of(units) -> list[tuple[int, str]]:
    """(pk, label) pairs for a picker whose choices are set by hand."""
    return [(u.pk, u.picker_label) for u in units]


class AddDepartmentsForm(StyledForm):
    """Tick suggested departments and/or type others, one per line."""

    suggested = forms.MultipleChoiceField(
        label=_("Suggested departments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    others = forms.CharField(
        label=_("Other departments (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )

    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        help_text=_("dd/mm/yyyy; empty: today, or unknown under a former unit."),
    )
    valid_to = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("dd/mm/yyyy; empty: still in force, or until the former unit ended."),
    )

    def __init__(self, *args, suggestions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested"].choices = [(name, name) for name in suggestions]

    def names(self) -> list[str]:
        return [*self.cleaned_data["suggested"], *self.cleaned_data["others"].splitlines()]

    def period(self) -> dict:
        """The validity typed, in `services.add_departments`' terms."""
        return {
            "valid_from": self.cleaned_data["valid_from"],
            "valid_to": self.cleaned_data["valid_to"],
        }


class DepartmentForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=64, required=False)
