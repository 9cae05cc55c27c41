"""The one import pipeline (core.imports): limits, duplicates, dates, text length, numbers, and
the files that attack (entity expansion, zip bombs, deeply nested JSON)."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from binhdang.core import imports
from binhdang.core.imports import DATE, INTEGER, LINES, NUMBER, Column, Spec, read_json, read_sheet
from binhdang.core.spreadsheets import ImportErrors, workbook_bytes

pytestmark = pytest.mark.security  # issue 17: the import and backup cases of the suite


SPEC = Spec(
    sheet="Danh sách",
    columns=(
        Column("Tên", required=True, max_length=50),
        Column("Ngày", DATE),
        Column("Số", NUMBER),
        Column("Số người", INTEGER),
        Column("Ghi chú", LINES),
    ),
    noun="mục",
)
HEADERS = [c.name for c in SPEC.columns]


def _upload(rows: list[list], headers=HEADERS, title="Danh sách") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    return SimpleUploadedFile("tep.xlsx", workbook_bytes(book))


def _messages(rows, **kwargs) -> list[str]:
    with pytest.raises(ImportErrors) as caught:
        table = read_sheet(_upload(rows, **kwargs), SPEC)
        table.raise_problems()
    return caught.value.messages


def test_cells_are_cleaned_by_their_column():
    with translation.override("vi"):
        table = read_sheet(
            _upload([["  Hội  LHPN ", "08/03/2025", "1.234,5", "1.340", "dòng 1\n dòng  2"]]),
            SPEC,
        )
    (row,) = table.rows
    assert row.number == 2
    assert row["Tên"] == "Hội LHPN"
    assert row["Ngày"] == datetime.date(2025, 3, 8)
    assert row["Số"] == Decimal("1234.5") and isinstance(row["Số"], Decimal)
    assert row["Số người"] == 1340
    assert row["Ghi chú"] == "dòng 1\ndòng 2"
    assert not table.problems


def test_a_whole_number_cell_is_a_decimal_without_a_trailing_zero():
    table = read_sheet(_upload([["A", None, 31.0, 5.0, None]]), SPEC)
    assert str(table.rows[0]["Số"]) == "31"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ([None, None, 1, None, None], "Dòng 2, cột “Tên”: chưa ghi; cột này bắt buộc."),
        (["A" * 51, None, None, None, None], "Dòng 2, cột “Tên”: dài quá 50 ký tự."),
        (["A", None, None, None, "x" * 100_000], "Dòng 2, cột “Ghi chú”: dài quá 2000 ký tự."),
        (["A", "30/02/2025", None, None, None], "Dòng 2, cột “Ngày”: “30/02/2025” không phải"),
        (["A", "01/01/1890", None, None, None], "Dòng 2, cột “Ngày”: ngày 01/01/1890 nằm ngoài"),
        (["A", datetime.date(2199, 1, 1), None, None, None], "ngày 01/01/2199 nằm ngoài"),
        (["A", None, "mười", None, None], "Dòng 2, cột “Số”: Không đọc được “mười” là một số."),
        (
            ["A", None, None, "12,5", None],
            "Dòng 2, cột “Số người”: “12,5” không phải là số nguyên.",
        ),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column(row, expected):
    with translation.override("vi"):
        messages = _messages([row])
    assert any(message.startswith(expected) or expected in message for message in messages)


def test_problems_are_listed_by_row_then_left_to_right():
    messages = _messages([["A", "1/1/1890", "x", None, None], [None, None, "y", None, None]])
    assert [m.split(":")[0] for m in messages] == [
        "Dòng 2, cột “Ngày”",
        "Dòng 2, cột “Số”",
        "Dòng 3, cột “Tên”",
        "Dòng 3, cột “Số”",
    ]


def test_duplicate_keys_are_refused_by_row():
    table = read_sheet(
        _upload([["An", None, 1, None, None], ["Bình", None, 2, None, None], ["an", None, 3]]),
        SPEC,
    )
    table.refuse_duplicates(lambda row: row["Tên"].casefold(), "Tên")
    with pytest.raises(ImportErrors) as caught:
        table.raise_problems()
    assert caught.value.messages == ["Dòng 4, cột “Tên”: trùng với dòng 2."]


def test_missing_unknown_and_doubled_headers_are_refused_at_once():
    messages = _messages([["A"]], headers=["Tên", "Tên", "Màu", "Ngày", "Số", "Số người"])
    assert messages[0].startswith("Dòng 1: tệp không đúng mẫu, thiếu cột “Ghi chú”")
    assert "Dòng 1, cột “Tên”: cột này có hai lần." in messages
    assert "Dòng 1, cột “Màu”: cột này không có trong mẫu; hãy xóa cột hoặc dùng tệp mẫu." in (
        messages
    )


def test_headers_match_without_case_or_diacritics_and_a_renamed_sheet_is_read():
    table = read_sheet(
        _upload(
            [["A", None, None, None, None]],
            headers=["TEN", "ngay", "so", "So nguoi", "GHI CHU"],
            title="Sheet1",
        ),
        SPEC,
    )
    assert table.rows[0]["Tên"] == "A"


def test_an_empty_file_is_refused_saying_how_to_fill_it():
    messages = _messages([[None, None, None, None, None]])
    assert messages == [
        "Tệp không có dòng dữ liệu nào: ghi mỗi mục một dòng trên trang “Danh sách”, từ dòng 2."
    ]


def test_row_numbers_are_kept_past_empty_rows_and_leading_columns():
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet["C3"] = "Tên"  # the table starts at C3: rows and columns before it are empty
    sheet["C6"] = "An"
    spec = Spec(sheet="Danh sách", columns=(Column("Tên"),), noun="mục")
    with pytest.raises(ImportErrors) as caught:  # row 1 is the header row: C3 is a stray cell
        read_sheet(SimpleUploadedFile("t.xlsx", workbook_bytes(book)), spec)
    assert "thiếu cột “Tên”" in caught.value.messages[0]
    sheet["C1"], sheet["C3"] = "Tên", "Bình"
    table = read_sheet(SimpleUploadedFile("t.xlsx", workbook_bytes(book)), spec)
    assert [(row.number, row["Tên"]) for row in table.rows] == [(3, "Bình"), (6, "An")]


@override_settings(IMPORT_MAX_ROWS=3)
def test_a_file_past_the_row_limit_is_refused_before_it_is_read():
    with pytest.raises(ImportErrors) as caught:
        read_sheet(_upload([["A"]] * 4), SPEC)
    assert caught.value.messages == [
        "Tệp có hơn 3 dòng: mỗi lần chỉ nhập được đến 3 dòng; hãy chia thành nhiều tệp."
    ]
    assert len(read_sheet(_upload([["A"]] * 3), SPEC).rows) == 3


def test_a_spec_may_allow_fewer_rows():
    spec = Spec(sheet="Danh sách", columns=SPEC.columns, noun="mục", max_rows=2)
    with pytest.raises(ImportErrors) as caught:
        read_sheet(_upload([["A"], ["B"], ["C"]]), spec)
    assert "hơn 2 dòng" in caught.value.messages[0]


# Files that attack ---------------------------------------------------------------------------


def _with_part(name: str, text: str) -> bytes:
    """A real workbook whose part `name` is replaced by `text`."""
    source = zipfile.ZipFile(io.BytesIO(_upload([["A"]]).read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info, text if info.filename == name else source.read(info))
    return out.getvalue()


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize(
    "part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml"]
)
def test_entity_expansion_in_any_xml_part_is_refused_unread(part):
    data = _with_part(part, LAUGHS)
    with pytest.raises(ImportErrors) as caught:
        read_sheet(SimpleUploadedFile("bom.xlsx", data), SPEC)
    assert "DOCTYPE/ENTITY" in caught.value.messages[0]


def test_openpyxl_parses_through_defusedxml():
    """openpyxl uses defusedxml when it is installed (its documentation asks for it)."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


@override_settings(IMPORT_MAX_MB=0.01)
def test_a_zip_bomb_that_hides_its_size_is_stopped_while_unpacking():
    """The archive's directory says 10 bytes; unpacking finds out otherwise, in bounded memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<row " * 1_000_000)
    data = bytearray(out.getvalue())
    # Rewrite the stated sizes (local header and central directory) to 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(ImportErrors) as caught:
        read_sheet(SimpleUploadedFile("bom.xlsx", bytes(data)), SPEC)
    message = caught.value.messages[0]
    assert "quá nhiều dữ liệu" in message or "không phải là sổ làm việc" in message


@override_settings(IMPORT_MAX_MB=0.01)
def test_a_zip_bomb_that_states_its_size_is_refused_without_unpacking():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 1_000_000)
    with pytest.raises(ImportErrors) as caught:
        read_sheet(SimpleUploadedFile("bom.xlsx", out.getvalue()), SPEC)
    assert "quá nhiều dữ liệu" in caught.value.messages[0]


def test_an_old_xls_file_is_refused_with_the_way_to_fix_it():
    with pytest.raises(ImportErrors) as caught:
        read_sheet(SimpleUploadedFile("cu.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100), SPEC)
    assert "lưu lại dưới dạng sổ làm việc Excel (.xlsx)" in caught.value.messages[0]


# JSON ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_deeply_nested_json_is_refused_cleanly(opening):
    closing = b"]" if opening == b"[" else b"}"
    data = opening * 100_000 + b"1" + closing * 100_000
    with pytest.raises(ImportErrors) as caught:
        read_json(data)
    assert "lồng nhau quá sâu" in caught.value.messages[0]


def test_brackets_inside_strings_do_not_count_as_nesting():
    document = read_json(b'{"dataValues": [{"comment": "[[[[[[[[[[[[[[[[[[[[[[[[[[ \\" {{{{"}]}')
    assert document["dataValues"][0]["comment"].startswith("[[[")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [(b"\xff\xfe", "UTF-8"), (b"{nope", "JSON hợp lệ")],
)
def test_json_that_cannot_be_read_is_refused_in_vietnamese(data, fragment):
    with pytest.raises(ImportErrors) as caught:
        read_json(data)
    assert fragment in caught.value.messages[0]


@given(depth=st.integers(min_value=0, max_value=60))
@hypothesis_settings(max_examples=30, deadline=None)
def test_json_depth_is_accepted_up_to_the_limit_exactly(depth):
    data = b"[" * depth + b"]" * depth or b"0"
    if depth <= imports.JSON_MAX_DEPTH:
        read_json(data)
    else:
        with pytest.raises(ImportErrors):
            read_json(data)


# Hypothesis: dates and whole numbers ---------------------------------------------------------


@given(day=st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2200, 12, 31)))
@hypothesis_settings(max_examples=80, deadline=None)
def test_a_date_is_taken_exactly_when_it_is_within_the_range(day):
    column = Column("Ngày", DATE)
    value, problem = column.clean(day.strftime("%d/%m/%Y"))
    if imports.EARLIEST <= day <= column.latest():
        assert value == day and problem is None
    else:
        assert value is None and "nằm ngoài khoảng" in problem


@given(number=st.integers(min_value=0, max_value=10**12))
@hypothesis_settings(max_examples=80, deadline=None)
def test_a_whole_number_written_the_vietnamese_way_reads_back(number):
    text = f"{number:,}".replace(",", ".")
    with translation.override("vi"):
        assert Column("Số người", INTEGER).clean(text) == (number, None)
        assert Column("Số", NUMBER).clean(text + ",5") == (Decimal(number) + Decimal("0.5"), None)


# Preview as a rehearsal of the save ----------------------------------------------------------


@pytest.mark.django_db
def test_rehearse_runs_the_save_and_rolls_it_back():
    from binhdang.orgunits.models import OrgUnit

    def save(code):
        OrgUnit.objects.filter(code=code).update(name="Đổi tên")
        return OrgUnit.objects.get(code=code).name

    before = OrgUnit.objects.get(code="P51").name
    assert imports.rehearse(save, "P51") == "Đổi tên"
    assert OrgUnit.objects.get(code="P51").name == before
    assert connection.in_atomic_block  # the test's own transaction is still usable


@override_settings(IMPORT_MAX_ROWS=1000, IMPORT_MAX_MB=5)
def test_a_file_past_the_row_limit_is_refused_in_bounded_memory():
    """200,000 rows (what a 5 MB upload can hold) are counted while the XML streams: the refusal
    allocates a few chunks, not the sheet (the old reader peaked at 135 MB of Python objects)."""
    import tracemalloc

    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Hội LHPN</t></is></c></row>'
        for n in range(1, 200_001)
    )
    data = _with_part(
        "xl/worksheets/sheet1.xml",
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>",
    )
    upload = SimpleUploadedFile("lon.xlsx", data)
    tracemalloc.start()
    try:
        with pytest.raises(ImportErrors) as caught:
            read_sheet(upload, SPEC)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "Tệp có hơn 1.000 dòng" in caught.value.messages[0]
    assert peak < 3 * len(data) + 2_000_000  # the upload's bytes read once, plus chunks
