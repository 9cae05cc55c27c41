from django import forms
from django.utils.translation import gettext_lazy as _

from binhdang.core.forms import StyledForm

from .models import Comparator


class TargetForm(StyledForm):
    comparator = forms.ChoiceField(
        label=_("Comparator"), choices=[("", "—"), *Comparator.choices], required=False
    )
    value = forms.DecimalField(
        label=_("Target value"),
        required=False,
        max_digits=14,
        decimal_places=4,
        help_text=_("Leave empty while no source confirms it: it is shown as unknown."),
    )
    source = forms.CharField(
        label=_("Source"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
