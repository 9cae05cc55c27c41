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
