"""The one writer of an indicator's figure for people: pages, the outlook, Word and Excel.

A figure is rounded half up, once, here (`core.numbers.write_number`): shares and quotients to one
decimal (84,2%; 112,2), counts to whole numbers, yes/no milestones as "Có"/"Không" or "k/n" when
several units answered. Where the rounded digits would contradict the verdict (1,704 against
"≤ 1,7" is not met, but "1,7" reads as met), more decimals are shown until the digits agree with
it: a page must never say "1,7 · ≤ 1,7 · Chưa đạt".

`public_text` is the one filter between the catalogue's research notes and what a user reads.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from binhdang.core.numbers import round_half_up, write_number

from .evaluation import evaluate
from .models import Measure

# Decimals a figure is written with, by measure (milestones are yes/no, or k/n units).
DIGITS = {Measure.SHARE: 1, Measure.RATIO: 1, Measure.RATE: 1, Measure.COUNT: 0}
# How many decimals may be added so that the digits agree with the verdict; past that (a value
# a hair's breadth from its target), the exact value is written.
MAX_DIGITS = 12
DASH = "—"


def number(value, digits: int | None = 1, *, trim: bool = False) -> str:
    """A plain number in the active language, rounded half up: 1.234,6; "—" for None."""
    if value is None:
        return DASH
    return write_number(value, digits, trim=trim)


def percent(value, digits: int = 1) -> str:
    """84.25 -> "84,3%" (rounded half up); "—" for None."""
    if value is None:
        return DASH
    return f"{write_number(value, digits)}%"


def _judged(value: Decimal, indicator, target):
    return evaluate(value, target.value, target.comparator, indicator.direction)


def digits_for(value, indicator, target=None) -> int | None:
    """How many decimals `value` is written with for `indicator`: the measure's usual number,
    or more where fewer would contradict the verdict against `target`; None: every decimal."""
    base = DIGITS.get(indicator.measure, 1)
    if value is None or target is None or getattr(target, "value", None) is None:
        return base
    value = Decimal(value)
    verdict = _judged(value, indicator, target)
    for digits in range(base, MAX_DIGITS + 1):
        if _judged(round_half_up(value, digits), indicator, target) == verdict:
            return digits
    return None


def value_text(value, indicator, target=None) -> str:
    """A single value of the indicator (a unit's figure, a year's point of a trend) as written
    for people: "84,2%", "112,2", "1.234", "Có"; "—" for None."""
    if value is None:
        return DASH
    if indicator.measure == Measure.MILESTONE:
        return _("Yes") if value else _("No")
    digits = digits_for(value, indicator, target)
    text = write_number(value, digits, trim=digits is None)
    return f"{text}%" if indicator.measure == Measure.SHARE else text


def fraction_text(figure) -> str:
    """ "105/173": the summed numerator and denominator of a figure; "" when it has none."""
    if figure is None or figure.numerator is None or figure.denominator is None:
        return ""
    return (
        f"{write_number(figure.numerator, trim=True)}/{write_number(figure.denominator, trim=True)}"
    )


def figure_text(figure, indicator, target=None) -> str:
    """A rolled-up figure in the indicator's own form, its digits agreeing with its verdict
    against `target`; a dash when there is none. Several units' yes/no answers read "k/n"."""
    if figure is None or figure.value is None:
        return DASH
    if indicator.measure == Measure.MILESTONE and figure.denominator:
        return fraction_text(figure)
    return value_text(figure.value, indicator, target)


def excel_format(digits: int | None) -> str:
    """The Excel number format showing the same digits as `value_text`: "#,##0.0"."""
    if digits is None:
        return "General"
    return "#,##0" + ("." + "0" * digits if digits else "")


# --- Public text ------------------------------------------------------------------------------

# Research notes kept in the catalogue's data file for its maintainers; never shown to a user.
INTERNAL_MARKERS = (
    "CHƯA XÁC NHẬN",
    "UNCONFIRMED",
    "chưa thấy nguyên văn",
    "chưa kiểm chứng",
    "Confidence:",
    "github.com",
    "tai_lieu_noi_bo",
    "research notes",
)
# A bracketed remark inside a wording is a maintainer's note: "… năm 2030. [Vế 2030 …]".
_BRACKETED = re.compile(r"\s*\[[^\]]*\]")


def public_text(text: str) -> str:
    """`text` without the maintainers' bracketed notes; "" if what is left is still a note."""
    cleaned = _BRACKETED.sub("", text or "").strip()
    return "" if not is_public(cleaned) else cleaned


def is_public(text: str) -> bool:
    """Whether `text` carries none of the catalogue's internal markers."""
    folded = (text or "").casefold()
    return not any(marker.casefold() in folded for marker in INTERNAL_MARKERS)
