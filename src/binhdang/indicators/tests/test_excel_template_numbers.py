"""The Excel template writes figures as numbers, so that what it pre-fills is read back unchanged:
a decimal figure (12,5) once came back as the text "12.5", which the Vietnamese reader rightly
refuses as ambiguous, so an officer could not re-upload an untouched template."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from binhdang.indicators import spreadsheets
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import record_value
from binhdang.indicators.tests.test_excel import _download, _upload

pytestmark = pytest.mark.django_db


def test_a_decimal_figure_comes_back_from_the_template_unchanged(client, personas, tree, catalogue):
    admin = personas["province_admin"]
    wage = catalogue["2.1"]
    record_value(admin, wage, tree["province"], 2025, numerator=Decimal("12.5"), denominator=1250)
    client.force_login(admin)
    content = _download(client, tree["province"], children=False)
    sheet = load_workbook(io.BytesIO(content))[spreadsheets.SHEET]
    line = next(
        r for r in sheet.iter_rows(min_row=2, values_only=True) if r[spreadsheets.CODE] == wage.code
    )
    assert (line[spreadsheets.NUM], line[spreadsheets.DEN]) == (12.5, 1250)  # numbers, not text

    page = _upload(client, tree["province"], content).content.decode()
    assert 'id="preview"' in page, page[page.find("alert") :][:600]
    assert "Không đọc được" not in page
    response = client.post(
        reverse("indicators:excel_import", args=[tree["province"].pk]), {"confirm": "1"}
    )
    assert response.status_code == 302
    stored = DataValue.objects.get(indicator=wage, unit=tree["province"])
    assert (stored.numerator, stored.denominator) == (Decimal("12.5"), 1250)


def test_a_note_that_looks_like_a_formula_comes_back_from_the_template_unchanged(
    client, personas, tree, catalogue
):
    """Notes written as Vietnamese lists start with "-"; a re-uploaded template keeps them as they
    were (the export writes them as quoted text cells, not with an added apostrophe)."""
    admin = personas["province_admin"]
    wage = catalogue["2.1"]
    note = "- giảm do sáp nhập; =1+1 không phải công thức"
    record_value(admin, wage, tree["province"], 2025, numerator=40, denominator=100, note=note)
    client.force_login(admin)
    content = _download(client, tree["province"], children=False)
    notes = [
        c
        for row in load_workbook(io.BytesIO(content))[spreadsheets.SHEET].iter_rows(min_row=2)
        if row[spreadsheets.CODE].value == wage.code
        for c in row
        if c.value == note
    ]
    assert len(notes) == 1 and notes[0].quotePrefix  # as typed, in a quoted text cell

    _upload(client, tree["province"], content)
    client.post(reverse("indicators:excel_import", args=[tree["province"].pk]), {"confirm": "1"})
    assert DataValue.objects.get(indicator=wage, unit=tree["province"]).note == note
