"""The streamed writers of core.exports: CSV with a BOM and an Excel workbook, both in pieces."""

import csv
import io
import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from binhdang.core import exports

HEADER = ["Đơn vị", "Giá trị", "Ghi chú"]


def _read_csv(pieces) -> list[list[str]]:
    body = b"".join(pieces)
    assert body.startswith(exports.BOM.encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_comes_in_pieces_and_neutralises_formulas():
    rows = ([f"Xã {n}", str(n), "=1+1" if n == 3 else "-5"] for n in range(1200))
    pieces = list(exports.csv_stream(HEADER, rows, batch=500))
    assert len(pieces) == 4  # the header, then 500, 500 and 200 lines
    header, *lines = _read_csv(pieces)
    assert header == HEADER and len(lines) == 1200
    assert lines[3][2] == "'=1+1" and lines[4][2] == "-5"  # a plain number stays a number


@given(st.lists(st.text(max_size=20), min_size=3, max_size=3))
def test_csv_gives_back_every_text_neutralised(row):
    (read,) = _read_csv(exports.csv_stream(HEADER, [row]))[1:]
    assert read == [exports.neutralise(typed) for typed in row]
    # No cell a spreadsheet would read as a formula (a figure such as "-5" stays a figure)…
    assert all(
        not cell.startswith(exports.FORMULA_STARTS) or exports.neutralise(cell) == cell
        for cell in read
    )
    assert [exports.restore(cell) for cell in read] == row  # …and an import gets back the text


def _workbook(pieces):
    return load_workbook(io.BytesIO(b"".join(pieces)))


def test_excel_keeps_formulas_as_text_and_drops_control_characters():
    rows = [
        ['=HYPERLINK("http://x")', Decimal("45.6257"), "ghi chú\x0b dán từ Word <b>&"],
        ["Xã A", Decimal("1250.0000"), None],
        ["-5", 2025, "  lề  "],
    ]
    pieces = list(exports.xlsx_stream("Số liệu", HEADER, iter(rows)))
    sheet = _workbook(pieces)["Số liệu"]
    head, *cells = list(sheet.iter_rows())
    assert [c.value for c in head] == HEADER and head[0].font.b
    assert cells[0][0].value == '=HYPERLINK("http://x")' and cells[0][0].data_type == "s"
    assert cells[0][0].quotePrefix and not cells[1][0].quotePrefix
    assert cells[0][1].value == 45.6257 and cells[1][1].value == 1250
    assert cells[0][2].value == "ghi chú dán từ Word <b>&" and cells[1][2].value is None
    assert [c.value for c in cells[2]] == ["-5", 2025, "  lề  "]
    assert sheet.freeze_panes == "A2"
    # The importers' reader (calamine) reads it the same.
    with CalamineWorkbook.from_filelike(io.BytesIO(b"".join(pieces))) as book:
        read = book.get_sheet_by_name("Số liệu").to_python()
    assert read[1][:2] == ['=HYPERLINK("http://x")', 45.6257] and read[3][0] == "-5"


def test_excel_comes_in_pieces_before_the_last_row_is_read(monkeypatch):
    monkeypatch.setattr(exports, "_PIECE", 1000)
    read = []

    def rows():
        for n in range(2000):
            read.append(n)
            yield [f"Xã {n}", n, "ghi chú"]

    stream = exports.xlsx_stream("Số liệu", HEADER, rows())
    first = next(stream)
    assert first.startswith(b"PK") and len(read) < 2000
    rest = b"".join(stream)
    assert _workbook([first, rest])["Số liệu"].max_row == 2001


def test_excel_sends_its_first_bytes_before_reading_any_row():
    read = []

    def rows():
        for n in range(3):
            read.append(n)
            yield [f"Xã {n}", n, ""]

    stream = exports.xlsx_stream("Số liệu", HEADER, rows())
    first = next(stream)
    assert first.startswith(b"PK") and read == []
    assert _workbook([first, *stream])["Số liệu"].max_row == 4


def test_excel_goes_on_in_another_sheet_past_the_row_limit(monkeypatch):
    monkeypatch.setattr(exports, "SHEET_ROWS", 2)
    book = _workbook(exports.xlsx_stream("Số liệu", HEADER, ([f"Xã {n}", n, ""] for n in range(5))))
    assert book.sheetnames == ["Số liệu", "Số liệu 2", "Số liệu 3"]
    assert list(book["Số liệu 3"].iter_rows(values_only=True)) == [
        tuple(HEADER),
        ("Xã 4", 4, None),
    ]
    empty = _workbook(exports.xlsx_stream("Số liệu", HEADER, iter([])))
    assert list(empty["Số liệu"].iter_rows(values_only=True)) == [tuple(HEADER)]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@given(
    st.lists(st.dictionaries(st.text(max_size=8), _json_values, max_size=4), max_size=12),
    st.integers(1, 5),
)
def test_json_is_written_exactly_as_the_encoder_writes_the_whole_document(items, batch):
    streamed = b"".join(exports.json_stream("dataValues", iter(items), batch=batch))
    whole = json.dumps({"dataValues": items}, ensure_ascii=False, indent=1).encode()
    assert streamed == whole


def test_json_comes_in_pieces_of_batch_items():
    pieces = list(exports.json_stream("dataValues", ({"n": n} for n in range(1200)), batch=500))
    assert len(pieces) == 4  # the opening, then 500, 500 and the last 200 with the closing
    assert json.loads(b"".join(pieces)) == {"dataValues": [{"n": n} for n in range(1200)]}


def test_a_csv_for_another_system_has_no_bom():
    body = b"".join(exports.csv_stream(HEADER, [["a", "=x", "1"]], bom=False))
    assert body == "Đơn vị,Giá trị,Ghi chú\r\na,'=x,1\r\n".encode()
