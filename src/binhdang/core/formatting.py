"""Numbers and dates as a Vietnamese official writes them."""

import datetime
from decimal import Decimal

from binhdang.core.numbers import write_number


def percent(value: float | Decimal | None, digits: int = 1) -> str:
    """84.25 -> "84,3%" in Vietnamese: rounded half up, as every other figure (core.numbers)."""
    if value is None:
        return "—"
    return f"{write_number(value, digits)}%"


def document_date(value: datetime.date) -> str:
    """The date line of an administrative document: "ngày 05 tháng 02 năm 2025".

    Decree 30/2020/NĐ-CP, Annex I: days 1–9 and months 1–2 take a leading zero.
    """
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
