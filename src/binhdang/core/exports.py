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
import json
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr as xml_attribute

from django.http import StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,\s]*%?")


def _quoted(text: str) -> bool:
    """Whether `text` gets a quote: it reads as a formula, or is quoted text that would after
    one quote is taken off (so that `restore` gives back exactly what was written)."""
    bare = text.lstrip("'")
    return bare.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(bare)


def neutralise(value):
    """A cell value that no spreadsheet will read as a formula; non-text values unchanged."""
    if isinstance(value, str) and _quoted(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text a neutralised CSV cell stands for (`neutralise` undone), for imports."""
    if text.startswith("'") and _quoted(text[1:]):
        return text[1:]
    return text


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


class _Echo:
    """A file-like object whose write returns what it was given (csv.writer into a stream)."""

    def write(self, text: str) -> str:
        return text


BOM = "\ufeff"  # lets Excel read a UTF-8 CSV as UTF-8 rather than the machine's code page


def csv_stream(header: list[str], rows, *, batch: int = 500, bom: bool = True):
    """A CSV document (UTF-8, with a BOM for Excel unless `bom` is False: a file for another
    system) yielded in pieces of `batch` lines as `rows` are read, every text cell neutralised:
    for StreamingHttpResponse, in constant memory."""
    writer = csv.writer(_Echo())
    yield ((BOM if bom else "") + writer.writerow(header)).encode()
    lines = []
    for row in rows:
        lines.append(writer.writerow([neutralise(value) for value in row]))
        if len(lines) >= batch:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def json_stream(key: str, items, *, batch: int = 500):
    """The JSON document `{key: [items]}` exactly as `json.dumps(..., ensure_ascii=False,
    indent=1)` writes it, yielded `batch` items at a time as `items` are read: for
    StreamingHttpResponse, in constant memory (the encoder itself wants the whole list)."""
    yield f"{{\n {json.dumps(key, ensure_ascii=False)}: [".encode()
    pieces: list[str] = []
    empty = True
    for item in items:
        # An item's own line breaks are structure only (strings escape theirs): indented
        # two more, as the item sits two levels deep.
        text = json.dumps(item, ensure_ascii=False, indent=1).replace("\n", "\n  ")
        pieces.append(("\n  " if empty else ",\n  ") + text)
        empty = False
        if len(pieces) >= batch:
            yield "".join(pieces).encode()
            pieces = []
    yield ("".join(pieces) + ("]\n}" if empty else "\n ]\n}")).encode()


def attachment(content, content_type: str, filename: str) -> StreamingHttpResponse:
    """A download sent while `content` (an iterator of bytes) is produced."""
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Excel, streamed ---------------------------------------------------------------------------
# A workbook is a zip: written into a pipe that is emptied as it fills (not seekable, so zipfile
# writes each member's sizes after it), its first bytes leave before the last row is read, and
# neither the rows nor the file are ever held. The parts are the few a workbook needs; text goes in
# inline strings (no shared table to keep), formula-looking text in a quoted text cell.

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's last row is 1,048,576: a longer export goes on in another sheet, headed again; a sheet
# also ends before its XML reaches 2 GB, the most a zip member holds without Zip64.
SHEET_ROWS = 1_048_575
SHEET_BYTES = 1_500_000_000
_PIECE = 256 * 1024  # bytes gathered before they are sent

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    f'+xml"/><Default Extension="xml" ContentType="application/vnd.openxmlformats-officedocument'
    f'.spreadsheetml.worksheet+xml"/><Override PartName="/xl/workbook.xml" ContentType="'
    f'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    f'PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument'
    f'.spreadsheetml.styles+xml"/></Types>'
)
_ROOT_RELS = (
    f'{_HEAD}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/officeDocument" '
    f'Target="xl/workbook.xml"/></Relationships>'
)
# Styles: 0 plain, 1 quoted text (never a formula, even when edited), 2 bold (the header).
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="{_MAIN}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/>'
    f'</font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill>'
    f'<patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    f'</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    f'</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    f'</cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" '
    f'xfId="0"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    f'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    f'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    f"</styleSheet>"
)
_SHEET_START = (
    f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" '
    f'topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    f"<sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


class _Pipe(io.RawIOBase):
    """Where the zip is written: bytes kept until `take` hands them on (not seekable)."""

    def __init__(self):
        super().__init__()
        self._pieces: list[bytes] = []
        self.pending = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._pieces.append(bytes(data))
        self.pending += len(data)
        return len(data)

    def take(self) -> bytes:
        data, self._pieces, self.pending = b"".join(self._pieces), [], 0
        return data


def _cell(reference: str, value, style: int = 0) -> str:
    """One cell's XML; "" for an empty one."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):
        return f'<c r="{reference}"><v>{value:f}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    # Control characters pasted into a note cannot be written in XML.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if neutralise(text) is not text:
        style = 1
    styled = f' s="{style}"' if style else ""
    return (
        f'<c r="{reference}"{styled} t="inlineStr"><is><t xml:space="preserve">'
        f"{xml_escape(text)}</t></is></c>"
    )


def _row(number: int, values, style: int = 0) -> bytes:
    cells = "".join(
        _cell(f"{get_column_letter(n)}{number}", value, style)
        for n, value in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def xlsx_stream(title: str, header: list[str], rows):
    """An Excel workbook of `rows` under `header` (bold, frozen), yielded in pieces as the rows
    are read, in constant memory; formula-looking text kept as quoted text; sheets "<title>",
    "<title> 2"… of at most SHEET_ROWS rows. Cells: text, numbers (Decimal, int, float), None."""
    pipe = _Pipe()
    end = object()
    rows = iter(rows)
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        # The first bytes leave before any row is read, as a CSV's header does.
        yield pipe.take()
        pending = next(rows, end)
        sheets = 0
        while not sheets or pending is not end:
            sheets += 1
            with archive.open(f"xl/worksheets/sheet{sheets}.xml", "w") as part:
                part.write(_SHEET_START.encode())
                part.write(_row(1, header, style=2))
                number, size = 1, 0
                while pending is not end and number <= SHEET_ROWS and size < SHEET_BYTES:
                    number += 1
                    data = _row(number, pending)
                    part.write(data)
                    size += len(data)
                    pending = next(rows, end)
                    if pipe.pending >= _PIECE:
                        yield pipe.take()
                part.write(_SHEET_END.encode())
        names = [title if n == 1 else f"{title} {n}" for n in range(1, sheets + 1)]
        archive.writestr(
            "xl/workbook.xml",
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
            + "".join(
                f'<sheet name={xml_attribute(name)} sheetId="{n}" r:id="rId{n}"/>'
                for n, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_HEAD}<Relationships xmlns="{_RELS}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{_DOC}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, sheets + 1)
            )
            + f'<Relationship Id="rIdStyles" Type="{_DOC}/styles" Target="styles.xml"/>'
            + "</Relationships>",
        )
    yield pipe.take()
