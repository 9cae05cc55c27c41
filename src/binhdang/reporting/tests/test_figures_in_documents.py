"""The Word report and the Excel annex write figures as the pages do: the same digits, the
breakdowns under their totals, "no figures yet" instead of 0%, and no research note."""

import datetime
import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from binhdang.indicators import display
from binhdang.indicators.tests.test_display import YEAR, record_figures
from binhdang.reporting import consolidated, documents
from binhdang.reporting.models import ReportingRound, State, Submission

pytestmark = pytest.mark.django_db
DATE = datetime.date(2025, 12, 5)


@pytest.fixture
def report(tree, personas, catalogue):
    """Quảng Ngãi's 2025 report, its province figures entered, its commune with a breakdown and
    its neighbour without a single figure."""
    record_figures(personas["system_admin"], tree["province"], catalogue)
    record_figures(personas["system_admin"], tree["commune"], catalogue)
    round = ReportingRound.objects.create(
        opener=tree["province"],
        name="Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025",
        kind="annual",
        year=YEAR,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        deadline=datetime.date(YEAR, 12, 15),
    )
    for unit in (tree["commune"], tree["neighbour"]):
        Submission.objects.create(round=round, unit=unit, state=State.ACCEPTED)
    return consolidated.build_report(round, tree["province"], date=DATE)


def _text(document) -> str:
    body = document.element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def test_word_report_has_the_pages_digits_breakdowns_and_no_research_notes(report):
    document = Document(io.BytesIO(documents.report_docx(report)))
    text = _text(document)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Mã")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    by_code = {row[0]: row for row in rows if row[0]}
    assert by_code["4.1"][3] == "112,2 (230/205)"
    assert by_code["3.1"][3:] == ["1,704 (1.704/1.000)", "≤ 1,7", "Chưa đạt"]
    victims = rows.index(by_code["3.2a"])
    assert rows[victims + 1][1:4] == ["– Nữ", "—", "83,3% (50/60)"]
    assert rows[victims + 2][1:4] == ["– Nam", "—", "75,0% (30/40)"]
    assert "1/19 chỉ tiêu đạt và vượt (5,3%); 2 chưa đạt" in text
    # Last year has no figure at all: said so, not "Năm 2024: 0/19 … (0,0%)".
    assert "Chưa có số liệu năm 2024 để so sánh." in text and "Năm 2024: 0/" not in text
    assert display.is_public(text)
    assert "Chỉ tiêu 2 của Mục tiêu 6" in text


def test_excel_annex_shows_the_same_digits_and_the_breakdowns(report, tree):
    book = load_workbook(io.BytesIO(documents.report_annex_xlsx(report)))
    sheet = book["Chỉ tiêu"]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=5) if row[0].value}
    ratio = cells["4.1"][4]
    assert ratio.value == pytest.approx(112.1951) and ratio.number_format == "#,##0.0"
    assert cells["3.1"][4].number_format == "#,##0.000"  # 1,704: the digits of the verdict
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    victims = next(i for i, row in enumerate(rows) if row[0] == "3.2a")
    assert rows[victims + 1][1] == "– Nữ" and rows[victims + 1][4:7] == (
        pytest.approx(83.3333),
        50,
        60,
    )
    assert rows[victims + 2][1] == "– Nam"
    units = book["Theo đơn vị"]
    headers = [c.value for c in units[4]]
    assert "3.2a – Nữ" in headers and "3.2a – Nam" in headers
    lines = {row[0]: row for row in units.iter_rows(min_row=5, values_only=True)}
    commune, neighbour = lines[tree["commune"].name], lines[tree["neighbour"].name]
    assert commune[headers.index("3.2a – Nữ")] == pytest.approx(83.3333)
    assert commune[headers.index("Chỉ tiêu đạt")].startswith("1/19 chỉ tiêu đạt và vượt")
    assert neighbour[headers.index("Chỉ tiêu đạt")] == "Chưa có số liệu"
    every = " ".join(str(c) for s in book for row in s.iter_rows(values_only=True) for c in row)
    assert display.is_public(every)
