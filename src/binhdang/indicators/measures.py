"""The one home of the measure type's rules: which measures are quotients, the bounds of a
figure, how a line of the entry form becomes stored figures and how stored figures become the
form's values again, and how a yes/no answer is kept.

A quotient (share, ratio, rate) keeps its numerator and denominator and derives its value; a
count keeps a whole value; a milestone keeps 1 (yes) or 0 (no). A unit that answers yes or no
for a quotient (a commune's part of target 1.1) stores 1/1 or 0/1, so that the answers add up
into "k of n units"; for a milestone or a count it stores the value 1 or 0.
"""

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from binhdang.core.forms import decimals
from binhdang.core.numbers import write_number

from .models import Measure

QUOTIENTS = (Measure.SHARE, Measure.RATIO, Measure.RATE)

# An entered figure (numerator, denominator, count) stays below 10^11 with at most 4 decimals:
# the columns hold 18 digits with 4 decimals, and no unit of Vietnam counts more than that.
FIGURE_LIMIT = Decimal(10) ** 11
PLACES = 4
# A quotient's derived value (numerator / denominator × multiplier) must fit its column too.
VALUE_LIMIT = Decimal(10) ** 13
STORED = Decimal(1).scaleb(-PLACES)  # 0.0001: what the figures' columns keep

YES, NO = "1", "0"
FIGURES = ("numerator", "denominator", "value")


def is_quotient(indicator) -> bool:
    """Whether the indicator's figure is a numerator over a denominator."""
    return indicator.measure in QUOTIENTS


def figure_names(indicator, yes_no: bool) -> tuple[str, ...]:
    """The entry form's figure fields of a line: an answer, a value, or both parts of a quotient."""
    if yes_no:
        return ("answer",)
    return ("numerator", "denominator") if is_quotient(indicator) else ("value",)


class Stored(NamedTuple):
    """A line's figures as stored (or as they would be), compared by value: 1250 = 1250.0000."""

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    note: str = ""
    source: str = ""

    @classmethod
    def of(cls, row) -> "Stored | None":
        """The stored figures of a DataValue row (None for no row)."""
        if row is None:
            return None
        return cls(row.numerator, row.denominator, row.value, row.note or "", row.source or "")

    def to_text(self) -> str:
        """A language-neutral text of the figures, for the form's hidden field."""
        return json.dumps(
            [None if n is None else f"{Decimal(n).normalize():f}" for n in self[:3]]
            + [self.note, self.source],
            ensure_ascii=False,
        )

    @classmethod
    def from_text(cls, text: str) -> "Stored | None":
        """Figures read back from `to_text`; None for "" (no row) or unreadable text."""
        try:
            *numbers, note, source = json.loads(text)
            return cls(*(None if n is None else Decimal(n) for n in numbers), note, source)
        except (ValueError, TypeError, ArithmeticError):
            return None

    def figures(self) -> tuple:
        return tuple(None if n is None else Decimal(n) for n in self[:3])


def same(first: "Stored | None", second: "Stored | None", *, with_texts: bool = True) -> bool:
    """Whether two lines hold the same figures (and the same note and source)."""
    if first is None or second is None:
        return first is second
    if first.figures() != second.figures():
        return False
    return not with_texts or (first.note.strip(), first.source.strip()) == (
        second.note.strip(),
        second.source.strip(),
    )


def check_figure(number: Decimal | None, field: str, *, whole: bool = False) -> None:
    """Refuse a figure no column or reader could hold: negative, too large, too precise."""
    if number is None:
        return
    if not number.is_finite():
        raise ValidationError({field: _("“%s” is not a number.") % number})
    if number < 0:
        raise ValidationError({field: _("A figure cannot be negative.")})
    if number >= FIGURE_LIMIT:
        raise ValidationError(
            {field: _("A figure must be below %(limit)s.") % {"limit": write_number(FIGURE_LIMIT)}}
        )
    if whole and decimals(number):
        raise ValidationError({field: _("A count is a whole number.")})
    if decimals(number) > PLACES:
        raise ValidationError({field: _("Write at most %(places)d decimals.") % {"places": PLACES}})


def clean_figures(indicator, numerator, denominator, value) -> tuple:
    """The measure's rules on bounded figures: (numerator, denominator, value) as stored, or
    the refusal naming the field."""
    if is_quotient(indicator):
        if numerator is None or denominator is None:
            raise ValidationError(_("Enter both the numerator and the denominator."))
        if denominator == 0:
            raise ValidationError({"denominator": _("The denominator cannot be zero.")})
        if indicator.measure == Measure.SHARE and numerator > denominator:
            raise ValidationError(
                {"numerator": _("The numerator cannot be greater than the denominator.")}
            )
        # Rounded as PostgreSQL's column rounds it (half away from zero): SQLite would keep
        # the 14 digits Django sends, and the sub-units' sums would then differ from the sum
        # of the values in the 4th decimal.
        value = (numerator / denominator * indicator.multiplier).quantize(STORED, ROUND_HALF_UP)
        if value >= VALUE_LIMIT:
            raise ValidationError(
                {"denominator": _("The denominator is too small for this numerator.")}
            )
        return numerator, denominator, value
    if indicator.measure == Measure.MILESTONE:
        if value not in (0, 1):
            raise ValidationError({"value": _("Answer yes (1) or no (0).")})
        return None, None, value
    if value is None:
        raise ValidationError({"value": _("Enter the figure.")})
    if decimals(value):
        raise ValidationError({"value": _("A count is a whole number.")})
    return None, None, value


def answer(indicator, stored: Stored | None) -> str:
    """A stored yes/no answer as the form's choice: YES, NO, or "" for none."""
    if stored is None:
        return ""
    figure = stored.numerator if is_quotient(indicator) else stored.value
    if figure is None:
        return ""
    return YES if figure else NO


def from_line(indicator, yes_no: bool, typed: dict) -> dict:
    """A line of the entry form (figure names to what was typed, already read as numbers or
    an answer) as `record_value`'s figures."""
    if yes_no:
        choice = typed.get("answer", "")
        if choice not in (YES, NO):
            return {}
        if is_quotient(indicator):
            return {"numerator": Decimal(choice), "denominator": Decimal(1)}
        return {"value": Decimal(choice)}
    return {name: typed.get(name) for name in figure_names(indicator, False)}


def to_line(indicator, yes_no: bool, stored: Stored | None) -> dict:
    """Stored figures as the entry form's values of the line (figure names only)."""
    if yes_no:
        return {"answer": answer(indicator, stored)}
    return {
        name: None if stored is None else getattr(stored, name)
        for name in figure_names(indicator, False)
    }


def describe(indicator, yes_no: bool, stored: Stored | None) -> str:
    """Stored figures as the officer reads them: "1.250/2.400", "Có", "12"; "—" for none."""
    if stored is None:
        return "—"
    if yes_no or indicator.measure == Measure.MILESTONE:
        return {YES: _("Yes"), NO: _("No")}.get(answer(indicator, stored), "—")
    if is_quotient(indicator):
        if stored.numerator is None or stored.denominator is None:
            return "—"
        return f"{write_number(stored.numerator)}/{write_number(stored.denominator)}"
    return write_number(stored.value) or "—"
