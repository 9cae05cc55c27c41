"""The analyst export: a row per stored value, exactly right, in scope, safe in Excel, streamed."""

import csv
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from binhdang.indicators import analyst, queries
from binhdang.indicators.models import DataValue, Indicator
from binhdang.indicators.services import record_value, set_target

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.com/?leak","bấm")'
HEADER_VI = [
    "Mã đơn vị",
    "Đơn vị",
    "Cấp",
    "Mã các đơn vị cấp trên",
    "Năm",
    "Mã chỉ tiêu",
    "Số hiệu chỉ tiêu",
    "Chỉ tiêu",
    "Phân tổ",
    "Tử số",
    "Mẫu số",
    "Giá trị",
    "Kết quả",
    "Nguồn",
    "Ghi chú",
]


@pytest.fixture
def filled(personas, tree, catalogue):
    """Figures in P51 (the province and a commune), in Hà Nội, and in a pre-2025 commune; a
    target of P51's own for 2.1; a local indicator of Hà Nội."""
    admin = personas["system_admin"]
    province, commune = tree["province"], tree["commune"]
    ind = catalogue
    set_target(admin, ind["2.1"], year=2025, value=Decimal(40), comparator=">=", unit=province)
    record_value(admin, ind["2.1"], province, 2025, numerator=412, denominator=903, source="CTK")
    record_value(admin, ind["5.3"], province, 2025, value=1)
    record_value(admin, ind["3.2a"], province, 2025, numerator=600, denominator=1000)
    record_value(
        admin, ind["3.2a"], province, 2025, numerator=280, denominator=500, category="sex:female"
    )
    record_value(admin, ind["2.1"], commune, 2025, numerator=30, denominator=100, note=FORMULA)
    record_value(admin, ind["2.1"], tree["far_commune"], 2025, numerator=30, denominator=100)
    record_value(admin, ind["2.1"], tree["legacy_commune"], 2024, numerator=7, denominator=10)
    local = Indicator.objects.create(
        code="L-P01-1",
        number="HN1",
        owner_unit=tree["other_province"],
        name_vi="Số câu lạc bộ gia đình của Hà Nội",
        name_en="Family clubs of Hanoi",
        measure="count",
        direction="higher",
    )
    record_value(admin, local, tree["far_commune"], 2025, value=12)
    ind["HN1"] = local
    return ind


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _export(client, user, unit, **params):
    client.force_login(user)
    return client.get(reverse("indicators:analyst_export", args=[unit.pk]), params)


def test_rows_for_a_province_are_exactly_right_in_vietnamese(client, personas, tree, filled):
    province, commune = tree["province"], tree["commune"]
    response = _export(client, personas["province_approver"], province, format="csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="so-lieu-P51-2021-2030.csv"'
    header, *rows = _csv(response)
    assert header == HEADER_VI
    i21, i32, i53 = filled["2.1"], filled["3.2a"], filled["5.3"]
    p = ["P51", analyst.unit_name(province), "Cấp tỉnh", "VN", "2025"]
    c = [commune.code, analyst.unit_name(commune), "Cấp xã", "VN/P51", "2025"]
    assert sorted(rows) == sorted(
        [
            [*p, i21.code, "2.1", i21.name_vi, "Tổng cộng", "412", "903", "45.6257", "Đạt"]
            + ["CTK", ""],
            [*p, i32.code, "3.2a", i32.name_vi, "Tổng cộng", "600", "1000", "60", "Chưa đạt"]
            + ["", ""],
            [*p, i32.code, "3.2a", i32.name_vi, "Giới tính: Nữ", "280", "500", "56", ""] + ["", ""],
            [*p, i53.code, "5.3", i53.name_vi, "Tổng cộng", "", "", "1", "Đạt", "", ""],
            # P51's own target (≥ 40) judges its commune; the formula stays text.
            [*c, i21.code, "2.1", i21.name_vi, "Tổng cộng", "30", "100", "30", "Chưa đạt"]
            + ["", "'" + FORMULA],
        ]
    )
    # Units in tree order: the province before its commune.
    assert [row[0] for row in rows][0] == "P51"


def test_verdicts_are_the_overviews(personas, tree, filled):
    """A unit whose figure is its own entry gets the overview's verdict, in the same language."""
    province = tree["province"]
    framework = filled["2.1"].framework
    with translation.override("en"):
        rows = list(analyst.rows(personas["system_admin"], province, 2025, 2025))
        overview = {
            r.indicator.number: str(r.verdict.label)
            for r in queries.unit_overview(framework, province, 2025)
        }
    totals = {row[6]: row for row in rows if row[0] == "P51" and row[8] == "Total"}
    assert set(totals) == {"2.1", "3.2a", "5.3"}
    for number, row in totals.items():
        assert row[12] == overview[number]
    assert {row[12] for row in totals.values()} == {"Met", "Not met"}


def test_english_rows_and_typed_numbers(personas, tree, filled):
    with translation.override("en"):
        header = analyst.header()
        rows = list(analyst.rows(personas["province_viewer"], tree["province"], 2025, 2025))
    assert header[:4] == ["Unit code", "Unit", "Level", "Parent codes"]
    female = next(row for row in rows if row[8] == "Sex: Women")
    assert female[2] == "Province" and female[4] == 2025
    assert female[9:12] == [Decimal(280), Decimal(500), Decimal(56)]
    milestone = next(row for row in rows if row[6] == "5.3")
    assert milestone[9:13] == [None, None, Decimal(1), "Met"]


def test_the_language_of_the_request_holds_while_streaming(client, personas, tree, filled):
    client.force_login(personas["province_viewer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("indicators:analyst_export", args=[tree["province"].pk])
    response = client.get(url, {"format": "csv"})
    translation.activate("vi")  # what a worker thread may hold when the body is read
    header, *rows = _csv(response)
    assert header[0] == "Unit code" and {row[8] for row in rows} >= {"Total", "Sex: Women"}


def test_historical_units_carry_their_own_line(personas, tree, filled):
    legacy = tree["legacy_commune"]
    with translation.override("vi"):
        rows = list(analyst.rows(personas["system_admin"], tree["nation"], 2021, 2024))
    assert len(rows) == 1
    row = rows[0]
    assert row[:2] == [legacy.code, f"{legacy.name} (đến 30/06/2025)"]  # its label, with its end
    assert row[3] == "/".join(u.code for u in legacy.ancestors())
    assert row[3].startswith("VN/LP51/")
    assert row[4] == 2024 and row[11] == Decimal(70)


def test_a_commune_officer_sees_only_their_commune(client, personas, tree, filled):
    response = _export(client, personas["commune_officer"], tree["commune"], format="csv")
    _header, *rows = _csv(response)
    assert {row[0] for row in rows} == {tree["commune"].code}
    # Their province, or a neighbour's commune, is not theirs to export.
    for unit in (tree["province"], tree["neighbour"], tree["far_commune"]):
        assert _export(client, personas["commune_officer"], unit, format="csv").status_code == 404


def test_a_province_never_sees_another_province_or_its_local_indicator(
    client, personas, tree, filled
):
    approver = personas["province_approver"]
    rows = list(analyst.rows(approver, tree["province"], 2021, 2030))
    codes = {row[0] for row in rows}
    assert "P51" in codes and tree["far_commune"].code not in codes
    assert "L-P01-1" not in {row[5] for row in rows}
    assert filled["HN1"] not in analyst.indicators(approver, tree["province"])
    # Asking for the other province's indicator by id is refused, in Vietnamese.
    response = _export(
        client, approver, tree["province"], format="csv", indicators=filled["HN1"].pk
    )
    assert response.status_code == 400
    assert "không thuộc phạm vi bạn được xuất" in response.content.decode()
    # The nation's administrator sees it, under Hà Nội.
    rows = list(analyst.rows(personas["system_admin"], tree["nation"], 2025, 2025))
    local = [row for row in rows if row[5] == "L-P01-1"]
    assert [(r[0], r[11], r[12]) for r in local] == [
        (tree["far_commune"].code, Decimal(12), "Chưa có chỉ tiêu")
    ]


def test_filters_years_and_indicators(client, personas, tree, filled):
    response = _export(
        client,
        personas["system_admin"],
        tree["nation"],
        format="csv",
        first_year=2025,
        last_year=2025,
        indicators=[filled["5.3"].pk, filled["3.2a"].pk],
    )
    _header, *rows = _csv(response)
    assert sorted((row[6], row[8]) for row in rows) == [
        ("3.2a", "Giới tính: Nữ"),
        ("3.2a", "Tổng cộng"),
        ("5.3", "Tổng cộng"),
    ]
    assert response["Content-Disposition"].endswith('so-lieu-VN-2025.csv"')


def test_excel_has_the_same_rows_and_keeps_formulas_as_text(client, personas, tree, filled):
    user = personas["province_approver"]
    csv_rows = _csv(_export(client, user, tree["province"], format="csv"))
    response = _export(client, user, tree["province"], format="xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('so-lieu-P51-2021-2030.xlsx"')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    cells = [list(row) for row in sheet.iter_rows()]
    values = [[c.value for c in row] for row in cells]
    assert values[0] == HEADER_VI
    note = next(row[14] for row in cells[1:] if row[14].value)
    assert note.value == FORMULA and note.data_type == "s" and note.quotePrefix
    as_text = [
        ["" if v is None else format(Decimal(str(v)).normalize(), "f") if i in (9, 10, 11) else
         str(v) for i, v in enumerate(row)]
        for row in values[1:]
    ]  # fmt: skip
    csv_rows[1:] = [[v.removeprefix("'") if i == 14 else v for i, v in enumerate(r)]
                    for r in csv_rows[1:]]  # fmt: skip
    assert as_text == csv_rows[1:]


def test_a_formula_looking_unit_name_is_neutralised(client, personas, tree, filled):
    commune = tree["commune"]
    commune.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    commune.save()
    _header, *rows = _csv(_export(client, personas["commune_officer"], commune, format="csv"))
    assert {row[1] for row in rows} == {"'" + analyst.unit_name(commune)}


def test_the_view_streams_without_reading_the_values_first(client, personas, tree, filled):
    client.force_login(personas["system_admin"])
    url = reverse("indicators:analyst_export", args=[tree["nation"].pk])
    with CaptureQueriesContext(connection) as made:
        response = client.get(url, {"format": "csv"})
    assert response.streaming
    assert not [q for q in made.captured_queries if "indicators_datavalue" in q["sql"]]
    content = response.streaming_content
    first = next(content)
    assert first.startswith(b"\xef\xbb\xbf")  # the header, before any value is read
    with CaptureQueriesContext(connection) as read:
        rest = b"".join(content)
    assert rest.count(b"\n") == 8  # every value of the nation
    # A few queries per 500 units, whatever the number of values.
    chunks = -(-len(list(analyst.permissions.visible_units(personas["system_admin"]))) // 500)
    assert len(read.captured_queries) <= 4 + 2 * chunks


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"first_year": "1800"}, "Hãy chọn một năm từ 2021 đến 2030."),
        ({"last_year": "abc"}, "Hãy chọn một năm từ 2021 đến 2030."),
        ({"first_year": "2026", "last_year": "2025"}, "Năm bắt đầu không được sau năm kết thúc."),
        ({"indicators": "abc"}, "“abc” không phải là một chỉ tiêu."),
        ({"indicators": "999999"}, "Chỉ tiêu 999999 không thuộc phạm vi bạn được xuất."),
        ({"format": "pdf"}, "Định dạng tệp"),
    ],
)
def test_bad_filters_are_refused_in_vietnamese(client, personas, tree, filled, params, message):
    response = _export(client, personas["province_viewer"], tree["province"], **{
        "format": "csv", **params
    })  # fmt: skip
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_form_page_and_its_link(client, personas, tree, filled):
    client.force_login(personas["province_viewer"])
    overview = client.get(reverse("indicators:overview", args=[tree["province"].pk]))
    url = reverse("indicators:analyst_export", args=[tree["province"].pk])
    assert url in overview.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Xuất số liệu để phân tích" in text and "Tải xuống" in text
    assert _export(client, personas["province_viewer"], tree["nation"]).status_code == 404
    assert _export(client, personas["province_viewer"], tree["province"]).status_code == 200


def test_the_largest_and_smallest_stored_figures_are_written_in_full(
    client, personas, tree, filled
):
    """Figures at the columns' limits (an old import, a hand-made fix) come out as plain numbers,
    never in scientific notation, in both files."""
    row = DataValue.objects.get(unit=tree["commune"], indicator=filled["2.1"], year=2025)
    DataValue.objects.filter(pk=row.pk).update(
        numerator=Decimal("99999999999999"), denominator=Decimal("0.0001"), value=Decimal("0.0001")
    )
    user = personas["commune_officer"]
    (_header, line) = _csv(_export(client, user, tree["commune"], format="csv"))
    assert line[9:12] == ["99999999999999", "0.0001", "0.0001"]
    response = _export(client, user, tree["commune"], format="xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    (cells,) = book.worksheets[0].iter_rows(min_row=2, values_only=True)
    assert cells[9:12] == (99999999999999, 0.0001, 0.0001)
