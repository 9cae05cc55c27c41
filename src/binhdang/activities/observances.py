"""The year's observances (ngày kỷ niệm, tháng hành động) from the versioned data file.

`data/observances.json` lists each observance with its day or period (MM-DD, end inclusive) and
the public sources it was taken from; it is read once per process.
"""

import datetime
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from binhdang.core.text import in_language

DATA_FILE = Path(__file__).parent / "data" / "observances.json"


@dataclass(frozen=True)
class Observance:
    """An observance as the data file describes it, for any year."""

    id: str
    name_vi: str
    name_en: str
    start: tuple[int, int]  # (month, day)
    end: tuple[int, int] | None
    sources: tuple[str, ...]
    note: str = ""

    @property
    def name(self) -> str:
        return in_language(self.name_vi, self.name_en)


@dataclass(frozen=True)
class Occurrence:
    """An observance in a given year."""

    observance: Observance
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def name(self) -> str:
        return self.observance.name

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def uid(self) -> str:
        return f"observance-{self.observance.id}-{self.start.year}"

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(part) for part in text.split("-"))
    datetime.date(2024, month, day)  # a leap year: refuses 31-02 and the like
    return month, day


@functools.cache
def catalogue() -> tuple[str, tuple[Observance, ...]]:
    """The data file's version and its observances."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    items = tuple(
        Observance(
            id=item["id"],
            name_vi=item["name_vi"],
            name_en=item.get("name_en", ""),
            start=_month_day(item["start"]),
            end=_month_day(item["end"]) if item.get("end") else None,
            sources=tuple(item["sources"]),
            note=item.get("note", ""),
        )
        for item in data["observances"]
    )
    return data["version"], items


def _date(year: int, month_day: tuple[int, int]) -> datetime.date:
    month, day = month_day
    if (month, day) == (2, 29):
        # 29 February falls on the 28th in common years.
        day = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return datetime.date(year, month, day)


def between(start: datetime.date, end: datetime.date) -> list[Occurrence]:
    """Occurrences that touch [start, end], in date order."""
    found = []
    for year in range(start.year - 1, end.year + 1):
        for observance in catalogue()[1]:
            first = _date(year, observance.start)
            last = _date(year, observance.end) if observance.end else first
            if last < first:  # a period running into the next year
                last = _date(year + 1, observance.end)
            if first <= end and last >= start:
                found.append(Occurrence(observance, first, last))
    return sorted(found, key=lambda o: (o.start, -o.days, o.observance.id))
