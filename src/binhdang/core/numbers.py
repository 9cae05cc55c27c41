"""The one reader and the one writer of numbers for the whole platform.

An officer writes numbers the way the interface language does: in Vietnamese `.` groups thousands
and `,` marks decimals (1.234.567 and 1.234,5); in English the reverse (1,234,567 and 1,234.5).
`read_number` turns what was typed in a form, a spreadsheet cell or a CSV file into an exact
`Decimal`, and refuses text whose reading is ambiguous with a message that shows how to write it.
`write_number` shows a value back in the active language, rounded half up once, never in
scientific notation. Every page, export and document goes through these two functions.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

# Spaces an officer or a spreadsheet may put inside a number: ordinary, no-break, thin.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_DIGITS = re.compile(r"\d+")
# More digits than this before the decimal mark is no figure anyone means (and no column holds).
MAX_DIGITS = 18


def separators(language: str | None = None) -> tuple[str, str]:
    """(thousands separator, decimal mark) of a language: ('.', ',') in Vietnamese."""
    language = language or translation.get_language() or "vi"
    return (",", ".") if language.startswith("en") else (".", ",")


def _example(language: str | None) -> str:
    group, mark = separators(language)
    return f"1{group}234{group}567 {_('or')} 1{group}234{mark}5"


def _refuse(text: str, language: str | None) -> ValidationError:
    return ValidationError(
        _("“%(text)s” cannot be read as a number. Write it as %(example)s.")
        % {"text": text, "example": _example(language)},
        code="number",
    )


def _is_grouped(whole: str, group: str) -> bool:
    """True when `whole` is digits grouped by threes with `group`: 1.234.567."""
    parts = whole.split(group)
    return (
        1 <= len(parts[0]) <= 3
        and all(_DIGITS.fullmatch(p) for p in parts)
        and all(len(p) == 3 for p in parts[1:])
    )


def read_number(value, language: str | None = None) -> Decimal | None:
    """A number typed or read from a file, as an exact Decimal; None for a blank.

    Accepts a plain int, float or Decimal as it is (spreadsheet cells), and text written the
    way `language` writes numbers. Raises ValidationError (code "number") for anything else,
    including text that another convention would read differently, e.g. "1.25" in Vietnamese.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _refuse(str(value), language)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = _SPACES.sub("", str(value))
        if not text:
            return None
        number = _read_text(text, str(value).strip(), language)
    if not number.is_finite() or number.adjusted() >= MAX_DIGITS:
        raise ValidationError(
            _("“%(text)s” is too large to be a figure.") % {"text": str(value).strip()},
            code="too_large",
        )
    return number


def _read_text(text: str, shown: str, language: str | None) -> Decimal:
    group, mark = separators(language)
    sign = ""
    if text[0] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:]
    if text.count(mark) > 1 or not text:
        raise _refuse(shown, language)
    whole, _sep, fraction = text.partition(mark)
    if _sep and not _DIGITS.fullmatch(fraction):
        raise _refuse(shown, language)
    if group in whole:
        if not _is_grouped(whole, group):
            raise _refuse(shown, language)
        whole = whole.replace(group, "")
    if not _DIGITS.fullmatch(whole or ("0" if _sep else "")):
        raise _refuse(shown, language)
    try:
        return Decimal(f"{sign}{whole or '0'}.{fraction or '0'}")
    except InvalidOperation:
        raise _refuse(shown, language) from None


def round_half_up(value: Decimal, digits: int) -> Decimal:
    """`value` rounded half up (away from zero) to `digits` decimals: 112.195 -> 112.20."""
    return Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def write_number(
    value, digits: int | None = None, language: str | None = None, *, trim: bool = False
) -> str:
    """A number as the language writes it: 1.234.567,5 in Vietnamese; "" for None.

    With `digits`, rounded half up to that many decimals (trailing zeros kept unless `trim`);
    without, every significant decimal of the exact value is shown. Never scientific notation.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        number = read_number(value, language)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
    if digits is not None:
        number = round_half_up(number, digits)
    if trim or digits is None:
        number = number.normalize()  # written with :f below, so never as 1.25E+3
    group, mark = separators(language)
    sign = "-" if number < 0 else ""
    whole, _sep, fraction = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", group)
    return f"{sign}{grouped}{mark}{fraction}" if fraction else f"{sign}{grouped}"
