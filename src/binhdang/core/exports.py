"""The one neutraliser of spreadsheet formulas in what the platform exports (Excel and CSV).

Text typed by any user (a note, a task title, a DHIS2 comment) ends up in files other officers open
in Excel. Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is taken there as a
formula (`=HYPERLINK(...)` leaks data on a click, DDE runs commands). In a CSV, which has no cell
types, such text is written with a leading apostrophe. In a workbook it is kept as typed, in a text
cell with Excel's quote prefix, which Excel and LibreOffice never evaluate, even when the cell is
edited; so a template's note "- giảm do sáp nhập" comes back unchanged when it is uploaded again.
Numbers, dates and text that is only a number (`-5`, `-1.234,5`) are left alone.
"""

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,\s]*%?")


def neutralise(value):
    """A cell value that no spreadsheet will read as a formula; non-text values unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_STARTS)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralise_workbook(workbook: Workbook) -> Workbook:
    """Make every text cell of every sheet that could read as a formula a quoted text cell
    (openpyxl stores any text starting with `=` as a live formula; our exports write none)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and neutralise(cell.value) is not cell.value:
                    cell.data_type = "s"  # after the value: assigning it would guess again
                    cell.quotePrefix = True
    return workbook


def csv_bytes(header: list[str], rows) -> bytes:
    """A CSV document (UTF-8) whose every text cell is neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return out.getvalue().encode()


class _Echo:
    """A file-like object whose write returns what it was given (csv.writer into a stream)."""

    def write(self, text: str) -> str:
        return text


BOM = "\ufeff"  # lets Excel read a UTF-8 CSV as UTF-8 rather than the machine's code page


def csv_stream(header: list[str], rows, *, batch: int = 500):
    """A CSV document (UTF-8 with a BOM for Excel) yielded in pieces of `batch` lines as `rows`
    are read, every text cell neutralised: for StreamingHttpResponse, in constant memory."""
    writer = csv.writer(_Echo())
    yield (BOM + writer.writerow(header)).encode()
    lines = []
    for row in rows:
        lines.append(writer.writerow([neutralise(value) for value in row]))
        if len(lines) >= batch:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def write_only_cells(sheet, row: list) -> list:
    """A row for a write-only worksheet (`Workbook(write_only=True)`), where
    `neutralise_workbook` cannot reach: text that could read as a formula becomes a quoted text
    cell, as typed, and loses the control characters XML cannot hold; everything else is left to
    openpyxl."""
    cells = []
    for value in row:
        if isinstance(value, str):
            # Control characters pasted into a note cannot be written in a sheet's XML.
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if isinstance(value, str) and neutralise(value) is not value:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # after the value: assigning it would guess again
            cell.quotePrefix = True
            cells.append(cell)
        else:
            cells.append(value)
    return cells


# Excel's last row is 1,048,576: a longer export goes on in another sheet, headed again.
SHEET_ROWS = 1_048_575


def write_xlsx(target, title: str, header: list[str], rows) -> None:
    """An Excel workbook of `rows` under `header` written to `target` (a path or a binary
    file) in constant memory (openpyxl's write-only mode keeps no cell), formulas neutralised;
    sheets "<title>", "<title> 2"… of at most SHEET_ROWS rows each."""
    book = Workbook(write_only=True)
    sheet, count, sheets = None, SHEET_ROWS, 0
    for row in rows:
        if count == SHEET_ROWS:
            sheets += 1
            sheet = book.create_sheet(title if sheets == 1 else f"{title} {sheets}")
            sheet.append(header)
            count = 0
        sheet.append(write_only_cells(sheet, row))
        count += 1
    if sheet is None:
        book.create_sheet(title).append(header)
    book.save(target)
