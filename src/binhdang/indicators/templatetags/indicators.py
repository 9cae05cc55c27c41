"""Showing figures as the reviews write them (84,2%; 112,2; 1.234; 3/5), through
`indicators.display`, the one writer of a figure for people."""

from django import template

from .. import display
from ..rollup import RollUp

register = template.Library()


@register.simple_tag
def fraction(rollup: RollUp | None) -> str:
    """ "105/173" for a quotient made of several entries."""
    return display.fraction_text(rollup)


@register.simple_tag
def figure(rollup: RollUp | None, indicator, target=None) -> str:
    """A rolled-up figure in the indicator's own form (its digits agreeing with its verdict
    against `target`), or a dash when there is none."""
    return display.figure_text(rollup, indicator, target)


@register.simple_tag
def value(number, indicator, target=None) -> str:
    """A single value of the indicator (e.g. a trend's last point), as `figure` writes it."""
    return display.value_text(number, indicator, target)


@register.simple_tag
def decimal(number, digits: int = 1) -> str:
    """A plain number rounded half up: a projection's interval "26,4"."""
    return display.number(number, digits)
