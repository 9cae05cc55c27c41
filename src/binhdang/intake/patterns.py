"""Dates, numbers and sentences as Vietnamese news portals write them, read by rules.

Every pattern runs on `folded(text)`: the text lower-cased and without diacritics, character for
character, so that an offset in the folded text is the same offset in the original and a report
typed without diacritics ("ngay 3/8") reads as one with them.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError

from binhdang.core.numbers import read_number


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) != 1:
        return char
    if lower == "đ":
        return "d"
    return unicodedata.normalize("NFD", lower)[0]


def folded(text: str) -> str:
    """The text lower-cased and without diacritics, the same length: "Sáng 15-3" -> "sang 15-3"."""
    return "".join(_fold_char(char) for char in text)


def number(text: str) -> Decimal | None:
    """A figure as written in Vietnamese ("1.234", "84,2"), through the one number reader."""
    try:
        return read_number(text.strip(), language="vi")
    except ValidationError:
        return None


def whole_number(text: str) -> int | None:
    """A count as written ("02", "1.200"); None when it is not a whole number."""
    value = number(text)
    return int(value) if value is not None and value == int(value) else None


@dataclass(frozen=True)
class Span:
    """A date or a range of dates found in a text, with where it was written."""

    first: datetime.date
    last: datetime.date
    start: int
    end: int
    year_inferred: bool  # the year was not written: it came from the publication date


# Days an article may announce ahead: a year-less date later than this after publication
# belongs to the year before ("ngày 28/12" in a report published on 05/01).
AHEAD = datetime.timedelta(days=60)

_D = r"(\d{1,2})"
_Y = r"((?:19|20)\d{2})"
_NOT_BEFORE = r"(?<![\d/.,-])"
_NOT_AFTER = r"(?![\d]|[/.-]\d)"
# Words before a year-less "d/m" that make it a date and not a fraction ("2/3 số xã").
_CONTEXT = r"\b(?:ngay|sang|chieu|toi|trua|dem|hom|tu|den|vao|nay|qua)(?:\s+|\s*\(\s*)$"
_RANGE_SEP = r"\s*(?:-|–|—|den(?:\s+het)?|toi|va)\s*(?:ngay\s+)?"

# "20/10/2021 đến 22/10/2021", "20/10 đến ngày 22/10/2021", "30/9 - 2/10/2021".
_TWO_DATES = re.compile(
    _NOT_BEFORE
    + _D
    + r"\s*([/.-])\s*"
    + _D
    + r"(?:\s*\2\s*"
    + _Y
    + r")?"
    + _RANGE_SEP
    + _D
    + r"\s*([/.-])\s*"
    + _D
    + r"(?:\s*\6\s*"
    + _Y
    + r")?"
    + _NOT_AFTER
)
# "21-22/5/2023", "21 và 22/5", "21, 22/5/2023", "21 đến 23-5-2023".
_DAY_RANGE = re.compile(
    _NOT_BEFORE
    + _D
    + r"(?:\s*,\s*(?:ngay\s+)?|"
    + _RANGE_SEP
    + ")"
    + _D
    + r"\s*([/.-])\s*"
    + _D
    + r"(?:\s*\3\s*"
    + _Y
    + r")?"
    + _NOT_AFTER
)
# "05/01/2012", "15-3", "3.8.2020".
_ONE_DATE = re.compile(
    _NOT_BEFORE + _D + r"\s*([/.-])\s*" + _D + r"(?:\s*\2\s*" + _Y + r")?" + _NOT_AFTER
)
# "ngày 20 tháng 10 năm 2021", "ngày 20 tháng 10".
_WORDS_DATE = re.compile(r"ngay\s+" + _D + r"\s+thang\s+" + _D + r"(?:\s*(?:nam|,)\s*" + _Y + ")?")


def _date(year: int | None, month: int, day: int) -> datetime.date | None:
    if year is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _year_for(month: int, day: int, published: datetime.date | None) -> int | None:
    if published is None:
        return None
    for year in (published.year, published.year - 1):
        try:
            if datetime.date(year, month, day) <= published + AHEAD:
                return year
        except ValueError:
            continue
    return None


def _has_context(text: str, start: int) -> bool:
    return re.search(_CONTEXT, text[max(0, start - 20) : start]) is not None


def _span(first, last, start, end, inferred) -> Span | None:
    if first is None or last is None or last < first:
        return None
    return Span(first, last, start, end, inferred)


def find_dates(text: str, published: datetime.date | None = None) -> list[Span]:
    """Every date and range of dates in `text`, in order; impossible dates (31/2) are skipped.

    A date without a year takes the publication date's year (or the year before, when the date
    would otherwise fall long after publication); with no publication date it is left out.
    A year-less "d/m" counts only after a word that makes it a date ("ngày", "sáng", "từ"...).
    """
    text = folded(text)
    found: list[Span] = []
    taken: list[tuple[int, int]] = []

    def free(match: re.Match) -> bool:
        return not any(a < match.end() and match.start() < b for a, b in taken)

    def add(span: Span | None, match: re.Match) -> None:
        taken.append((match.start(), match.end()))
        if span is not None:
            found.append(span)

    for match in _TWO_DATES.finditer(text):
        d1, _s1, m1, y1, d2, _s2, m2, y2 = match.groups()
        if not y2 and not _has_context(text, match.start()):
            continue
        inferred = not y2
        year2 = int(y2) if y2 else _year_for(int(m2), int(d2), published)
        year1 = int(y1) if y1 else (year2 - 1 if year2 and int(m1) > int(m2) else year2)
        first, last = _date(year1, int(m1), int(d1)), _date(year2, int(m2), int(d2))
        add(_span(first, last, match.start(), match.end(), inferred), match)
    for match in _DAY_RANGE.finditer(text):
        if not free(match):
            continue
        d1, d2, _sep, month, year = match.groups()
        if not year and not _has_context(text, match.start()):
            continue
        chosen = int(year) if year else _year_for(int(month), int(d2), published)
        first, last = _date(chosen, int(month), int(d1)), _date(chosen, int(month), int(d2))
        add(_span(first, last, match.start(), match.end(), not year), match)
    for pattern in (_WORDS_DATE, _ONE_DATE):
        for match in pattern.finditer(text):
            if not free(match):
                continue
            groups = match.groups()
            day, month, year = groups[0], groups[-2], groups[-1]
            if not year and pattern is _ONE_DATE and not _has_context(text, match.start()):
                continue
            chosen = int(year) if year else _year_for(int(month), int(day), published)
            day_date = _date(chosen, int(month), int(day))
            add(_span(day_date, day_date, match.start(), match.end(), not year), match)
    return sorted(found, key=lambda span: span.start)


@dataclass(frozen=True)
class Sentence:
    """A sentence of the text and where it stands in it."""

    text: str
    start: int
    end: int


_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+(?=[\"“(]?[A-ZĐÀ-Ỹ0-9-])|\n+")
# "TP. Quảng Ngãi", "Th.S Nguyễn…": a full stop after these is no sentence end.
_NOT_ENDS = ("tp.", "th.s.", "ts.", "ths.", "pgs.", "gs.", "bs.", "ks.", "q.", "p.", "tx.", "tt.")


def sentences(text: str) -> list[Sentence]:
    """The text cut into sentences (and paragraphs), with their offsets.

    Rules rather than underthesea's sent_tokenize: it returns strings, not offsets, and the
    offsets are what the page highlights; the cases it handles beyond these rules (abbreviations
    such as "TP.") are listed in _NOT_ENDS.
    """
    result: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[start : match.start()]
        if match.group().strip() == "" and "\n" not in match.group():
            last_word = folded(piece.rsplit(None, 1)[-1]) if piece.split() else ""
            if last_word in _NOT_ENDS:
                continue
        _add_sentence(result, text, start, match.start())
        start = match.end()
    _add_sentence(result, text, start, len(text))
    return result


def _add_sentence(result: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        result.append(Sentence(text[start:end], start, end))


def has_yearless_date(text: str) -> bool:
    """Whether the text writes a date without its year ("Chiều ngày 3/8")."""
    return any(span.year_inferred for span in find_dates(text, datetime.date(2000, 7, 1)))


_YEAR_WORD = re.compile(r"\bnam\s+((?:19|20)\d{2})\b")


def year_written(text: str) -> int | None:
    """The year a sentence names ("năm 2023", "Năm 2022,"), if any."""
    match = _YEAR_WORD.search(folded(text))
    return int(match.group(1)) if match else None
