"""One pipeline for every upload (figures, members, activities as Excel; DHIS2 as JSON or CSV).

Each importer declares its columns (`Column`: kind, required, longest text, date range) in a
`Spec`; `read_sheet` streams the upload through the shared checks (size, old .xls, foreign file,
zip bomb, XML entity declarations, IMPORT_MAX_ROWS rows) and cleans every cell the same way:
text limited in length, dates within a plausible range, numbers read with `core.numbers` as
exact Decimals. Problems are collected by row and column in Vietnamese (the file's language),
duplicate keys are refused by row, and the importer adds its own checks to the same `Table`
before `raise_problems` refuses the file whole. `rehearse` runs a save inside a transaction that
is rolled back, so a preview is the save itself: what the preview accepts, the save accepts.
"""

import datetime
import json
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from binhdang.core import dates
from binhdang.core.numbers import read_number
from binhdang.core.spreadsheets import (
    ImportErrors,
    ImportProblem,
    cell_date,
    cell_text,
    file_problem,
    header_key,
    is_empty,
    iter_sheet,
    read_upload,
    too_many_rows,
)

TEXT = "text"  # one line, spaces squashed
LINES = "lines"  # line breaks kept (online sites, links, notes)
INTEGER = "integer"
NUMBER = "number"  # an exact Decimal
DATE = "date"
RAW = "raw"  # handed over as the cell holds it, for the importer to read
IGNORED = "ignored"  # in the template for the officer to read (a unit's name), never read back

# Text columns are limited even where the database is not: a 100,000-character note is a wrong
# file or an attack, not a note. A column may set its own (the model field's max_length).
SHORT_TEXT = 255
LONG_TEXT = 2000
# Text up to this long is shared between rows (see `read_sheet`).
SHARED_TEXT = 64
# Dates before this are typing mistakes (1890 for 1990); after today plus a few years, too.
EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 5
# A DHIS2 data value set is two levels deep; anything far deeper is not one (and Python's JSON
# reader would overflow its stack on a deeply nested file).
JSON_MAX_DEPTH = 20
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _day(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Column:
    """One column of an import: its heading as in the template and how its cells are read."""

    name: str
    kind: str = TEXT
    required: bool = False
    max_length: int | None = None  # default SHORT_TEXT for TEXT, LONG_TEXT for LINES
    earliest: datetime.date = EARLIEST
    years_ahead: int = YEARS_AHEAD
    example: str = "15/03/2025"  # a date as the guide sheet writes it

    @property
    def limit(self) -> int:
        """The longest text the column takes."""
        return self.max_length or (LONG_TEXT if self.kind == LINES else SHORT_TEXT)

    def latest(self) -> datetime.date:
        """The latest date the column takes: today plus `years_ahead` years."""
        return _years_after(dates.today(), self.years_ahead)

    def clean(self, value) -> tuple[object, str | None]:
        """The cell's value as the importer uses it (None when empty), or why it cannot be."""
        if is_empty(value):
            return None, ("chưa ghi; cột này bắt buộc." if self.required else None)
        if self.kind == RAW:
            return value, None
        if self.kind in (TEXT, LINES):
            text = lines_text(value) if self.kind == LINES else cell_text(value)
            if len(text) > self.limit:
                return None, f"dài quá {self.limit} ký tự."
            return text, None
        if self.kind == DATE:
            return self._date(value)
        return self._number(value)

    def _date(self, value) -> tuple[datetime.date | None, str | None]:
        day = cell_date(value)
        if day is None:
            return None, (
                f"“{cell_text(value)}” không phải ngày hợp lệ; ghi theo dạng dd/mm/yyyy, "
                f"ví dụ {self.example}."
            )
        latest = self.latest()
        if not self.earliest <= day <= latest:
            return None, (
                f"ngày {_day(day)} nằm ngoài khoảng nhận được, từ {_day(self.earliest)} đến "
                f"{_day(latest)}; hãy kiểm tra lại năm."
            )
        return day, None

    def _number(self, value) -> tuple[Decimal | int | None, str | None]:
        try:
            number = read_number(value)
        except ValidationError as error:
            if self.kind == INTEGER:
                return None, f"“{cell_text(value)}” không phải là số nguyên."
            return None, error.messages[0]
        if self.kind == INTEGER:
            if number != number.to_integral_value():
                return None, f"“{cell_text(value)}” không phải là số nguyên."
            return int(number), None
        # A whole number read from a cell's float keeps no ".0" (31, not 31.0).
        return (
            number.to_integral_value() if number == number.to_integral_value() else number
        ), None


def lines_text(value) -> str:
    """A cell's text keeping its line breaks, each line single-spaced."""
    if value is None:
        return ""
    return "\n".join(" ".join(line.split()) for line in str(value).splitlines() if line.strip())


@dataclass(frozen=True)
class Spec:
    """What an import reads: the sheet, its columns, and which columns make a row count."""

    sheet: str
    columns: tuple[Column, ...]
    noun: str  # "thành viên": "ghi mỗi thành viên một dòng"
    # The columns a template may lack (optional ones); the others must all be there.
    optional_headers: bool = False
    # A row counts when one of these is filled (default: any column): a pre-filled template
    # line without figures is no row.
    data_columns: tuple[str, ...] = ()
    # Fewer data rows than IMPORT_MAX_ROWS where more means the wrong file (a committee has
    # tens of members, not thousands).
    max_rows: int | None = None


@dataclass(slots=True)
class Row:
    """One data row: its number in the file and its cleaned values by column (None when
    empty; a RAW column's value as the cell holds it)."""

    number: int
    values: dict[str, object]

    def __getitem__(self, name: str):
        """The cleaned value of a column."""
        return self.values.get(name)


@dataclass
class Table:
    """The rows read from an upload and every problem found so far, by row and column."""

    rows: list[Row] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    # The spec's column order, so that a row's problems are listed left to right.
    order: dict[str, int] = field(default_factory=dict)

    def problem(self, row: int | None, column: str | None, detail: str) -> None:
        """Record a problem at a row and column."""
        self.problems.append(ImportProblem.at(row, column, detail))

    def refuse_duplicates(
        self,
        key: Callable[[Row], Hashable | None],
        column: str | None = None,
        describe: Callable[[Row, int], str] | None = None,
        rows: Iterable | None = None,
    ) -> None:
        """Refuse every row whose key (None: no key) an earlier row has, naming that row.
        `rows` may be the importer's own parsed rows (anything with a `number`)."""
        first: dict[Hashable, int] = {}
        for row in self.rows if rows is None else rows:
            wanted = key(row)
            if wanted is None:
                continue
            if wanted in first:
                detail = (
                    describe(row, first[wanted]) if describe else f"trùng với dòng {first[wanted]}."
                )
                self.problem(row.number, column, detail)
            else:
                first[wanted] = row.number

    def raise_problems(self) -> None:
        """Refuse the file whole, if any problem was found: by row, then left to right (a
        problem with the whole row first, a column not in the template last)."""

        def place(problem: ImportProblem) -> tuple[int, int]:
            column = (
                -1 if problem.column is None else self.order.get(problem.column, len(self.order))
            )
            return problem.row or 0, column

        if self.problems:
            raise ImportErrors(sorted(self.problems, key=place))


def _map_header(header: list, spec: Spec) -> dict[str, int]:
    """Each column's position, from headings matched without case, diacritics or the note in
    brackets; refuses missing, doubled and unknown columns."""
    expected = {header_key(c.name): c.name for c in spec.columns}
    positions: dict[str, int] = {}
    table = Table()
    for index, value in enumerate(header):
        if is_empty(value):
            continue
        name = expected.get(header_key(value))
        if name is None:
            table.problem(
                1, cell_text(value), "cột này không có trong mẫu; hãy xóa cột hoặc dùng tệp mẫu."
            )
        elif name in positions:
            table.problem(1, name, "cột này có hai lần.")
        else:
            positions[name] = index
    needed = [c for c in spec.columns if c.required or not spec.optional_headers]
    missing = [c.name for c in needed if c.name not in positions]
    if missing:
        listed = ", ".join(f"“{name}”" for name in missing)
        table.problem(
            1, None, f"tệp không đúng mẫu, thiếu cột {listed}. Hãy dùng tệp mẫu tải từ nền tảng."
        )
    table.raise_problems()
    return positions


def read_sheet(upload, spec: Spec) -> Table:
    """Read an uploaded .xlsx through the shared checks, one row at a time, cleaning each cell
    by its column; header problems, an empty file and too many rows refuse it at once, the
    cells' problems are collected in the table for the importer to add its own to."""
    rows = iter_sheet(read_upload(upload), spec.sheet)
    positions = _map_header(next(rows, []), spec)
    table = Table(order={c.name: i for i, c in enumerate(spec.columns)})
    read = [
        (c, positions[c.name]) for c in spec.columns if c.kind != IGNORED and c.name in positions
    ]
    counted = [positions[name] for name in spec.data_columns or positions if name in positions]
    # Codes, categories and years repeat on every line: one string object for each, not one per
    # cell, keeps a 50,000-line upload's memory down.
    shared: dict[str, str] = {}
    for number, cells in enumerate(rows, start=2):
        width = len(cells)
        # A row counts only by the template's columns: a stray note beside the table is no row.
        if all(i >= width or is_empty(cells[i]) for i in counted):
            continue
        if spec.max_rows is not None and len(table.rows) == spec.max_rows:
            raise too_many_rows(spec.max_rows)
        values = {}
        for column, index in read:
            value, detail = column.clean(cells[index] if index < width else None)
            if detail:
                table.problem(number, column.name, detail)
            elif isinstance(value, str) and len(value) <= SHARED_TEXT:
                value = shared.setdefault(value, value)
            values[column.name] = value
        table.rows.append(Row(number, values))
    if not table.rows:
        raise file_problem(
            f"Tệp không có dòng dữ liệu nào: ghi mỗi {spec.noun} một dòng trên trang "
            f"“{spec.sheet}”, từ dòng 2."
        )
    return table


def rehearse(save: Callable, *args, **kwargs):
    """Run `save` inside a transaction that is then rolled back, so a preview meets every rule
    of the save itself; its refusal (a ValidationError) is raised as the save would raise it."""
    with transaction.atomic():
        try:
            return save(*args, **kwargs)
        finally:
            transaction.set_rollback(True)


def check_row_count(count: int) -> None:
    """Refuse an upload of more than IMPORT_MAX_ROWS rows or values."""
    if count > settings.IMPORT_MAX_ROWS:
        raise too_many_rows(settings.IMPORT_MAX_ROWS)


NOT_JSON = "Tệp không phải là tài liệu JSON hợp lệ."


def read_json(data: bytes, max_depth: int = JSON_MAX_DEPTH):
    """A JSON document from uploaded bytes, refusing text that is not UTF-8 and nesting deeper
    than `max_depth` before Python's reader (which would overflow its stack) sees it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_problem("Tệp không phải là văn bản UTF-8.") from None
    depth = 0
    # Brackets inside strings are text: take the strings out, then follow the nesting.
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > max_depth:
            raise file_problem(
                f"Tệp JSON lồng nhau quá sâu (quá {max_depth} cấp): đây không phải tệp dữ liệu "
                "cần nhập."
            )
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise file_problem(NOT_JSON) from None
