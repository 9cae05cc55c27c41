"""Showing figures as the reviews write them: 84,2%; 112,3; 1.234; 3/5."""

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from binhdang.core.formatting import percent

from ..models import Measure
from ..rollup import RollUp

register = template.Library()


@register.simple_tag
def fraction(rollup: RollUp | None) -> str:
    """ "105/173" for a quotient made of several entries."""
    if rollup is None or rollup.denominator is None or rollup.numerator is None:
        return ""
    return (
        f"{formats.number_format(rollup.numerator.normalize(), force_grouping=True)}/"
        f"{formats.number_format(rollup.denominator.normalize(), force_grouping=True)}"
    )


@register.simple_tag
def figure(rollup: RollUp | None, indicator) -> str:
    """A rolled-up figure in the indicator's own form, or a dash when there is none."""
    if rollup is None or rollup.value is None:
        return "—"
    if indicator.measure == Measure.SHARE:
        return percent(rollup.value)
    if indicator.measure == Measure.MILESTONE:
        if rollup.denominator:
            return fraction(rollup)
        return _("Yes") if rollup.value else _("No")
    if indicator.measure == Measure.COUNT:
        return formats.number_format(rollup.value, 0, force_grouping=True)
    return formats.number_format(rollup.value, 1, force_grouping=True)
