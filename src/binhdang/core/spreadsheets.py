"""Reading and writing the Excel files officers fill in: shared by every app's import and export.

Imports are all-or-nothing: every problem found is collected as an `ImportProblem` whose message
names its row and column ("Dòng 4, cột “Ngày sinh”: …"), and raised together as `ImportErrors`.
"""

import datetime
import io
import re
import zipfile
from collections.abc import Iterator
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


# The XML inside an .xlsx never needs a document type: a DOCTYPE or ENTITY declaration is where
# entity-expansion attacks ("billion laughs") live, so a part carrying one is refused before any
# parser sees it (openpyxl also parses through defusedxml, which is installed).
FORBIDDEN_XML = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# A worksheet's rows, counted in the XML as it streams: `<row …>`, with or without a prefix.
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
CHUNK = 1 << 16
# Enough bytes carried from one chunk to the next to find a tag split between them.
OVERLAP = 16


def too_many_rows(limit: int) -> ImportErrors:
    """The refusal of an upload past `limit` rows (IMPORT_MAX_ROWS)."""
    return file_problem(
        f"Tệp có hơn {limit:,} dòng: mỗi lần chỉ nhập được đến {limit:,} dòng; hãy chia "
        "thành nhiều tệp.".replace(",", ".")
    )


def _scan_parts(archive: zipfile.ZipFile, max_bytes: int, max_rows: int) -> None:
    """Stream every part of the archive once, in bounded memory: refuse DOCTYPE or ENTITY
    declarations, more unpacked bytes than `max_bytes` (whatever the sizes the archive states)
    and a worksheet with more than `max_rows` rows, before any reader builds the sheet."""
    unpacked = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        worksheet = info.filename.startswith("xl/worksheets/")
        rows, tail = 0, b""
        with archive.open(info) as part:
            while chunk := part.read(CHUNK):
                unpacked += len(chunk)
                if unpacked > max_bytes:
                    raise file_problem("Tệp Excel chứa quá nhiều dữ liệu để nhập.")
                window = tail + chunk
                if FORBIDDEN_XML.search(window):
                    raise file_problem(
                        "Tệp Excel chứa khai báo XML không được phép (DOCTYPE/ENTITY): hãy mở "
                        "bằng Excel và lưu lại, hoặc dùng tệp mẫu tải từ nền tảng."
                    )
                if worksheet:
                    # A tag wholly inside the carried tail was counted with the chunk before.
                    rows += len(ROW_TAG.findall(window)) - len(ROW_TAG.findall(tail))
                    if rows > max_rows + 1:  # the header row is not a data row
                        raise too_many_rows(max_rows)
                tail = window[-OVERLAP:]


def check_workbook(data: bytes) -> None:
    """Refuse old .xls files, foreign files, zip bombs, XML entity declarations and sheets past
    IMPORT_MAX_ROWS rows, before any reader opens the bytes."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_problem(
            "Đây là tệp Excel cũ (.xls): hãy mở bằng Excel và lưu lại dưới dạng "
            "sổ làm việc Excel (.xlsx)."
        )
    not_xlsx = "Tệp không phải là sổ làm việc Excel (.xlsx). Hãy dùng tệp mẫu tải từ nền tảng."
    if not data.startswith(b"PK\x03\x04"):
        raise file_problem(not_xlsx)
    max_bytes = int(MAX_EXPANSION * settings.IMPORT_MAX_MB * 1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # The stated sizes first: a bomb that admits its size is refused without unpacking.
            if sum(info.file_size for info in archive.infolist()) > max_bytes:
                raise file_problem("Tệp Excel chứa quá nhiều dữ liệu để nhập.")
            _scan_parts(archive, max_bytes, settings.IMPORT_MAX_ROWS)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        # ImportErrors is a ValidationError, not a ValueError: it passes through.
        raise file_problem(not_xlsx) from error


DAMAGED = "Không đọc được tệp: tệp bị hỏng hoặc không phải sổ làm việc Excel (.xlsx)."


def open_workbook(data: bytes):
    """Open .xlsx bytes read-only after `check_workbook`."""
    check_workbook(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign archive
        raise file_problem(DAMAGED) from error


def _pick_sheet(names: list[str], sheet: str) -> str:
    """The sheet named `sheet`, matched without case or diacritics, else the first: a renamed
    sheet is still read, and its header row decides whether it is the template."""
    wanted = fold_key(sheet)
    return next((name for name in names if fold_key(name) == wanted), names[0])


def iter_sheet(data: bytes, sheet: str) -> Iterator[list]:
    """The values of each row of the named sheet (else the first) of .xlsx bytes, one row at a
    time: row 1 first, empty rows included so that numbers are kept, an empty cell as "".

    Read with calamine, about ten times faster than openpyxl (decision 31), after
    `check_workbook` has bounded the rows; whole numbers may come as floats."""
    check_workbook(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # a damaged archive may fail in calamine or in its XML
        raise file_problem(DAMAGED) from error
    with book:
        try:
            found = book.get_sheet_by_name(_pick_sheet(book.sheet_names, sheet))
            rows = found.iter_rows()
        except Exception as error:
            raise file_problem(DAMAGED) from error
        # calamine numbers rows from row 1 but columns from the first column used.
        pad = [""] * (found.start[1] if found.start else 0)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:
                raise file_problem(DAMAGED) from error
            yield pad + row if pad else row


def sheet_rows(data: bytes, sheet: str) -> list[list]:
    """Every row of `iter_sheet` as a list (row 1 is index 0)."""
    return list(iter_sheet(data, sheet))


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
