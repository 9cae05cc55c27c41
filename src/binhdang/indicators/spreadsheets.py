"""Excel round-trip of figures: a pre-filled template, the upload, a preview, then the save.

One row per unit and indicator, in one sheet; the same layout is downloaded and uploaded, so an
officer fills the template offline and sends it back. Problems are named by row and column.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from binhdang.accounts import permissions
from binhdang.core.imports import (
    IGNORED,
    INTEGER,
    LINES,
    LONG_TEXT,
    NUMBER,
    Column,
    Spec,
    read_sheet,
    rehearse,
)
from binhdang.core.spreadsheets import fold_key, workbook_bytes
from binhdang.orgunits.models import OrgUnit

from .measures import QUOTIENTS
from .models import CATEGORIES, DataValue, Indicator
from .rollup import levels_below_each
from .services import (
    STRATEGY_YEARS,
    EntriesRefused,
    Entry,
    categories_by_indicator,
    figure_text,
    record_values_bulk,
)

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


def _cell(value: Decimal | None) -> int | Decimal | str:
    """A stored figure as a number cell (12,5 shows in Excel as the officer's Excel writes it).
    Never as text: "12.5" written as text is read back as ambiguous Vietnamese and refused."""
    if value is None:
        return ""
    return int(value) if value == value.to_integral_value() else value.normalize()


def template(units: list[OrgUnit], indicators: list[Indicator], year: int) -> bytes:
    """The sheet for these units and indicators, pre-filled with what is already entered: a
    line for each total, and one for each breakdown the unit enters for the indicator
    (`services.categories_for`: no level lines for a commune, for instance)."""
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
    below = levels_below_each(units, year)
    for unit in units:
        breakdowns = categories_by_indicator(indicators, unit, year, below=below[unit.pk])
        for indicator in indicators:
            quotient = indicator.measure in QUOTIENTS
            for category, label in [("", TOTAL), *breakdowns[indicator.pk]]:
                row = existing.get((unit.pk, indicator.pk, category))
                sheet.append(
                    [
                        year,
                        unit.code,
                        unit.label,
                        indicator.code,
                        f"{indicator.number}. {indicator.name_vi[:120]}",
                        str(label),
                        _cell(row.numerator) if row and quotient else "",
                        _cell(row.denominator) if row and quotient else "",
                        _cell(row.value) if row and not quotient else "",
                        row.note if row else "",
                        row.source if row else "",
                    ]
                )
    widths = (7, 12, 28, 24, 60, 18, 10, 10, 10, 30, 20)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook_bytes(book)


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


SPEC = Spec(
    sheet=SHEET,
    columns=(
        Column(HEADERS[YEAR], INTEGER, required=True),
        Column(HEADERS[UNIT], required=True),
        Column(HEADERS[UNIT_NAME], IGNORED),  # shown to the officer, not read back
        Column(HEADERS[CODE], required=True),
        Column(HEADERS[NAME], IGNORED),
        Column(HEADERS[CATEGORY]),
        Column(HEADERS[NUM], NUMBER),
        Column(HEADERS[DEN], NUMBER),
        Column(HEADERS[VALUE], NUMBER),
        # The data-entry form's limits: a note of 2,000 characters, a source of 255.
        Column(HEADERS[NOTE], LINES, max_length=LONG_TEXT),
        Column(HEADERS[SOURCE], max_length=255),
    ),
    noun="số liệu",
    # The template lists every line pre-filled with names: a line counts once it has figures.
    data_columns=(HEADERS[NUM], HEADERS[DEN], HEADERS[VALUE]),
)


@dataclass
class Row:
    """One filled line of an uploaded sheet, its figures as exact Decimals."""

    line: int
    year: int
    unit_id: int
    indicator_id: int
    category: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    note: str
    source: str
    status: str = ""
    where: str = ""  # "P51 · 3.2a · Giới tính: Nữ", for the preview
    before: str = ""  # the stored figures a changed row replaces, "30/100"

    @property
    def number(self) -> int:
        """The row's number in the file (for `Table.refuse_duplicates`)."""
        return self.line


FIGURES = ("numerator", "denominator", "value")


def parse(upload) -> list[Row]:
    """Read an uploaded sheet through the import pipeline; refuse it whole, naming rows and
    columns, if anything is wrong, including the same cell written on two rows."""
    table = read_sheet(upload, SPEC)
    units = dict(OrgUnit.objects.order_by().values_list("code", "pk"))
    indicators = {
        code: (pk, number, disaggregations)
        for code, pk, number, disaggregations in Indicator.objects.order_by().values_list(
            "code", "pk", "number", "disaggregations"
        )
    }
    names: dict[str, dict[str, str]] = {}  # the accepted "Phân tổ" per set of breakdowns
    rows = []
    for line in table.rows:
        number, before = line.number, len(table.problems)
        year = line[HEADERS[YEAR]]
        if year is not None and year not in STRATEGY_YEARS:
            table.problem(number, HEADERS[YEAR], f"“{year}” không thuộc 2021–2030.")
        unit_code, code = line[HEADERS[UNIT]] or "", line[HEADERS[CODE]] or ""
        unit_id = units.get(unit_code)
        if unit_id is None and unit_code:
            table.problem(number, HEADERS[UNIT], f"không có đơn vị mã “{unit_code}”.")
        indicator_id, indicator_number, disaggregations = indicators.get(code, (None, "", ""))
        if indicator_id is None and code:
            table.problem(number, HEADERS[CODE], f"không có chỉ tiêu mã “{code}”.")
        category_text = line[HEADERS[CATEGORY]] or ""
        if disaggregations not in names:
            names[disaggregations] = _category_names(disaggregations)
        category = names[disaggregations].get(fold_key(category_text)) if category_text else ""
        if category is None and indicator_id is not None:
            table.problem(
                number,
                HEADERS[CATEGORY],
                f"chỉ tiêu {code} không có phân tổ “{category_text}”.",
            )
        if len(table.problems) == before:
            rows.append(
                Row(
                    number,
                    year,
                    unit_id,
                    indicator_id,
                    category,
                    line[HEADERS[NUM]],
                    line[HEADERS[DEN]],
                    line[HEADERS[VALUE]],
                    line[HEADERS[NOTE]] or "",
                    line[HEADERS[SOURCE]] or "",
                    where=" · ".join((unit_code, indicator_number, category_text or TOTAL)),
                )
            )
    table.refuse_duplicates(
        lambda row: (row.year, row.unit_id, row.indicator_id, row.category),
        describe=lambda _row, first: (
            f"trùng với dòng {first} (cùng năm, đơn vị, chỉ tiêu và phân tổ); mỗi ô số liệu "
            "chỉ ghi một dòng."
        ),
        rows=rows,
    )
    table.raise_problems()
    return rows


def _mark(rows: list[Row]) -> list[Row]:
    """Mark each row new, changed or unchanged against what is stored now."""
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
            old.numerator == row.numerator
            and old.denominator == row.denominator
            and (row.numerator is not None or old.value == row.value)
            and old.note == row.note
            and old.source == row.source
        ):
            row.status = "unchanged"
        else:
            row.status = "changed"
            row.before = figure_text(old)
    return rows


def preview(user, rows: list[Row]) -> list[Row]:
    """Mark each row new, changed or unchanged, after rehearsing the save (rolled back): a
    row the save would refuse refuses the preview, by row, with the save's own message."""
    rehearse(save, user, rows)
    return _mark(rows)


@transaction.atomic
def save(user, rows: list[Row]) -> int:
    """Save the new and changed rows, as they compare with what is stored now: all of them,
    or none, with problems named by row. Returns how many figures were written."""
    units = OrgUnit.objects.in_bulk({r.unit_id for r in rows})
    indicators = Indicator.objects.in_bulk({r.indicator_id for r in rows})
    entries = [
        Entry(
            indicators[row.indicator_id],
            units[row.unit_id],
            row.year,
            category=row.category,
            ref=row.line,
            note=row.note,
            source=row.source,
            **{name: getattr(row, name) for name in FIGURES if getattr(row, name) is not None},
        )
        for row in _mark(rows)
        if row.status != "unchanged"
    ]
    try:
        return record_values_bulk(user, entries, origin="Excel")
    except EntriesRefused as error:
        raise ValidationError(
            [f"Dòng {entry.ref}: {message}" for entry, message in error.problems]
        ) from None


def rows_to_session(rows: list[Row]) -> list[dict]:
    """Rows as plain data, kept in the session between the preview and the save (figures as
    text: the session holds JSON)."""
    data = []
    for row in rows:
        item = asdict(row)
        for name in FIGURES:
            item[name] = None if item[name] is None else str(item[name])
        data.append(item)
    return data


def rows_from_session(data: list[dict]) -> list[Row]:
    """Rows back from the session, figures as Decimals again."""
    rows = []
    for item in data:
        figures = {n: None if item[n] is None else Decimal(item[n]) for n in FIGURES}
        rows.append(Row(**{**item, **figures}))
    return rows


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
