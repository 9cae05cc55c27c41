"""Reading a deadline as officers write it: "10/04/2024", or "10/2024" for "before month"."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import last_day_of_month

_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MONTH = re.compile(r"^(?:(?:trước|truoc)\s+(?:tháng|thang)\s+)?(\d{1,2})[/.-](\d{4})$", re.I)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_deadline(text: str, field: str = "deadline") -> tuple[datetime.date, bool]:
    """(date, is_month) from "dd/mm/yyyy" or "mm/yyyy"; a month deadline is its last day.

    Raises ValidationError({field: ...}) in Vietnamese for anything else, e.g. "13/2024".
    """
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({field: _("Enter a deadline.")})
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _date(year, month, day, field), False
    if match := _DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
        return _date(year, month, day, field), False
    if match := _MONTH.match(text):
        month, year = (int(part) for part in match.groups())
        if not 1 <= month <= 12:
            raise ValidationError(
                {
                    field: _("Month %(month)d does not exist: write a month from 1 to 12.")
                    % {"month": month}
                }
            )
        _check_year(year, field)
        return last_day_of_month(year, month), True
    raise ValidationError(
        {field: _("Write the deadline as dd/mm/yyyy, or mm/yyyy for “before month”.")}
    )


def _check_year(year: int, field: str) -> None:
    if not 2000 <= year <= 2100:
        raise ValidationError({field: _("The year must be between 2000 and 2100.")})


def _date(year: int, month: int, day: int, field: str) -> datetime.date:
    if not 1 <= month <= 12:
        raise ValidationError(
            {
                field: _("Month %(month)d does not exist: write a month from 1 to 12.")
                % {"month": month}
            }
        )
    _check_year(year, field)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            {
                field: _("%(day)02d/%(month)02d/%(year)s is not a date.")
                % {"day": day, "month": month, "year": str(year)}
            }
        ) from None


def format_deadline_input(deadline: datetime.date | None, is_month: bool) -> str:
    """How a stored deadline is shown back in the form's text box."""
    if deadline is None:
        return ""
    if is_month:
        return f"{deadline.month:02d}/{deadline.year}"
    return deadline.strftime("%d/%m/%Y")
