"""Exchange with DHIS2: `dataValueSets` as JSON or CSV, and ADX (XML), with our codes as DHIS2
codes.

Mapping (docs/dhis2.md):
- dataElement: the indicator's code (e.g. `NSGE-2021-2030.2.1`) for counts and milestones; for
  quotients two data elements, `<code>.NUM` and `<code>.DEN`, since DHIS2 aggregates raw counts;
- orgUnit: our unit code (`P51`, `X21034`, `LP51`…); period: the year (`2025`);
- categoryOptionCombo: empty for totals (DHIS2's default), else our category key;
- comment: the note. Imports use `idScheme=CODE` semantics.

ADX (IHE QRPH ADX 2015, which DHIS2 reads and writes at `/api/dataValueSets` with
`Content-Type: application/adx+xml`) carries the same records: one `<group>` per unit and year
(`period="2025-01-01/P1Y"`, ISO 8601 start and duration), the category as an attribute named by
its dimension (`sex="female"`), the note as `<annotation>`. ADX is read with defusedxml: no
document type, no entity, nothing fetched from elsewhere.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import defusedxml.ElementTree
from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.core import exports
from binhdang.core.imports import LONG_TEXT, NOT_JSON, check_row_count, read_json
from binhdang.core.numbers import read_number
from binhdang.core.spreadsheets import FORBIDDEN_XML, ImportErrors, file_problem
from binhdang.orgunits.models import OrgUnit

from . import analyst
from .measures import QUOTIENTS
from .models import DataValue, Indicator
from .services import EntriesRefused, Entry, record_values_bulk

DEFAULT_COMBO = "default"
# An ADX file is XML; DHIS2 names its ADX exports .adx or .xml.
ADX_EXTENSIONS = (".xml", ".adx")
CSV_HEADER = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
]


def _number(value) -> str:
    return format(value.normalize(), "f")


# What a record is made of, as `values_list` reads it (no model instance), and the files' order.
FIELDS = (
    "year",
    "unit__code",
    "category",
    "note",
    "indicator__code",
    "indicator__measure",
    "numerator",
    "denominator",
    "value",
)
ORDER = ("unit__path", "indicator__code", "category")


def records(rows) -> Iterator[dict]:
    """Stored values, as `values_list(*FIELDS)` rows, as DHIS2 records (quotients as two data
    elements), one at a time."""
    for year, unit, category, note, code, measure, numerator, denominator, value in rows:
        base = {
            "period": str(year),
            "orgUnit": unit,
            "categoryOptionCombo": category,
            "comment": note,
        }
        if measure in QUOTIENTS:
            yield {**base, "dataElement": f"{code}.NUM", "value": _number(numerator)}
            yield {**base, "dataElement": f"{code}.DEN", "value": _number(denominator)}
        else:
            yield {**base, "dataElement": code, "value": _number(value)}


def export_values(user, unit: OrgUnit, year: int) -> Iterator[dict]:
    """The year's entered values of the unit's subtree that the user may see, as DHIS2 records,
    read a chunk of units at a time while they are written (a national file in constant
    memory). Lazy: nothing is read until the first record is asked for."""
    units = permissions.visible_units(user).filter(path__startswith=unit.path)
    values = DataValue.objects.filter(year=year)
    return records(analyst.values_by_unit_chunks(user, values, units, FIELDS, ORDER))


def json_stream(records) -> Iterator[bytes]:
    """A `dataValueSets` JSON document, written as the records are read."""
    return exports.json_stream("dataValues", records)


def csv_stream(records) -> Iterator[bytes]:
    """A DHIS2 data value CSV, header included, written as the records are read; comments cannot
    become spreadsheet formulas. No BOM: the file is for DHIS2, not for Excel."""
    return exports.csv_stream(
        CSV_HEADER,
        (
            [
                r["dataElement"],
                r["period"],
                r["orgUnit"],
                r["categoryOptionCombo"],
                "",
                r["value"],
                "",
                "",
                r["comment"],
                "false",
            ]
            for r in records
        ),
        bom=False,
    )


ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
# The attributes of an ADX data value that are not a category (a dimension of ours).
_ADX_VALUE_ATTRIBUTES = {"dataElement", "value"}
# Characters XML 1.0 cannot carry at all (Excel's line break inside a cell, \x0b, among them): a
# note keeps a space in their place rather than making the whole file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def adx_period(year: int) -> str:
    """A year as an ADX period: its first day and a duration of one year."""
    return f"{year:04d}-01-01/P1Y"


def adx_stream(records, *, piece: int = 256 * 1024) -> Iterator[bytes]:
    """An ADX document: one group per unit and year, in the records' order (a group for each
    run of records of the same unit and year: the exports read them unit by unit), written as
    the records are read, in pieces of about `piece` bytes; only one group is ever held."""
    exported = timezone.now().isoformat()
    # The head leaves at once, before the first query, as a CSV's header does.
    yield (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<adx xmlns="{ADX_NAMESPACE}" exported="{exported}">'
    ).encode()
    pending: list[str] = []
    size = 0
    group, key = None, None
    for r in records:
        if (r["orgUnit"], r["period"]) != key:
            if group is not None:
                text = ET.tostring(group, encoding="unicode")
                pending.append(text)
                size += len(text)
                if size >= piece:
                    yield "".join(pending).encode()
                    pending, size = [], 0
            key = (r["orgUnit"], r["period"])
            group = ET.Element(
                "group",
                dataSet=settings.DHIS2_DATA_SET,
                orgUnit=r["orgUnit"],
                period=adx_period(int(r["period"])),
            )
        attributes = {"dataElement": r["dataElement"]}
        if r["categoryOptionCombo"]:
            dimension, _sep, category = r["categoryOptionCombo"].partition(":")
            attributes[dimension] = category
        attributes["value"] = r["value"]
        element = ET.SubElement(group, "dataValue", attributes)
        if r["comment"]:
            ET.SubElement(element, "annotation").text = _NOT_XML.sub(" ", r["comment"])
    if group is not None:
        pending.append(ET.tostring(group, encoding="unicode"))
    pending.append("</adx>")
    yield "".join(pending).encode()


def _not_adx() -> ImportErrors:
    return file_problem("Tệp không phải là tài liệu ADX (XML) hợp lệ.")


def _adx_year(period: str) -> str:
    """ "2025-01-01/P1Y" → "2025"; anything else is given back for the refusal to name it."""
    start, _sep, duration = period.partition("/")
    if duration == "P1Y" and len(start) == 10 and start.endswith("-01-01") and start[:4].isdigit():
        return start[:4]
    return period


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_adx(content: bytes) -> list["_Cell"]:
    """Read an ADX document into records numbered by the data value's position in the file
    (from 1); a document type, an entity or an external reference refuses it unread."""
    if FORBIDDEN_XML.search(content):
        raise file_problem(
            "Tệp ADX có khai báo DOCTYPE hoặc ENTITY: không nhận, vì đó là cách tấn công "
            "bằng thực thể XML."
        )
    try:
        root = defusedxml.ElementTree.fromstring(content, forbid_dtd=True)
    except (DefusedXmlException, ET.ParseError, ValueError):
        raise _not_adx() from None
    if _local(root.tag) != "adx":
        raise _not_adx()
    cells = []
    for group in root:
        if _local(group.tag) != "group":
            continue
        unit = group.get("orgUnit", "")
        period = _adx_year(group.get("period", ""))
        for item in group:
            if _local(item.tag) != "dataValue":
                continue
            check_row_count(len(cells) + 1)
            dimensions = [(k, v) for k, v in item.attrib.items() if k not in _ADX_VALUE_ATTRIBUTES]
            annotation = next((c for c in item if _local(c.tag) == "annotation"), None)
            record = {
                "dataElement": item.get("dataElement", ""),
                "period": period,
                "orgUnit": unit,
                # Several dimensions make a category we do not have: the import names it.
                "categoryOptionCombo": "|".join(f"{k}:{v}" for k, v in dimensions),
                "value": item.get("value", ""),
                "comment": "" if annotation is None else (annotation.text or "").strip(),
            }
            cells.append(_Cell(len(cells) + 1, record))
    return cells


# Download formats: content type and file extension.
FORMATS = {
    "json": ("application/json", "json"),
    "csv": ("text/csv", "csv"),
    "adx": ("application/adx+xml", "adx.xml"),
}


def download(records, fmt: str, stem: str) -> StreamingHttpResponse:
    """Records as a downloaded DHIS2 file (JSON, ADX, or else CSV), streamed as they are read."""
    content_type, extension = FORMATS.get(fmt, FORMATS["csv"])
    writer = {"json": json_stream, "adx": adx_stream}.get(fmt, csv_stream)
    return exports.attachment(writer(records), content_type, f"{stem}.{extension}")


@dataclass
class _Cell:
    line: int
    record: dict


def _not_a_set() -> ValidationError:
    return ValidationError(_("The file is not a DHIS2 dataValueSets JSON document."))


def parse(content: bytes, filename: str) -> list[_Cell]:
    """Read a JSON, CSV or ADX data value set into records with their line (or item) numbers,
    through the import pipeline's limits: nesting depth, IMPORT_MAX_ROWS values."""
    if filename.lower().endswith(ADX_EXTENSIONS):
        return parse_adx(content)
    if filename.lower().endswith(".json"):
        try:
            document = read_json(content)
        except ImportErrors as error:
            if error.messages[0] == NOT_JSON:
                raise _not_a_set() from None
            raise
        items = document.get("dataValues") if isinstance(document, dict) else None
        if not isinstance(items, list):
            raise _not_a_set()
        check_row_count(len(items))
        return [_Cell(n, item) for n, item in enumerate(items, start=1) if isinstance(item, dict)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text.")) from None
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    if [c.strip().lower() for c in header[:6]] != CSV_HEADER[:6]:
        raise ValidationError(
            _("The CSV file must start with the DHIS2 header: %s.") % ",".join(CSV_HEADER)
        )
    cells = []
    for n, row in enumerate(rows, start=2):
        if not any(row):
            continue
        check_row_count(len(cells) + 1)
        row = row + [""] * (len(CSV_HEADER) - len(row))
        cells.append(
            _Cell(
                n,
                {
                    "dataElement": row[0],
                    "period": row[1],
                    "orgUnit": row[2],
                    "categoryOptionCombo": row[3],
                    "value": row[5],
                    "comment": exports.restore(row[8]),  # the export quoted "=…" comments
                },
            )
        )
    return cells


def cells(records: list[dict]) -> list[_Cell]:
    """Data values DHIS2 answered, numbered from 1, through the import's row limit."""
    check_row_count(len(records))
    return [_Cell(n, record) for n, record in enumerate(records, start=1)]


def _value(raw) -> Decimal | None:
    """A DHIS2 value: machine-written, a dot for the decimal mark whatever the language."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | type(None)):
        raise ValidationError(_("“%s” is not a number.") % raw)
    return read_number(raw, language="en")


@transaction.atomic
def import_values(user, cells: list[_Cell]) -> int:
    """Save every value of the set, or none; problems are listed by line in Vietnamese, a value
    given twice among them (DHIS2 would keep the last silently)."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = {}
    problems: list[str] = []
    grouped: dict[tuple, dict] = defaultdict(dict)
    first_line: dict[tuple, int] = {}
    for cell in cells:
        r = cell.record
        element = str(r.get("dataElement", "")).strip()
        code, part = element, "value"
        if element.endswith((".NUM", ".DEN")):
            code, part = element[:-4], "numerator" if element.endswith(".NUM") else "denominator"
        indicator = indicators.get(code)
        if indicator is None:
            problems.append(
                _("Line %(n)d: unknown data element “%(code)s”.")
                % {"n": cell.line, "code": element}
            )
            continue
        unit_code = str(r.get("orgUnit", "")).strip()
        if unit_code not in units:
            units[unit_code] = OrgUnit.objects.filter(code=unit_code).first()
        unit = units[unit_code]
        if unit is None:
            problems.append(
                _("Line %(n)d: unknown unit code “%(code)s”.") % {"n": cell.line, "code": unit_code}
            )
            continue
        period = str(r.get("period", "")).strip()
        if not (period.isdigit() and len(period) == 4):
            problems.append(
                _("Line %(n)d: the period “%(p)s” is not a year.") % {"n": cell.line, "p": period}
            )
            continue
        category = str(r.get("categoryOptionCombo") or "")
        # DHIS2 writes its default combination (our total) by its code when asked for codes.
        key = (indicator, unit, int(period), "" if category == DEFAULT_COMBO else category)
        if (key, part) in first_line:
            problems.append(
                f"Dòng {cell.line}: trùng với dòng {first_line[(key, part)]} (cùng phần tử dữ "
                "liệu, đơn vị, kỳ và phân tổ)."
            )
            continue
        first_line[(key, part)] = cell.line
        try:
            number = _value(r.get("value"))
        except ValidationError as error:
            problems.append(f"Dòng {cell.line}: {error.messages[0]}")
            continue
        comment = str(r.get("comment") or "")
        if len(comment) > LONG_TEXT:
            problems.append(f"Dòng {cell.line}: ghi chú dài quá {LONG_TEXT} ký tự.")
            continue
        entry = grouped[key]
        entry.setdefault("lines", []).append(cell.line)
        if number is not None:
            entry[part] = number
        if comment:
            entry["note"] = comment
    entries = [
        Entry(
            indicator,
            unit,
            year,
            category=category,
            ref=", ".join(str(n) for n in entry.pop("lines")),
            **entry,
        )
        for (indicator, unit, year, category), entry in grouped.items()
    ]
    saved = 0
    try:
        saved = record_values_bulk(user, entries, origin="DHIS2")
    except EntriesRefused as error:
        for entry, message in error.problems:
            problems.append(
                _("Lines %(lines)s: %(error)s") % {"lines": entry.ref, "error": message}
            )
    if problems:
        raise ValidationError(problems)
    return saved
