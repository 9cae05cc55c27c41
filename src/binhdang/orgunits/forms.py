from django import forms
from django.utils.translation import gettext_lazy as _

from binhdang.core.forms import StyledForm


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

    def __init__(self, *args, suggestions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested"].choices = [(name, name) for name in suggestions]

    def names(self) -> list[str]:
        return [*self.cleaned_data["suggested"], *self.cleaned_data["others"].splitlines()]


class DepartmentForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=255)
    short_name = forms.CharField(label=_("Short name"), max_length=64, required=False)
