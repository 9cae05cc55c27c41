"""Excel round-trip of figures: template → fill → upload → preview → save; bad files refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from binhdang.indicators import spreadsheets
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import record_value

pytestmark = pytest.mark.django_db


def _download(client, unit, children=True):
    url = reverse("indicators:excel_template", args=[unit.pk])
    return client.get(url, {"year": 2025, "children": "1" if children else ""}).content


def _fill(content: bytes, values: dict[tuple[str, str], tuple]) -> bytes:
    """Put (numerator, denominator, value) into the rows of (unit code, indicator code)."""
    book = load_workbook(io.BytesIO(content))
    sheet = book[spreadsheets.SHEET]
    for row in sheet.iter_rows(min_row=2):
        key = (row[spreadsheets.UNIT].value, row[spreadsheets.CODE].value)
        if key in values:
            for offset, value in zip(
                (spreadsheets.NUM, spreadsheets.DEN, spreadsheets.VALUE), values[key], strict=True
            ):
                row[offset].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, unit, content, **extra):
    return client.post(
        reverse("indicators:excel_import", args=[unit.pk]),
        {"file": SimpleUploadedFile("so-lieu.xlsx", content), **extra},
    )


def test_round_trip_with_preview(client, personas, tree, catalogue):
    admin = personas["province_admin"]
    record_value(admin, catalogue["2.1"], tree["province"], 2025, numerator=400, denominator=900)
    client.force_login(admin)
    content = _download(client, tree["province"])
    sheet = load_workbook(io.BytesIO(content))[spreadsheets.SHEET]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    units = {r[spreadsheets.UNIT] for r in rows}
    assert "P51" in units and tree["commune"].code in units  # with the sub-units
    prefilled = next(r for r in rows if r[1] == "P51" and r[3] == catalogue["2.1"].code)
    assert (prefilled[spreadsheets.NUM], prefilled[spreadsheets.DEN]) == ("400", "900")

    filled = _fill(
        content,
        {
            ("P51", catalogue["2.1"].code): (410, 900, None),
            (tree["commune"].code, catalogue["1.1"].code): (1, 1, None),
            ("P51", catalogue["5.3"].code): (None, None, 1),
        },
    )
    page = _upload(client, tree["province"], filled).content.decode()
    assert 'id="preview"' in page
    assert "Mới: <strong>2</strong>" in page and "Thay đổi: <strong>1</strong>" in page
    assert DataValue.objects.count() == 1  # a preview writes nothing

    response = client.post(
        reverse("indicators:excel_import", args=[tree["province"].pk]), {"confirm": "1"}
    )
    assert response.status_code == 302
    assert DataValue.objects.get(unit=tree["province"], indicator=catalogue["2.1"]).numerator == 410
    assert DataValue.objects.count() == 3
    # Downloading again gives back what was saved.
    again = load_workbook(io.BytesIO(_download(client, tree["province"])))[spreadsheets.SHEET]
    saved = {(r[1], r[3]): r for r in again.iter_rows(min_row=2, values_only=True)}
    assert saved[("P51", catalogue["5.3"].code)][spreadsheets.VALUE] == "1"


def test_bad_cells_are_named_by_row_and_column(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    content = _download(client, tree["province"], children=False)
    book = load_workbook(io.BytesIO(content))
    sheet = book[spreadsheets.SHEET]
    sheet["F2"] = "mười"
    sheet["B3"] = "X00000"
    sheet["F3"] = 1
    sheet["G3"] = 2
    sheet["A4"] = 2035
    sheet["H4"] = 1
    out = io.BytesIO()
    book.save(out)
    page = _upload(client, tree["province"], out.getvalue()).content.decode()
    assert "Dòng 2, cột “Tử số”: “mười” không phải là số." in page
    assert "Dòng 3, cột “Mã đơn vị”: không có đơn vị mã “X00000”." in page
    assert "Dòng 4, cột “Năm”: “2035” không thuộc 2021–2030." in page
    assert not DataValue.objects.exists()


def test_rule_violations_on_save_write_nothing(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    content = _fill(
        _download(client, tree["province"]),
        {
            ("P51", catalogue["2.1"].code): (10, 900, None),
            ("P51", catalogue["2.2"].code): (950, 900, None),
        },
    )
    _upload(client, tree["province"], content)
    page = client.post(
        reverse("indicators:excel_import", args=[tree["province"].pk]), {"confirm": "1"}
    ).content.decode()
    assert "Tử số không được lớn hơn mẫu số" in page
    assert not DataValue.objects.exists()


@pytest.mark.parametrize("content", [b"%PDF-1.4", b"PK\x03\x04 broken zip", b""])
def test_files_that_are_not_the_template_are_refused(client, personas, tree, catalogue, content):
    client.force_login(personas["province_admin"])
    page = _upload(client, tree["province"], content).content.decode()
    assert "Chưa lưu dữ liệu nào" in page or "Tệp" in page
    assert not DataValue.objects.exists()


def test_template_and_import_need_the_right_to_enter(client, personas, tree, catalogue):
    client.force_login(personas["province_viewer"])
    assert (
        client.get(reverse("indicators:excel_template", args=[tree["province"].pk])).status_code
        == 403
    )
    client.force_login(personas["commune_officer"])
    assert (
        client.get(reverse("indicators:excel_import", args=[tree["province"].pk])).status_code
        == 404
    )
