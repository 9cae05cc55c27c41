"""Form helpers shared by every app."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from .numbers import read_number, write_number


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


# Django's templates of the plain <input> widgets, which `InputRenderer` writes itself.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "hidden", "number", "email", "url", "password", "date")
)


class InputRenderer(DjangoTemplates):
    """Django's form renderer, except that a plain <input> is written in Python, to the byte
    what its template writes (input.html and attrs.html): a form of hundreds of fields (the
    entry form) otherwise spends most of its page rendering those two templates per field."""

    def render(self, template_name, context, request=None):
        if template_name not in INPUT_TEMPLATES:
            return super().render(template_name, context, request)
        widget = context["widget"]
        html = [f'<input type="{conditional_escape(widget["type"])}" ']
        html.append(f'name="{conditional_escape(widget["name"])}"')
        if widget["value"] is not None:
            html.append(f' value="{conditional_escape(str(widget["value"]))}"')
        for name, value in widget["attrs"].items():
            if value is False:
                continue
            html.append(f" {conditional_escape(name)}")
            if value is not True:
                html.append(f'="{conditional_escape(str(value))}"')
        html.append(">")
        return "".join(html)


def _mark_invalid(widget) -> None:
    if "is-invalid" not in widget.attrs.get("class", ""):
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def is_searchable(field: forms.Field) -> bool:
    """Whether a field's picker filters as one types (static/binhdang/pickers.js): a drop-down
    of records (units, people, indicators) or a multiple choice, never tick boxes or radios."""
    widget = field.widget
    if isinstance(widget, forms.RadioSelect) or not isinstance(widget, forms.Select):
        return False
    return isinstance(widget, forms.SelectMultiple) or isinstance(field, forms.ModelChoiceField)


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
            if is_searchable(field):
                widget.attrs["data-searchable"] = ""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                _mark_invalid(self.fields[name].widget)


def decimals(value: Decimal) -> int:
    """How many decimals an exact value really has: 1250.0000 has none, 1,25 has two (read
    from its digits, without a context that could round a long value)."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + zeros))


class NumberField(forms.Field):
    """A number typed the way the active language writes it (1.234.567,5 in Vietnamese), read
    with `core.numbers.read_number` and shown back with `write_number`, never as 1.25E+3.

    Bounded so that nothing accepted can overflow a column: `below` is the magnitude every
    value stays under, `decimal_places` the most decimals kept, `min_value`/`max_value` the
    range the meaning allows (a percentage is 0 to 100). A text input, not `type=number`:
    browsers read "1.250" in their own way.
    """

    widget = forms.TextInput
    default_error_messages = {
        "places": _("Write at most %(places)d decimals."),
        "whole": _("Enter a whole number."),
        "below": _("A figure must be below %(limit)s."),
        "min_value": _("Enter a number of at least %(limit)s."),
        "max_value": _("Enter a number of at most %(limit)s."),
    }

    def __init__(
        self,
        *,
        below=Decimal(10) ** 11,
        decimal_places: int = 4,
        min_value=0,
        max_value=None,
        **kwargs,
    ):
        self.below = Decimal(below)
        self.decimal_places = decimal_places
        self.min_value = None if min_value is None else Decimal(min_value)
        self.max_value = None if max_value is None else Decimal(max_value)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # The phone's decimal keyboard even for whole numbers: Vietnamese writes 45.000.000, and
        # the numeric keypad of some phones has no dot.
        attrs["inputmode"] = "decimal"
        return attrs

    def to_python(self, value) -> Decimal | None:
        if value in self.empty_values:
            return None
        return read_number(value)

    def validate(self, value) -> None:
        super().validate(value)
        if value is None:
            return
        if abs(value) >= self.below:
            raise ValidationError(
                self.error_messages["below"] % {"limit": write_number(self.below)}, code="below"
            )
        if decimals(value) > self.decimal_places:
            if self.decimal_places == 0:
                raise ValidationError(self.error_messages["whole"], code="whole")
            raise ValidationError(
                self.error_messages["places"] % {"places": self.decimal_places}, code="places"
            )
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                self.error_messages["min_value"] % {"limit": write_number(self.min_value)},
                code="min_value",
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                self.error_messages["max_value"] % {"limit": write_number(self.max_value)},
                code="max_value",
            )

    def prepare_value(self, value):
        """Stored numbers as the language writes them; typed text left as it was typed."""
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return write_number(value)
        return value

    def has_changed(self, initial, data) -> bool:
        try:
            typed = self.to_python(data)
        except ValidationError:
            return True
        shown = read_number(initial) if initial not in self.empty_values else None
        return typed != shown


class IntegerNumberField(NumberField):
    """A whole number (a count of people, a cost in đồng) written as the language writes it:
    45.000.000 in Vietnamese. Cleaned to an int."""

    def __init__(self, *, below=Decimal(10) ** 15, **kwargs):
        kwargs.setdefault("decimal_places", 0)
        super().__init__(below=below, **kwargs)

    def clean(self, value) -> int | None:
        number = super().clean(value)
        return None if number is None else int(number)
