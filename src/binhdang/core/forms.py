"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the named fields (outlined), else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            named = field in form.fields
            form.add_error(field if named else None, errors)
            if named:
                _mark_invalid(form.fields[field].widget)
    else:
        form.add_error(None, error)


def _mark_invalid(widget) -> None:
    if "is-invalid" not in widget.attrs.get("class", ""):
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes, and mark their errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()

    def _style_fields(self) -> None:
        """Give every widget its Bootstrap class (call again after adding fields)."""
        for field in self.fields.values():
            widget = field.widget
            # RadioSelect covers CheckboxSelectMultiple, its subclass.
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                _mark_invalid(self.fields[name].widget)
