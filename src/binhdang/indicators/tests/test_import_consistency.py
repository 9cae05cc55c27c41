"""The figures and DHIS2 imports through the one pipeline (core.imports): duplicates refused by
row, notes and limits checked, the preview a rehearsal of the save (what it shows as new, the
save takes), and no false "required" message on the confirm step."""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from binhdang.indicators import dhis2, spreadsheets, sums
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import record_value

pytestmark = [pytest.mark.django_db, pytest.mark.security]

URL = "indicators:excel_import"


def _sheet(*lines) -> bytes:
    """A figures sheet with these (year, unit, indicator, category, num, den, value, note)."""
    book = Workbook()
    sheet = book.active
    sheet.title = spreadsheets.SHEET
    sheet.append(spreadsheets.HEADERS)
    for year, unit, code, category, num, den, value, note in lines:
        sheet.append([year, unit, "", code, "", category, num, den, value, note, ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, unit, content):
    return client.post(
        reverse(URL, args=[unit.pk]), {"file": SimpleUploadedFile("so-lieu.xlsx", content)}
    )


def _confirm(client, unit):
    return client.post(reverse(URL, args=[unit.pk]), {"confirm": "1"})


def test_duplicate_rows_are_refused_by_row_not_collapsed(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    code = catalogue["5.3"].code
    line = (2025, "P51", code, "", None, None, 1, "")
    page = _upload(client, tree["province"], _sheet(line, line, line)).content.decode()
    assert "Dòng 3: trùng với dòng 2" in page and "Dòng 4: trùng với dòng 2" in page
    assert 'id="preview"' not in page
    assert _confirm(client, tree["province"]).status_code == 302  # nothing pending
    assert not DataValue.objects.exists()


def test_a_total_written_empty_and_as_tong_so_is_the_same_line(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    code = catalogue["5.3"].code
    content = _sheet(
        (2025, "P51", code, "", None, None, 1, ""),
        (2025, "P51", code, "Tổng số", None, None, 0, ""),
    )
    page = _upload(client, tree["province"], content).content.decode()
    assert "Dòng 3: trùng với dòng 2" in page


def test_a_100000_character_note_is_refused(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    line = (2025, "P51", catalogue["5.3"].code, "", None, None, 1, "x" * 100_000)
    page = _upload(client, tree["province"], _sheet(line)).content.decode()
    assert "Dòng 2, cột “Ghi chú”: dài quá 2000 ký tự." in page
    assert not DataValue.objects.exists()


def test_numbers_are_read_as_vietnamese_write_them_and_saved_as_decimals(
    client, personas, tree, catalogue
):
    client.force_login(personas["province_admin"])
    line = (2025, "P51", catalogue["2.1"].code, "", "1.234", "2.000,5", None, "")
    page = _upload(client, tree["province"], _sheet(line)).content.decode()
    assert 'id="preview"' in page, page
    assert _confirm(client, tree["province"]).status_code == 302
    stored = DataValue.objects.get()
    assert (stored.numerator, stored.denominator) == (Decimal("1234"), Decimal("2000.5"))


def test_what_the_preview_marks_new_the_save_takes(client, personas, tree, catalogue):
    """A figure far from last year's needs a note: the preview says so, not "Mới"."""
    admin = personas["province_admin"]
    share = catalogue["2.1"]
    record_value(admin, share, tree["province"], 2025, numerator=100, denominator=1000)
    client.force_login(admin)
    line = (2026, "P51", share.code, "", 900, 1000, None, "")
    page = _upload(client, tree["province"], _sheet(line)).content.decode()
    assert 'id="preview"' not in page
    assert "Dòng 2:" in page and "ghi chú" in page.lower()


def test_a_preview_that_the_save_refuses_is_shown_as_problems(client, personas, tree, catalogue):
    """Numerator above the denominator: refused at the preview already, by row."""
    client.force_login(personas["province_admin"])
    line = (2025, "P51", catalogue["2.2"].code, "", 950, 900, None, "")
    page = _upload(client, tree["province"], _sheet(line)).content.decode()
    assert 'id="preview"' not in page
    assert "Dòng 2:" in page and "Tử số không được lớn hơn mẫu số" in page


def test_the_confirm_step_shows_no_false_required_message(client, personas, tree, catalogue):
    admin = personas["province_admin"]
    client.force_login(admin)
    line = (2025, "P51", catalogue["5.3"].code, "", None, None, 1, "")
    _upload(client, tree["province"], _sheet(line))
    # Someone locks the year between the preview and the confirmation: the save refuses.
    from binhdang.indicators.services import lock_year

    lock_year(personas["system_admin"], tree["province"], 2025, "Đã chốt số liệu")
    page = _confirm(client, tree["province"]).content.decode()
    assert "Dòng 2:" in page
    assert "Trường này là bắt buộc" not in page
    assert not DataValue.objects.exists()


def test_dhis2_deeply_nested_json_is_refused_cleanly(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    content = b'{"dataValues": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    response = client.post(
        reverse("indicators:dhis2_import", args=[tree["province"].pk]),
        {"file": SimpleUploadedFile("set.json", content)},
    )
    assert response.status_code == 400
    assert "lồng nhau quá sâu" in response.content.decode()


def test_dhis2_duplicate_values_are_refused_by_line(personas, tree, catalogue):
    item = {"dataElement": catalogue["5.3"].code, "period": "2025", "orgUnit": "P51", "value": "1"}
    cells = dhis2.parse(json.dumps({"dataValues": [item, item]}).encode(), "set.json")
    with pytest.raises(Exception) as error:
        dhis2.import_values(personas["province_admin"], cells)
    assert "Dòng 2: trùng với dòng 1" in "\n".join(error.value.messages)
    assert not DataValue.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_dhis2_sets_past_the_row_limit_are_refused(settings, fmt):
    settings.IMPORT_MAX_ROWS = 2
    item = {"dataElement": "X", "period": "2025", "orgUnit": "P51", "value": "1"}
    if fmt == "json":
        content = json.dumps({"dataValues": [item] * 3}).encode()
    else:
        content = (
            "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
            + "X,2025,P51,,,1\n" * 3
        ).encode()
    with pytest.raises(Exception) as error:
        dhis2.parse(content, f"set.{fmt}")
    assert "Tệp có hơn 2 dòng" in error.value.messages[0]


def test_dhis2_values_are_read_as_machine_numbers_and_saved_as_decimals(personas, tree, catalogue):
    code = catalogue["2.1"].code
    items = [
        {"dataElement": f"{code}.NUM", "period": "2025", "orgUnit": "P51", "value": "412.5"},
        {"dataElement": f"{code}.DEN", "period": "2025", "orgUnit": "P51", "value": 903},
    ]
    cells = dhis2.parse(json.dumps({"dataValues": items}).encode(), "set.json")
    assert dhis2.import_values(personas["province_admin"], cells) == 1
    stored = DataValue.objects.get()
    assert (stored.numerator, stored.denominator) == (Decimal("412.5"), Decimal("903"))


def _vi(number: int) -> str:
    return f"{number:,}".replace(",", ".")


@given(
    numerator=st.integers(min_value=-5, max_value=3000),
    denominator=st.integers(min_value=0, max_value=3000),
    as_text=st.booleans(),
)
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_preview_accepts_exactly_what_the_save_accepts(
    personas, tree, catalogue, numerator, denominator, as_text
):
    """Whatever the figures, a file the preview accepts is saved as previewed, and a file the
    preview refuses is one the save would refuse too."""
    DataValue.objects.all().delete()
    sums.rebuild()  # deleted around the services: the roll-up's sums too
    admin = personas["province_admin"]
    num, den = (_vi(numerator), _vi(denominator)) if as_text else (numerator, denominator)
    content = _sheet((2025, "P51", catalogue["2.2"].code, "", num, den, None, ""))
    rows = spreadsheets.parse(SimpleUploadedFile("s.xlsx", content))
    try:
        spreadsheets.preview(admin, rows)
        previewed = True
    except ValidationError:
        previewed = False
    assert not DataValue.objects.exists()  # the rehearsal left nothing behind
    pending = spreadsheets.rows_from_session(spreadsheets.rows_to_session(rows))
    try:
        saved = spreadsheets.save(admin, pending)
    except ValidationError:
        saved = 0
    assert previewed == (saved == 1)
    if previewed:
        stored = DataValue.objects.get()
        assert (stored.numerator, stored.denominator) == (Decimal(numerator), Decimal(denominator))
