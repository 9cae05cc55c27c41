"""The shared Excel readers: what they hand back, and what they refuse before reading."""

import datetime
import io
import zipfile

import pytest
from django.test import override_settings
from openpyxl import Workbook

from binhdang.core.spreadsheets import (
    NOTES_HEADING,
    ImportErrors,
    guide_sheet,
    open_workbook,
    sheet_rows,
    workbook_bytes,
)


def _book(rows_by_sheet: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in rows_by_sheet.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    return workbook_bytes(book)


def test_sheet_rows_reads_the_named_sheet_keeping_row_numbers():
    data = _book(
        {
            "Khác": [["không đọc"]],
            "Số liệu": [[None, None], [None, None], ["Năm", "Giá trị"], [2024, 12.5]],
        }
    )
    rows = sheet_rows(data, "Số liệu")
    # Empty leading rows and columns are kept, so row 3 of the sheet is rows[2].
    assert rows[2] == ["Năm", "Giá trị"]
    assert rows[3][1] == 12.5 and int(rows[3][0]) == 2024
    assert rows[0] == ["", ""]


def test_sheet_rows_falls_back_to_the_first_sheet_and_reads_dates():
    data = _book({"Trang tính 1": [["Ngày"], [datetime.date(2025, 3, 8)]]})
    rows = sheet_rows(data, "Số liệu")
    assert rows[0] == ["Ngày"]
    assert rows[1][0] in (datetime.date(2025, 3, 8), datetime.datetime(2025, 3, 8))


@pytest.mark.parametrize("reader", [sheet_rows, lambda data, _sheet: open_workbook(data)])
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "tệp Excel cũ (.xls)"),
        ("Tên,Năm\nA,2024\n".encode(), "không phải là sổ làm việc Excel (.xlsx)"),
        (b"PK\x03\x04 broken", "không phải là sổ làm việc Excel (.xlsx)"),
    ],
)
def test_foreign_files_are_refused_with_a_vietnamese_message(reader, data, message):
    with pytest.raises(ImportErrors) as caught:
        reader(data, "Số liệu")
    assert message in caught.value.messages[0]


def test_a_zip_without_a_workbook_inside_is_refused_as_damaged():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ghi-chu.txt", "không phải Excel")
    with pytest.raises(ImportErrors) as caught:
        sheet_rows(buffer.getvalue(), "Số liệu")
    assert "tệp bị hỏng" in caught.value.messages[0]


@override_settings(IMPORT_MAX_MB=0.01)
def test_an_archive_that_unpacks_far_past_the_limit_is_refused_unread():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 1_000_000)
    with pytest.raises(ImportErrors) as caught:
        sheet_rows(buffer.getvalue(), "Số liệu")
    assert "quá nhiều dữ liệu" in caught.value.messages[0]


def test_guide_sheet_lays_out_title_table_and_notes():
    book = Workbook()
    guide_sheet(
        book,
        "Hướng dẫn",
        [
            ("HƯỚNG DẪN", "", ""),
            ("", "", ""),
            ("Cột", "Bắt buộc", "Cách ghi"),
            ("Họ và tên", "Có", "Đầy đủ, có dấu."),
            ("", "", ""),
            (NOTES_HEADING, "", ""),
            ("1.", "", "Mỗi người một dòng."),
        ],
        first_width=32,
    )
    sheet = book["Hướng dẫn"]
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 13
    assert sheet["C3"].font.b and sheet["A6"].font.b and not sheet["A4"].font.b
    assert sheet["C7"].value == "Mỗi người một dòng." and sheet["C7"].alignment.wrap_text
    widths = [sheet.column_dimensions[c].width for c in "ABC"]
    assert widths == [32, 10, 100]
