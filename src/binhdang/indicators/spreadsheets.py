"""Excel round-trip of figures: a pre-filled template, the upload, a preview, then the save.

One row per unit and indicator, in one sheet; the same layout is downloaded and uploaded, so an
officer fills the template offline and sends it back. Problems are named by row and column.
"""

import io
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from binhdang.accounts import permissions
from binhdang.orgunits.models import OrgUnit

from .models import DataValue, Indicator, Measure
from .services import STRATEGY_YEARS, EntriesRefused, Entry, record_values_bulk

SHEET = "Số liệu"
HEADERS = (
    "Năm",
    "Mã đơn vị",
    "Tên đơn vị",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Tử số",
    "Mẫu số",
    "Giá trị",
    "Ghi chú",
    "Nguồn",
)
YEAR, UNIT, UNIT_NAME, CODE, NAME, NUM, DEN, VALUE, NOTE, SOURCE = range(len(HEADERS))
QUOTIENTS = (Measure.SHARE, Measure.RATIO, Measure.RATE)


def _text(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def template(units: list[OrgUnit], indicators: list[Indicator], year: int) -> bytes:
    """The sheet for these units and indicators, pre-filled with what is already entered."""
    existing = {
        (v.unit_id, v.indicator_id): v
        for v in DataValue.objects.filter(unit__in=units, year=year, category="")
    }
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EFE3EC")
    sheet.freeze_panes = "A2"
    for unit in units:
        for indicator in indicators:
            row = existing.get((unit.pk, indicator.pk))
            quotient = indicator.measure in QUOTIENTS
            sheet.append(
                [
                    year,
                    unit.code,
                    unit.name,
                    indicator.code,
                    f"{indicator.number}. {indicator.name_vi[:120]}",
                    _text(row.numerator) if row and quotient else "",
                    _text(row.denominator) if row and quotient else "",
                    _text(row.value) if row and not quotient else "",
                    row.note if row else "",
                    row.source if row else "",
                ]
            )
    for letter, width in zip("ABCDEFGHIJ", (7, 12, 28, 24, 60, 10, 10, 10, 30, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class Row:
    """One filled line of an uploaded sheet."""

    line: int
    year: int
    unit_id: int
    indicator_id: int
    numerator: str
    denominator: str
    value: str
    note: str
    source: str
    status: str = ""


def _cell(values: tuple, index: int) -> str:
    value = values[index] if index < len(values) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse(upload) -> list[Row]:
    """Read an uploaded sheet; refuse it whole, naming rows and columns, if anything is wrong."""
    if upload.size > settings.IMPORT_MAX_MB * 1024 * 1024:
        raise ValidationError(f"Tệp lớn hơn {settings.IMPORT_MAX_MB} MB.")
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        lines = list(sheet.iter_rows(values_only=True))
    except Exception:  # openpyxl raises many kinds of errors for a file that is not a workbook
        raise ValidationError("Tệp không phải là tệp Excel (.xlsx) hợp lệ.") from None
    if not lines or tuple(_cell(lines[0], i) for i in range(len(HEADERS))) != HEADERS:
        raise ValidationError(
            "Tệp không đúng biểu mẫu: dòng 1 phải có các cột " + ", ".join(HEADERS) + "."
        )
    units = {u.code: u.pk for u in OrgUnit.objects.all().only("pk", "code")}
    indicators = {i.code: i.pk for i in Indicator.objects.all()}
    rows, problems = [], []
    for number, values in enumerate(lines[1:], start=2):
        if not any(_cell(values, i) for i in (NUM, DEN, VALUE)):
            continue
        found = []
        year_text = _cell(values, YEAR)
        year = int(year_text) if year_text.isdigit() else None
        if year not in STRATEGY_YEARS:
            found.append(f"Dòng {number}, cột “Năm”: “{year_text}” không thuộc 2021–2030.")
        unit_id = units.get(_cell(values, UNIT))
        if unit_id is None:
            found.append(
                f"Dòng {number}, cột “Mã đơn vị”: không có đơn vị mã “{_cell(values, UNIT)}”."
            )
        indicator_id = indicators.get(_cell(values, CODE))
        if indicator_id is None:
            found.append(
                f"Dòng {number}, cột “Mã chỉ tiêu”: không có chỉ tiêu mã “{_cell(values, CODE)}”."
            )
        for index in (NUM, DEN, VALUE):
            text = _cell(values, index)
            try:
                Decimal(text.replace(",", ".")) if text else None
            except InvalidOperation:
                found.append(f"Dòng {number}, cột “{HEADERS[index]}”: “{text}” không phải là số.")
        problems += found
        if not found:
            rows.append(
                Row(
                    number,
                    year,
                    unit_id,
                    indicator_id,
                    _cell(values, NUM),
                    _cell(values, DEN),
                    _cell(values, VALUE),
                    _cell(values, NOTE),
                    _cell(values, SOURCE),
                )
            )
    if problems:
        raise ValidationError(problems)
    if not rows:
        raise ValidationError("Tệp không có số liệu nào để nhập.")
    return rows


def _same(stored: Decimal | None, text: str) -> bool:
    if not text:
        return stored is None
    return stored is not None and stored == Decimal(text.replace(",", "."))


def preview(rows: list[Row]) -> list[Row]:
    """Mark each row new, changed or unchanged against what is stored."""
    stored = {
        (v.unit_id, v.indicator_id, v.year): v
        for v in DataValue.objects.filter(
            unit_id__in={r.unit_id for r in rows}, category="", year__in={r.year for r in rows}
        )
    }
    for row in rows:
        old = stored.get((row.unit_id, row.indicator_id, row.year))
        if old is None:
            row.status = "new"
        elif (
            _same(old.numerator, row.numerator)
            and _same(old.denominator, row.denominator)
            and (row.numerator or _same(old.value, row.value))
            and old.note == row.note
        ):
            row.status = "unchanged"
        else:
            row.status = "changed"
    return rows


@transaction.atomic
def save(user, rows: list[Row]) -> int:
    """Save the new and changed rows: all of them, or none, with problems named by row."""
    units = OrgUnit.objects.in_bulk({r.unit_id for r in rows})
    indicators = Indicator.objects.in_bulk({r.indicator_id for r in rows})
    entries = []
    for row in rows:
        if row.status == "unchanged":
            continue
        fields = {"note": row.note, "source": row.source}
        for name in ("numerator", "denominator", "value"):
            if getattr(row, name):
                fields[name] = getattr(row, name)
        entries.append(
            Entry(
                indicators[row.indicator_id], units[row.unit_id], row.year, ref=row.line, **fields
            )
        )
    try:
        return record_values_bulk(user, entries, origin="Excel")
    except EntriesRefused as error:
        raise ValidationError(
            [f"Dòng {entry.ref}: {message}" for entry, message in error.problems]
        ) from None


def rows_to_session(rows: list[Row]) -> list[dict]:
    """Rows as plain data, kept in the session between the preview and the save."""
    return [asdict(row) for row in rows]


def rows_from_session(data: list[dict]) -> list[Row]:
    """Rows back from the session."""
    return [Row(**item) for item in data]


def template_units(user, unit: OrgUnit, year: int, with_children: bool) -> list[OrgUnit]:
    """The unit, and its sub-units that existed in the year, that the user may enter for."""
    units = [unit]
    if with_children:
        units += [
            child
            for child in permissions.editable_units(user)
            .filter(parent=unit)
            .order_by("search_name")
            if (child.valid_from is None or child.valid_from.year <= year)
            and (child.valid_to is None or child.valid_to.year >= year)
        ]
    return units
