"""Reading and writing the Excel files officers fill in: shared by every app's import and export.

Imports are all-or-nothing: every problem found is collected as an `ImportProblem` whose message
names its row and column ("Dòng 4, cột “Ngày sinh”: …"), and raised together as `ImportErrors`.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from python_calamine import CalamineWorkbook

from binhdang.core import exports
from binhdang.core.text import fold

DATE_PATTERN = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")
# A small .xlsx can unpack to gigabytes; refuse archives that expand past this many times the limit.
MAX_EXPANSION = 20


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an imported file; `message` is the full sentence, location included."""

    row: int | None
    column: str | None
    message: str

    @classmethod
    def at(cls, row: int | None, column: str | None, detail: str) -> "ImportProblem":
        """A problem whose message starts with its row and column, "Dòng 4, cột “…”: …"."""
        if row is not None and column is not None:
            prefix = f"Dòng {row}, cột “{column}”: "
        elif row is not None:
            prefix = f"Dòng {row}: "
        elif column is not None:
            prefix = f"Cột “{column}”: "
        else:
            prefix = ""
        return cls(row, column, prefix + detail)

    def __str__(self) -> str:
        return self.message


class ImportErrors(ValidationError):
    """Every problem found in an imported file; nothing of it is used."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = list(problems)
        super().__init__([problem.message for problem in self.problems])


def file_problem(detail: str) -> ImportErrors:
    """A problem with the file as a whole."""
    return ImportErrors([ImportProblem.at(None, None, detail)])


def fold_key(text: str) -> str:
    """Fold text and drop punctuation: "Thư ký, Tổ giúp việc" and "thu ky - to giup viec" match."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(str(text))).split())


def header_key(text: str) -> str:
    """A column heading's key: folded, without the note in brackets."""
    return fold_key(re.sub(r"\(.*?\)", " ", str(text)))


def read_upload(upload) -> bytes:
    """The uploaded file's bytes, refused past IMPORT_MAX_MB without trusting its declared size."""
    limit_mb = settings.IMPORT_MAX_MB
    limit = int(limit_mb * 1024 * 1024)
    too_big = ImportErrors([ImportProblem.at(None, None, f"Tệp lớn hơn {limit_mb} MB.")])
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_big
    upload.seek(0)
    # Read one byte past the limit: enough to know, without trusting a declared size.
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        raise too_big
    return data


def _check_archive(data: bytes) -> None:
    """Refuse old .xls files, foreign files and zip bombs before any reader opens the bytes."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_problem(
            "Đây là tệp Excel cũ (.xls): hãy mở bằng Excel và lưu lại dưới dạng "
            "sổ làm việc Excel (.xlsx)."
        )
    not_xlsx = "Tệp không phải là sổ làm việc Excel (.xlsx). Hãy dùng tệp mẫu tải từ nền tảng."
    if not data.startswith(b"PK\x03\x04"):
        raise file_problem(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise file_problem(not_xlsx) from error
    if expanded > MAX_EXPANSION * settings.IMPORT_MAX_MB * 1024 * 1024:
        raise file_problem("Tệp Excel chứa quá nhiều dữ liệu để nhập.")


DAMAGED = "Không đọc được tệp: tệp bị hỏng hoặc không phải sổ làm việc Excel (.xlsx)."


def open_workbook(data: bytes):
    """Open .xlsx bytes read-only, refusing old .xls files, foreign files and zip bombs."""
    _check_archive(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign archive
        raise file_problem(DAMAGED) from error


def sheet_rows(data: bytes, sheet: str) -> list[list]:
    """The values of every row of the named sheet (else the first) of .xlsx bytes.

    Read with calamine, about ten times faster than openpyxl on a 10,000-row upload (decision
    31), after the same checks as `open_workbook`. Rows keep their numbers (row 1 is index 0);
    an empty cell is "", and whole numbers may come as floats."""
    _check_archive(data)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            name = sheet if sheet in book.sheet_names else book.sheet_names[0]
            return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as error:  # a damaged archive may fail in calamine or in its XML
        raise file_problem(DAMAGED) from error


NOTES_HEADING = "Lưu ý"


def guide_sheet(workbook: Workbook, name: str, rows: list[tuple], first_width: int = 30) -> None:
    """A template's guide: a title in row 1, a (column, required, how to write it) table from
    row 3, and a "Lưu ý" list, laid out alike in every template."""
    sheet = workbook.create_sheet(name)
    for row in rows:
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=13)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3):
        if row[0].value == NOTES_HEADING:
            row[0].font = Font(bold=True)
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABC", (first_width, 10, 100), strict=True):
        sheet.column_dimensions[letter].width = width


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every text cell made literal (no formula from user text)."""
    exports.neutralise_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def is_empty(value) -> bool:
    """Whether a cell holds nothing."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value) -> str:
    """A cell as single-spaced text; whole numbers lose Excel's ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def cell_date(value) -> datetime.date | None:
    """A date cell or "dd/mm/yyyy" text; None when the value is not a real date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE_PATTERN.match(cell_text(value))
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
