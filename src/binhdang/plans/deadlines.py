"""Deadlines as officers write them, and what each one means as a date.

A deadline is stored as the last day on which the work is on time, plus how it was said, so that
the overdue list, the calendar and the reminders use the date while every page shows the words
back. The officers' documents distinguish:

- "10/04/2024": that day;
- "10/2024", "trong tháng 10/2024" (within October): 31/10/2024;
- "trước tháng 10/2024" (before October): 30/09/2024, the last day of the month before;
- "trong quý III/2024" (quarter I–IV, roman or arabic): the quarter's last day, 30/09/2024;
- "6 tháng đầu năm 2024" / "6 tháng cuối năm 2024": 30/06/2024 / 31/12/2024;
- "cuối năm 2024", "trong năm 2024": 31/12/2024.

Text is read without regard to case, spacing or diacritics ("truoc thang 10/2024", "quy 3/2024"),
and the English labels are read too, so a label shown in either language reads back the same.
"""

import calendar
import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhdang.core.text import fold


class DeadlineKind(models.TextChoices):
    """How a deadline was said; the stored date is always the last day that is on time."""

    DAY = "day", gettext_lazy("On a day")
    WITHIN_MONTH = "within_month", gettext_lazy("Within a month")
    BEFORE_MONTH = "before_month", gettext_lazy("Before a month")
    QUARTER = "quarter", gettext_lazy("Within a quarter")
    HALF_YEAR = "half_year", gettext_lazy("Within a half-year")
    END_OF_YEAR = "end_of_year", gettext_lazy("By the end of a year")


ROMAN = ["I", "II", "III", "IV"]

# Read on folded text (lower case, no diacritics, single spaces, none around "/").
_YEAR = r"(?:[/.-]|\s+nam\s+|\s+)(\d{4})"
_DATE = re.compile(r"^(?:ngay\s+)?(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_BEFORE = re.compile(r"^(?:truoc|before)\s+(?:(?:thang|month)\s+)?(\d{1,2})" + _YEAR + "$")
_MONTH = re.compile(
    r"^(?:(?:trong|cuoi|het|within|in|end of)\s+)?(?:(?:thang|month)\s+)?(\d{1,2})" + _YEAR + "$"
)
_QUARTER = re.compile(
    r"^(?:(?:trong|cuoi|het|within|in|end of)\s+)?(?:quy|quarter|q)\s*([a-z]+|\d{1,2})"
    + _YEAR
    + "$"
)
_HALF = re.compile(
    r"^(?:(?:trong|within|in)\s+)?(?:(?:6\s+thang|nua)\s+(dau|cuoi)(?:\s+nam)?"
    r"|(first|second)\s+half(?:\s+of)?)(?:\s*[/.-]\s*|\s+)(\d{4})$"
)
_YEAR_END = re.compile(
    r"^(?:(?:cuoi|trong|het|within|in|end of|by the end of)\s+(?:nam\s+)?|nam\s+)(\d{4})$"
)


def last_day_of_month(year: int, month: int) -> datetime.date:
    """The last day of a month, e.g. 29/02/2024."""
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _normalise(text: str) -> str:
    text = fold(text or "")
    text = re.sub(r"\s*([/.-])\s*", r"\1", text)
    # "hoàn thành trong tháng 10/2024", "hạn: trước tháng 10/2024": the leading verb adds nothing.
    return re.sub(r"^(?:hoan thanh|han chot|han|xong|due)\s*:?\s+", "", text)


def parse_deadline(text: str, field: str = "deadline") -> tuple[datetime.date, str]:
    """(last day on time, DeadlineKind) from a deadline as typed, e.g. "trước tháng 10/2024".

    Raises ValidationError({field: ...}) in Vietnamese for anything else, e.g. "quý V/2024".
    """
    if not (text or "").strip():
        raise ValidationError({field: _("Enter a deadline.")})
    text = _normalise(text)
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _date(year, month, day, field), DeadlineKind.DAY
    if match := _DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
        return _date(year, month, day, field), DeadlineKind.DAY
    if match := _BEFORE.match(text):
        month, year = _month(match, field)
        return datetime.date(year, month, 1) - datetime.timedelta(days=1), DeadlineKind.BEFORE_MONTH
    if match := _MONTH.match(text):
        month, year = _month(match, field)
        return last_day_of_month(year, month), DeadlineKind.WITHIN_MONTH
    if match := _QUARTER.match(text):
        quarter, year = _quarter(match.group(1), field), _year(match.group(2), field)
        return last_day_of_month(year, quarter * 3), DeadlineKind.QUARTER
    if match := _HALF.match(text):
        first = (match.group(1) or match.group(2)) in ("dau", "first")
        year = _year(match.group(3), field)
        return datetime.date(year, 6 if first else 12, 30 if first else 31), DeadlineKind.HALF_YEAR
    if match := _YEAR_END.match(text):
        return datetime.date(_year(match.group(1), field), 12, 31), DeadlineKind.END_OF_YEAR
    raise ValidationError(
        {
            field: _(
                "Write the deadline as dd/mm/yyyy, or in words: “before month 10/2024”, "
                "“within month 10/2024” (or 10/2024), “quarter III/2024”, “first half of 2024”, "
                "“end of 2024”."
            )
        }
    )


def _month(match: re.Match, field: str) -> tuple[int, int]:
    month, year = int(match.group(1)), _year(match.group(2), field)
    _check_month(month, field)
    return month, year


def _quarter(text: str, field: str) -> int:
    if text.isdigit():
        quarter = int(text)
    else:
        quarter = ROMAN.index(text.upper()) + 1 if text.upper() in ROMAN else 0
    if not 1 <= quarter <= 4:
        raise ValidationError(
            {
                field: _(
                    "Quarter %(quarter)s does not exist: write quarter I, II, III or IV "
                    "(or 1 to 4)."
                )
                % {"quarter": text.upper()}
            }
        )
    return quarter


def _check_month(month: int, field: str) -> None:
    if not 1 <= month <= 12:
        raise ValidationError(
            {
                field: _("Month %(month)d does not exist: write a month from 1 to 12.")
                % {"month": month}
            }
        )


def _year(text: str, field: str) -> int:
    year = int(text)
    if not 2000 <= year <= 2100:
        raise ValidationError({field: _("The year must be between 2000 and 2100.")})
    return year


def _date(year: int, month: int, day: int, field: str) -> datetime.date:
    _check_month(month, field)
    _year(str(year), field)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            {
                field: _("%(day)02d/%(month)02d/%(year)s is not a date.")
                % {"day": day, "month": month, "year": str(year)}
            }
        ) from None


def fits(deadline: datetime.date, kind: str) -> bool:
    """Whether a stored date is one the kind can say (a quarter ends on 31/03, 30/06, ...)."""
    month_end = deadline == last_day_of_month(deadline.year, deadline.month)
    return {
        DeadlineKind.DAY: True,
        DeadlineKind.WITHIN_MONTH: month_end,
        DeadlineKind.BEFORE_MONTH: month_end,
        DeadlineKind.QUARTER: month_end and deadline.month % 3 == 0,
        DeadlineKind.HALF_YEAR: month_end and deadline.month in (6, 12),
        DeadlineKind.END_OF_YEAR: (deadline.month, deadline.day) == (12, 31),
    }.get(kind, False)


def deadline_label(deadline: datetime.date | None, kind: str = DeadlineKind.DAY) -> str:
    """The deadline as it was said: "Trước tháng 10/2024" (stored 30/09/2024), "10/04/2024"."""
    if deadline is None:
        return "—"
    year = str(deadline.year)
    if kind == DeadlineKind.BEFORE_MONTH:
        after = deadline + datetime.timedelta(days=1)
        return _("Before month %(month)d/%(year)s") % {
            "month": after.month,
            "year": str(after.year),
        }
    if kind == DeadlineKind.WITHIN_MONTH:
        return _("Within month %(month)d/%(year)s") % {"month": deadline.month, "year": year}
    if kind == DeadlineKind.QUARTER:
        quarter = ROMAN[(deadline.month - 1) // 3]
        return _("Within quarter %(quarter)s/%(year)s") % {"quarter": quarter, "year": year}
    if kind == DeadlineKind.HALF_YEAR:
        if deadline.month <= 6:
            return _("First half of %(year)s") % {"year": year}
        return _("Second half of %(year)s") % {"year": year}
    if kind == DeadlineKind.END_OF_YEAR:
        return _("End of %(year)s") % {"year": year}
    return formats.date_format(deadline, "SHORT_DATE_FORMAT")


def format_deadline_input(deadline: datetime.date | None, kind: str = DeadlineKind.DAY) -> str:
    """How a stored deadline is shown back in the form's text box: as it was said."""
    if deadline is None:
        return ""
    if kind == DeadlineKind.DAY:
        return deadline.strftime("%d/%m/%Y")
    return deadline_label(deadline, kind)
