"""Excel round-trip of figures: a pre-filled template, the upload, a preview, then the save.

One row per unit and indicator, in one sheet; the same layout is downloaded and uploaded, so an
officer fills the template offline and sends it back. Problems are named by row and column.
"""

import io
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from binhdang.accounts import permissions
from binhdang.core.spreadsheets import fold_key, read_upload, sheet_rows
from binhdang.orgunits.models import OrgUnit

from .measures import QUOTIENTS
from .models import CATEGORIES, DataValue, Indicator
from .services import STRATEGY_YEARS, EntriesRefused, Entry, figure_text, record_values_bulk

SHEET = "Số liệu"
HEADERS = (
    "Năm",
    "Mã đơn vị",
    "Tên đơn vị",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Phân tổ",
    "Tử số",
    "Mẫu số",
    "Giá trị",
    "Ghi chú",
    "Nguồn",
)
YEAR, UNIT, UNIT_NAME, CODE, NAME, CATEGORY, NUM, DEN, VALUE, NOTE, SOURCE = range(len(HEADERS))
TOTAL = "Tổng số"  # the "Phân tổ" of a total; an empty cell means the same


def _text(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def template(units: list[OrgUnit], indicators: list[Indicator], year: int) -> bytes:
    """The sheet for these units and indicators, pre-filled with what is already entered: a
    line for each total, and one for each breakdown the indicator asks for."""
    existing = {
        (v.unit_id, v.indicator_id, v.category): v
        for v in DataValue.objects.filter(unit__in=units, year=year)
    }
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EFE3EC")
    sheet.freeze_panes = "A2"
    lines = [(indicator, [("", TOTAL), *indicator.categories()]) for indicator in indicators]
    for unit in units:
        for indicator, categories in lines:
            quotient = indicator.measure in QUOTIENTS
            for category, label in categories:
                row = existing.get((unit.pk, indicator.pk, category))
                sheet.append(
                    [
                        year,
                        unit.code,
                        unit.name,
                        indicator.code,
                        f"{indicator.number}. {indicator.name_vi[:120]}",
                        str(label),
                        _text(row.numerator) if row and quotient else "",
                        _text(row.denominator) if row and quotient else "",
                        _text(row.value) if row and not quotient else "",
                        row.note if row else "",
                        row.source if row else "",
                    ]
                )
    widths = (7, 12, 28, 24, 60, 18, 10, 10, 10, 30, 20)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _category_names(disaggregations: str) -> dict[str, str]:
    """What an officer may write in "Phân tổ" for an indicator, folded, to the category key:
    the label in Vietnamese or English ("Giới tính: Nữ", "Sex: Women"), the category alone
    ("Nữ") where no other breakdown of the indicator has it, or the key itself."""
    names = {fold_key(TOTAL): "", "total": ""}
    alone: dict[str, set[str]] = defaultdict(set)
    for language in ("vi", "en"):
        with translation.override(language):
            for dimension in Indicator(disaggregations=disaggregations).dimensions:
                for key, label in CATEGORIES[dimension]:
                    category = f"{dimension}:{key}"
                    names[fold_key(f"{dimension.label}: {label}")] = category
                    names[fold_key(category)] = category
                    alone[fold_key(str(label))].add(category)
    names.update({name: next(iter(keys)) for name, keys in alone.items() if len(keys) == 1})
    return names


@dataclass
class Row:
    """One filled line of an uploaded sheet."""

    line: int
    year: int
    unit_id: int
    indicator_id: int
    category: str
    numerator: str
    denominator: str
    value: str
    note: str
    source: str
    status: str = ""
    where: str = ""  # "P51 · 3.2a · Giới tính: Nữ", for the preview
    before: str = ""  # the stored figures a changed row replaces, "30/100"


def _cell(values: tuple, index: int) -> str:
    value = values[index] if index < len(values) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse(upload) -> list[Row]:
    """Read an uploaded sheet; refuse it whole, naming rows and columns, if anything is wrong."""
    lines = sheet_rows(read_upload(upload), SHEET)
    if not lines or tuple(_cell(lines[0], i) for i in range(len(HEADERS))) != HEADERS:
        raise ValidationError(
            "Tệp không đúng biểu mẫu: dòng 1 phải có các cột " + ", ".join(HEADERS) + "."
        )
    units = dict(OrgUnit.objects.order_by().values_list("code", "pk"))
    indicators = {
        code: (pk, number, disaggregations)
        for code, pk, number, disaggregations in Indicator.objects.order_by().values_list(
            "code", "pk", "number", "disaggregations"
        )
    }
    names: dict[str, dict[str, str]] = {}  # the accepted "Phân tổ" per set of breakdowns
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
        indicator_id, indicator_number, disaggregations = indicators.get(
            _cell(values, CODE), (None, "", "")
        )
        if indicator_id is None:
            found.append(
                f"Dòng {number}, cột “Mã chỉ tiêu”: không có chỉ tiêu mã “{_cell(values, CODE)}”."
            )
        category_text = _cell(values, CATEGORY)
        if disaggregations not in names:
            names[disaggregations] = _category_names(disaggregations)
        category = names[disaggregations].get(fold_key(category_text)) if category_text else ""
        if category is None and indicator_id is not None:
            found.append(
                f"Dòng {number}, cột “Phân tổ”: chỉ tiêu {_cell(values, CODE)} không có "
                f"phân tổ “{category_text}”."
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
                    category,
                    _cell(values, NUM),
                    _cell(values, DEN),
                    _cell(values, VALUE),
                    _cell(values, NOTE),
                    _cell(values, SOURCE),
                    where=" · ".join(
                        (_cell(values, UNIT), indicator_number, category_text or TOTAL)
                    ),
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
        (v.unit_id, v.indicator_id, v.year, v.category): v
        for v in DataValue.objects.filter(
            unit_id__in={r.unit_id for r in rows}, year__in={r.year for r in rows}
        )
    }
    for row in rows:
        old = stored.get((row.unit_id, row.indicator_id, row.year, row.category))
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
            row.before = figure_text(old)
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
                indicators[row.indicator_id],
                units[row.unit_id],
                row.year,
                category=row.category,
                ref=row.line,
                **fields,
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
