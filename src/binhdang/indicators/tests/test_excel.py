"""Excel round-trip of figures: template → fill → upload → preview → save; bad files refused."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from binhdang.indicators import spreadsheets
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import record_value

pytestmark = pytest.mark.django_db


def _download(client, unit, children=True):
    url = reverse("indicators:excel_template", args=[unit.pk])
    return client.get(url, {"year": 2025, "children": "1" if children else ""}).content


def _fill(content: bytes, values: dict[tuple, tuple]) -> bytes:
    """Put (numerator, denominator, value) into the row of (unit code, indicator code) — the
    total — or of (unit code, indicator code, breakdown label)."""
    book = load_workbook(io.BytesIO(content))
    sheet = book[spreadsheets.SHEET]
    for row in sheet.iter_rows(min_row=2):
        label = row[spreadsheets.CATEGORY].value
        key = (row[spreadsheets.UNIT].value, row[spreadsheets.CODE].value)
        key = key if label == spreadsheets.TOTAL else (*key, label)
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
    assert (prefilled[spreadsheets.NUM], prefilled[spreadsheets.DEN]) == (400, 900)

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
    assert saved[("P51", catalogue["5.3"].code)][spreadsheets.VALUE] == 1


def test_bad_cells_are_named_by_row_and_column(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    content = _download(client, tree["province"], children=False)
    book = load_workbook(io.BytesIO(content))
    sheet = book[spreadsheets.SHEET]
    sheet["G2"] = "mười"
    sheet["B3"] = "X00000"
    sheet["G3"] = 1
    sheet["H3"] = 2
    sheet["A4"] = 2035
    sheet["I4"] = 1
    out = io.BytesIO()
    book.save(out)
    page = _upload(client, tree["province"], out.getvalue()).content.decode()
    assert "Dòng 2, cột “Tử số”: Không đọc được “mười” là một số." in page
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
    # The preview rehearses the save: the refusal shows before anything can be confirmed.
    page = _upload(client, tree["province"], content).content.decode()
    assert "Tử số không được lớn hơn mẫu số" in page and 'id="preview"' not in page
    assert not DataValue.objects.exists()


def test_breakdowns_have_their_own_lines_both_ways(client, personas, tree, catalogue):
    """3.2a asks for a breakdown by sex: the template has a line per sex under the total,
    pre-filled, and an upload saves each part as its own figure."""
    admin = personas["province_admin"]
    victims = catalogue["3.2a"]
    record_value(admin, victims, tree["province"], 2025, numerator=40, denominator=50)
    record_value(
        admin, victims, tree["province"], 2025, numerator=30, denominator=36, category="sex:female"
    )
    client.force_login(admin)
    content = _download(client, tree["province"], children=False)
    rows = list(
        load_workbook(io.BytesIO(content))[spreadsheets.SHEET].iter_rows(
            min_row=2, values_only=True
        )
    )
    lines = [r for r in rows if r[spreadsheets.CODE] == victims.code]
    assert [r[spreadsheets.CATEGORY] for r in lines] == [
        "Tổng số",
        "Giới tính: Nữ",
        "Giới tính: Nam",
    ]
    assert (lines[1][spreadsheets.NUM], lines[1][spreadsheets.DEN]) == (30, 36)
    assert lines[2][spreadsheets.NUM] is None  # nothing entered for men yet

    filled = _fill(
        content,
        {
            ("P51", victims.code, "Giới tính: Nữ"): (31, 36, None),
            ("P51", victims.code, "Giới tính: Nam"): (9, 14, None),
        },
    )
    page = _upload(client, tree["province"], filled).content.decode()
    assert "Mới: <strong>1</strong>" in page and "Thay đổi: <strong>1</strong>" in page
    assert "<td>P51 · 3.2a · Giới tính: Nữ</td>" in page  # the preview says which line is which
    assert "<td>30/36</td><td>31</td><td>36</td>" in page  # and what a changed line replaces
    client.post(reverse("indicators:excel_import", args=[tree["province"].pk]), {"confirm": "1"})
    saved = {
        v.category: (v.numerator, v.denominator)
        for v in DataValue.objects.filter(indicator=victims, unit=tree["province"])
    }
    assert saved == {"": (40, 50), "sex:female": (31, 36), "sex:male": (9, 14)}


def _single_line(year, unit, indicator, category, numerator, denominator) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = spreadsheets.SHEET
    sheet.append(spreadsheets.HEADERS)
    sheet.append([year, unit, "", indicator, "", category, numerator, denominator, None, "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("category", "saved"),
    [("Sex: Women", "sex:female"), ("gioi tinh - nu", "sex:female"), ("", ""), ("Tổng số", "")],
)
def test_a_breakdown_may_be_written_in_english_or_without_diacritics(
    client, personas, tree, catalogue, category, saved
):
    client.force_login(personas["province_admin"])
    content = _single_line(2025, "P51", catalogue["3.2a"].code, category, 3, 4)
    _upload(client, tree["province"], content)
    client.post(reverse("indicators:excel_import", args=[tree["province"].pk]), {"confirm": "1"})
    assert DataValue.objects.get().category == saved


@pytest.mark.parametrize(
    ("number", "category", "message"),
    [
        ("3.2a", "Nhóm tuổi: 16 đến 30", "Dòng 2, cột “Phân tổ”: chỉ tiêu {code} không có phân tổ"),
        ("2.1", "Giới tính: Nữ", "Dòng 2, cột “Phân tổ”: chỉ tiêu {code} không có phân tổ"),
    ],
)
def test_a_breakdown_the_indicator_does_not_have_is_refused(
    client, personas, tree, catalogue, number, category, message
):
    client.force_login(personas["province_admin"])
    code = catalogue[number].code
    page = _upload(
        client, tree["province"], _single_line(2025, "P51", code, category, 3, 4)
    ).content.decode()
    assert message.format(code=code) in page
    assert not DataValue.objects.exists()


def test_parts_over_the_total_in_a_file_are_refused_by_row(client, personas, tree, catalogue):
    admin = personas["province_admin"]
    victims = catalogue["3.2a"]
    record_value(admin, victims, tree["province"], 2025, numerator=10, denominator=20)
    client.force_login(admin)
    page = _upload(
        client, tree["province"], _single_line(2025, "P51", victims.code, "Nam", 15, 20)
    ).content.decode()
    assert "Dòng 2:" in page and 'id="preview"' not in page
    assert DataValue.objects.count() == 1


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
