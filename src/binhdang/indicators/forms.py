from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from binhdang.core.forms import StyledForm

from .models import Comparator, Dimension, Direction, Measure


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


YES_NO = [("", "—"), ("1", _("Yes")), ("0", _("No"))]
FIELD_LABELS = {
    "answer": _("Yes / no"),
    "value": _("Figure"),
    "numerator": _("Numerator"),
    "denominator": _("Denominator"),
    "note": _("Note"),
    "source": _("Source"),
}


class YearForm(StyledForm):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, choices=[(y, y) for y in range(2021, 2031)]
    )


class DataEntryForm(StyledForm):
    """One line per indicator; the fields follow the indicator's measure. Blank lines are skipped.

    Numbers are read as text and checked by the service, so that a bad cell gets the service's
    Vietnamese message naming it.
    """

    def __init__(self, *args, indicators, yes_no: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for indicator in indicators:
            names = []
            if indicator.pk in yes_no:
                names.append(("answer", forms.ChoiceField(choices=YES_NO, required=False)))
            elif indicator.measure == Measure.COUNT:
                names.append(("value", forms.CharField(required=False, max_length=32)))
            else:
                names.append(("numerator", forms.CharField(required=False, max_length=32)))
                names.append(("denominator", forms.CharField(required=False, max_length=32)))
            figure_names = [name for name, _field in names]
            names.append(("note", forms.CharField(required=False, max_length=2000)))
            names.append(("source", forms.CharField(required=False, max_length=255)))
            keys = []
            for name, field in names:
                key = f"{indicator.pk}-{name}"
                field.label = FIELD_LABELS[name]
                self.fields[key] = field
                keys.append(key)
            parts = []
            if indicator.pk not in yes_no:
                for category, label in indicator.categories():
                    part_keys = [f"{indicator.pk}-{category}-{name}" for name in figure_names]
                    for key, name in zip(part_keys, figure_names, strict=True):
                        self.fields[key] = forms.CharField(
                            required=False, max_length=32, label=f"{label}: {FIELD_LABELS[name]}"
                        )
                    parts.append((category, label, part_keys))
            # (indicator, figure fields, note field, source field, breakdown lines)
            self.lines.append((indicator, keys[:-2], keys[-2], keys[-1], parts))
        self._style_fields()

    def entries(self) -> dict:
        """The filled lines as keyword arguments of services.record_value, by indicator."""
        result = {}
        for indicator, *_keys, parts in self.lines:
            data = {
                name: self.cleaned_data.get(f"{indicator.pk}-{name}", "")
                for name in ("numerator", "denominator", "value", "answer", "note", "source")
            }
            breakdown = {}
            for category, _label, keys in parts:
                values = {key.rsplit("-", 1)[1]: self.cleaned_data.get(key, "") for key in keys}
                if any(values.values()):
                    breakdown[category] = {k: v for k, v in values.items() if v}
                    breakdown[category].update(note=data["note"], source=data["source"])
            if not any(data[name] for name in ("numerator", "denominator", "value", "answer")):
                if breakdown:
                    result[indicator] = {"parts": breakdown}
                continue
            answer = data.pop("answer")
            if answer:
                if indicator.measure != Measure.MILESTONE:
                    data.update(numerator=answer, denominator="1")
                else:
                    data["value"] = answer
            result[indicator] = {k: v for k, v in data.items() if v not in ("", None)}
            if breakdown:
                result[indicator]["parts"] = breakdown
        return result


class DataFileForm(StyledForm):
    file = forms.FileField(label=_("DHIS2 data value set (.json or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".json", ".csv")):
            raise forms.ValidationError(_("Choose a .json or .csv file."))
        if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %d MB.") % settings.IMPORT_MAX_MB
            )
        return upload


class ImportFileForm(StyledForm):
    file = forms.FileField(label=_("Excel file (.xlsx) made from the template"))


class LocalIndicatorForm(StyledForm):
    """A province's or ministry's own indicator."""

    number = forms.CharField(label=_("Number"), max_length=16, help_text=_("e.g. ĐP1"))
    name_vi = forms.CharField(
        label=_("Wording (Vietnamese)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    name_en = forms.CharField(
        label=_("Wording (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    multiplier = forms.DecimalField(
        label=_("Multiplier"),
        required=False,
        min_value=1,
        max_digits=12,
        decimal_places=0,
        help_text=_("For a rate, e.g. 1000 for “per 1,000”; a share is always ×100."),
    )
    unit_label_vi = forms.CharField(label=_("Unit of measure"), max_length=64, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    dimensions = forms.MultipleChoiceField(
        label=_("Broken down by"),
        choices=Dimension.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    source = forms.CharField(label=_("Source (plan, decision)"), max_length=500, required=False)
