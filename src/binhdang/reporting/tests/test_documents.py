"""The consolidated report's files from a hand-built report: Word (Decree 30), Excel, PDF."""

import datetime
import io
import os
import stat
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from binhdang.core.documents import MOTTO, NATIONAL_TITLE
from binhdang.reporting import documents
from binhdang.reporting.consolidated import ConsolidatedReport, SectionLine, SubunitLine
from binhdang.reporting.narrative import ActivityLine, Facts, RiskLine, TargetLine

DATE = datetime.date(2025, 12, 5)


def _report() -> ConsolidatedReport:
    targets = [
        TargetLine(
            "2.1",
            "Tỷ lệ lao động nữ làm công hưởng lương",
            "%",
            value=Decimal("55"),
            value_text="55,0%",
            fraction="55/100",
            numerator=Decimal(55),
            denominator=Decimal(100),
            target_text="≥ 50",
            verdict="exceeded",
            last_value=Decimal("50"),
            last_text="50,0%",
            last_verdict="met",
            change_text="tăng 5,0 điểm phần trăm",
            improved=True,
        ),
        TargetLine(
            "2.2",
            "Tỷ trọng lao động nữ trong nông nghiệp",
            "%",
            value=Decimal("35"),
            value_text="35,0%",
            target_text="< 30",
            verdict="not_met",
            last_value=Decimal("38"),
            last_text="38,0%",
            change_text="giảm 3,0 điểm phần trăm",
            improved=True,
        ),
        TargetLine("4.4", "Tỷ lệ tỉnh có cơ sở y tế", "%", target_text="≥ 40"),
        TargetLine("6.2", "Chỉ tiêu 2 của Mục tiêu 6", "%", verdict="no_target"),
    ]
    facts = Facts(
        unit_name="Tỉnh Quảng Ngãi",
        who="tỉnh Quảng Ngãi",
        year=2025,
        targets=targets,
        summary="1/3 chỉ tiêu đạt và vượt (33,3%)",
        last_summary="1/3 chỉ tiêu đạt và vượt (33,3%)",
        last_judged=3,
        at_risk=[
            RiskLine(
                "2.2", "Tỷ trọng lao động nữ trong nông nghiệp", 2030, "28,1%", "< 25", "at_risk"
            )
        ],
        activities=[ActivityLine("Tập huấn", 12, 1340, 831), ActivityLine("Hội nghị", 3, 0, 0)],
        activity_summary="Năm 2025, tỉnh Quảng Ngãi tổ chức 15 hoạt động.",
    )
    return ConsolidatedReport(
        unit_name="Tỉnh Quảng Ngãi",
        year=2025,
        date=DATE,
        issuer="UBND TỈNH QUẢNG NGÃI",
        issuer_text="Ủy ban nhân dân tỉnh Quảng Ngãi",
        place="Quảng Ngãi",
        number="      /BC-UBND",
        subject="Kết quả thực hiện công tác bình đẳng giới năm 2025",
        facts=facts,
        intro="Trên cơ sở báo cáo của các đơn vị, Ủy ban nhân dân tỉnh Quảng Ngãi báo cáo như sau:",
        subunits=[
            SubunitLine(
                "Xã An Phú",
                "Đã tiếp nhận",
                True,
                [Decimal("75"), None, None, None],
                ["75,0%", "—", "—", "—"],
                "1/1 chỉ tiêu đạt và vượt (100,0%)",
                4,
            ),
            SubunitLine("Xã Bình Minh", "Đã gửi", False, [None] * 4, ["—"] * 4, "", 0),
        ],
        reporting_line="Đã tiếp nhận báo cáo của 1/2 đơn vị.",
        sections=[
            SectionLine(
                "ket-qua",
                "Kết quả đạt được",
                "Năm 2025, tỉnh có 1/3 chỉ tiêu đạt và vượt.\n\nĐoạn thứ hai.",
                True,
                [("Xã An Phú", "Xã tổ chức 4 lớp tập huấn.")],
            ),
            SectionLine("han-che", "Hạn chế, nguyên nhân", "", False, []),
        ],
        recipients=["Bộ Nội vụ", "Ban Vì sự tiến bộ của phụ nữ tỉnh Quảng Ngãi", "Lưu: VT"],
        signature=["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
        file_stem="bao-cao-tinh-quang-ngai-2025",
    )


def _text(document) -> str:
    """Every paragraph, in tables too, in document order (tables flattened)."""
    body = document.element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def test_word_report_is_in_the_decree_30_format():
    document = Document(io.BytesIO(documents.report_docx(_report())))
    text = _text(document)
    header = document.tables[0]
    left, right = header.rows[0].cells
    left_lines = [p.text for p in left.paragraphs if p.text]
    assert left_lines == ["UBND TỈNH QUẢNG NGÃI", "Số:       /BC-UBND"]
    assert left.paragraphs[0].runs[0].bold
    right_lines = [p for p in right.paragraphs if p.text]
    assert [p.text for p in right_lines] == [
        NATIONAL_TITLE,
        MOTTO,
        "Quảng Ngãi, ngày 05 tháng 12 năm 2025",
    ]
    assert NATIONAL_TITLE == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert MOTTO == "Độc lập - Tự do - Hạnh phúc"
    assert right_lines[2].runs[0].italic
    assert "BÁO CÁO\nKết quả thực hiện công tác bình đẳng giới năm 2025" in text

    # Times New Roman in the styles and the document defaults, for every script.
    for name in ("Normal", "Table Grid"):
        style = document.styles[name]
        assert style.font.name == "Times New Roman"
        assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == "Times New Roman"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert {fonts.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    # No run names another font.
    named = {
        f.get(qn("w:ascii")) for f in document.element.body.iter(qn("w:rFonts")) if f is not None
    }
    assert named <= {None, "Times New Roman"}
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.top_margin.cm, 1) == 2.0
    assert "PAGE" in "".join(t.text for t in section.header._element.iter(qn("w:instrText")))


def test_word_report_targets_table_and_summary_line():
    document = Document(io.BytesIO(documents.report_docx(_report())))
    text = _text(document)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Mã")
    assert [c.text for c in table.rows[0].cells] == [
        "Mã",
        "Chỉ tiêu",
        "Năm 2024",
        "Năm 2025",
        "Mục tiêu",
        "Đánh giá",
    ]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert rows == [
        [
            "2.1",
            "Tỷ lệ lao động nữ làm công hưởng lương",
            "50,0%",
            "55,0% (55/100)",
            "≥ 50",
            "Vượt",
        ],
        ["2.2", "Tỷ trọng lao động nữ trong nông nghiệp", "38,0%", "35,0%", "< 30", "Chưa đạt"],
        ["4.4", "Tỷ lệ tỉnh có cơ sở y tế", "—", "—", "≥ 40", "Chưa có số liệu"],
        ["6.2", "Chỉ tiêu 2 của Mục tiêu 6", "—", "—", "—", "Chưa có chỉ tiêu"],
    ]
    assert "Tổng hợp: năm 2025, 1/3 chỉ tiêu đạt và vượt (33,3%)." in text
    assert "Năm 2024: 1/3 chỉ tiêu đạt và vượt (33,3%)." in text
    assert "Chỉ tiêu 2.1: 50,0% → 55,0%, tăng 5,0 điểm phần trăm (chuyển biến tích cực)." in text
    # At risk: its own table, and how the projection is made.
    risks = next(t for t in document.tables if "Dự báo" in [c.text for c in t.rows[0].cells])
    assert [c.text for c in risks.rows[1].cells] == [
        "2.2",
        "Tỷ trọng lao động nữ trong nông nghiệp",
        "Năm 2030: 28,1%",
        "< 25",
        "Có nguy cơ không đạt",
    ]
    assert "bình phương nhỏ nhất" in text


def test_word_report_activities_narrative_recipients_and_signature():
    document = Document(io.BytesIO(documents.report_docx(_report())))
    text = _text(document)
    assert "II. CÁC HOẠT ĐỘNG THÚC ĐẨY BÌNH ĐẲNG GIỚI" in text
    activities = next(t for t in document.tables if t.rows[0].cells[0].text == "Loại hoạt động")
    assert [c.text for c in activities.rows[1].cells] == ["Tập huấn", "12", "1.340", "831"]
    # III: the unit's own text paragraph by paragraph, then each sub-unit's accepted text.
    part = text.split("III. ĐÁNH GIÁ CHUNG VÀ BÁO CÁO CỦA CÁC ĐƠN VỊ")[1]
    assert part.index("1. Kết quả đạt được") < part.index("Đoạn thứ hai.")
    assert part.index("Đoạn thứ hai.") < part.index("Xã An Phú:")
    assert part.index("Xã An Phú:") < part.index("Xã tổ chức 4 lớp tập huấn.")
    assert part.index("Xã tổ chức 4 lớp tập huấn.") < part.index("2. Hạn chế, nguyên nhân")
    assert "Chưa có nội dung." in part.split("2. Hạn chế, nguyên nhân")[1]
    assert "Đã tiếp nhận báo cáo của 1/2 đơn vị." in part
    # Closing block: recipients on the left, signature on the right.
    closing = document.tables[-1]
    left, right = closing.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        "Nơi nhận:",
        "- Bộ Nội vụ;",
        "- Ban Vì sự tiến bộ của phụ nữ tỉnh Quảng Ngãi;",
        "- Lưu: VT.",
    ]
    assert left.paragraphs[0].runs[0].bold and left.paragraphs[0].runs[0].italic
    assert [p.text for p in right.paragraphs if p.text.strip()] == [
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ]
    borders = closing._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_excel_annex_has_the_figures_as_numbers():
    book = load_workbook(io.BytesIO(documents.report_annex_xlsx(_report())))
    assert book.sheetnames == ["Chỉ tiêu", "Theo đơn vị", "Hoạt động"]
    targets = book["Chỉ tiêu"]
    assert "Quảng Ngãi" in targets["A1"].value
    assert targets["A2"].value == (
        "Kèm theo Báo cáo số       /BC-UBND ngày 05/12/2025 của Ủy ban nhân dân tỉnh Quảng Ngãi"
    )
    assert [c.value for c in targets[4]][:5] == [
        "Mã",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Năm 2024",
        "Năm 2025",
    ]
    assert [c.value for c in targets[5]] == [
        "2.1",
        "Tỷ lệ lao động nữ làm công hưởng lương",
        "%",
        50,
        55,
        55,
        100,
        "≥ 50",
        "Vượt",
        None,
    ]
    assert targets["I6"].value == "Chưa đạt"
    assert targets["E7"].value is None and targets["I7"].value == "Chưa có số liệu"
    assert targets["A10"].value == "Tổng hợp"
    assert targets["B10"].value == "1/3 chỉ tiêu đạt và vượt (33,3%)"

    units = book["Theo đơn vị"]
    assert [c.value for c in units[4]] == [
        "Đơn vị",
        "Báo cáo",
        "2.1",
        "2.2",
        "4.4",
        "6.2",
        "Chỉ tiêu đạt",
        "Số hoạt động",
    ]
    assert [c.value for c in units[5]] == [
        "Xã An Phú",
        "Đã tiếp nhận",
        75,
        None,
        None,
        None,
        "1/1 chỉ tiêu đạt và vượt (100,0%)",
        4,
    ]
    assert units["A6"].value == "Xã Bình Minh" and units["B6"].value == "Đã gửi"

    activities = book["Hoạt động"]
    assert [c.value for c in activities[5]] == ["Tập huấn", 12, 1340, 831, 62.0149]
    assert [c.value for c in activities[6]] == ["Hội nghị", 3, 0, 0, None]


def test_empty_report_still_makes_valid_files():
    report = _report()
    report.facts = Facts("Xã An Phú", "xã An Phú", 2025)
    report.subunits, report.sections = [], []
    text = _text(Document(io.BytesIO(documents.report_docx(report))))
    assert "Chưa có chỉ tiêu để đánh giá." in text
    assert "Chưa ghi nhận chỉ tiêu có nguy cơ không đạt mục tiêu." in text
    book = load_workbook(io.BytesIO(documents.report_annex_xlsx(report)))
    assert book["Theo đơn vị"]["A5"].value == "Không có đơn vị cấp dưới trong kỳ báo cáo."
    assert book["Hoạt động"]["A5"].value == "Không có hoạt động được ghi nhận."


# --- PDF -------------------------------------------------------------------------------------

FAKE_SOFFICE = """#!/bin/sh
# A stand-in for LibreOffice: records its arguments, writes "<input>.pdf" into --outdir.
echo "$@" >> "$FAKE_SOFFICE_LOG"
[ -n "$FAKE_SOFFICE_FAIL" ] && exit 1
outdir=""; input=""
while [ $# -gt 0 ]; do
  case "$1" in
    --outdir) outdir="$2"; shift ;;
    *.docx) input="$1" ;;
  esac
  shift
done
name=$(basename "$input" .docx)
mkdir -p "$outdir"
printf '%%PDF-1.4 fake of %s bytes' "$(wc -c < "$input")" > "$outdir/$name.pdf"
"""


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "soffice"
    program.write_text(FAKE_SOFFICE)
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SOFFICE_LOG", str(log))
    return log


@pytest.fixture
def no_soffice(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))


def test_pdf_without_libreoffice_says_so(no_soffice):
    assert not documents.pdf_available()
    assert documents.report_pdf(b"docx") is None
    from django.utils import translation

    with translation.override("vi"):
        assert "LibreOffice" in str(documents.PDF_MISSING)
        assert "máy chủ" in str(documents.PDF_MISSING)


def test_pdf_conversion_uses_its_own_profile_each_time(fake_soffice):
    assert documents.pdf_available()
    docx = documents.report_docx(_report())
    first = documents.report_pdf(docx)
    second = documents.report_pdf(docx)
    assert first.startswith(b"%PDF-1.4 fake of ") and first == second
    assert str(len(docx)).encode() in first
    calls = fake_soffice.read_text().splitlines()
    assert len(calls) == 2
    profiles = [
        next(a for a in call.split() if a.startswith("-env:UserInstallation=file://"))
        for call in calls
    ]
    assert profiles[0] != profiles[1]
    for call in calls:
        assert "--headless" in call and "--convert-to pdf" in call


def test_pdf_conversion_failure_is_reported(fake_soffice, monkeypatch):
    monkeypatch.setenv("FAKE_SOFFICE_FAIL", "1")
    with pytest.raises(documents.PdfError, match="Không chuyển được sang PDF"):
        documents.report_pdf(b"docx")


def test_body_blocks_keep_their_order_and_the_section_properties_stay_last():
    """Paragraphs are added after the last block without python-docx's search of the body;
    a table between them, and the text as written (spaces kept, tabs as tabs)."""
    from binhdang.core import documents as word

    document = word.new_document()
    word.paragraph(document, "một", bold=True)
    word.table(document, ["A"], [["ô"]], [word.Cm(3)])
    word.paragraph(document, " hai ", indent=True)
    word.paragraph(document, "ba\tbốn", italic=True)
    word.paragraph(document, "một", bold=True)
    reopened = Document(io.BytesIO(word.document_bytes(document)))
    body = reopened.element.body
    tags = [child.tag.split("}")[1] for child in body]
    assert tags[-1] == "sectPr" and tags.count("sectPr") == 1
    assert tags[tags.index("tbl") - 1] == "p" and tags[tags.index("tbl") + 1] == "p"
    texts = [p.text for p in reopened.paragraphs]
    assert texts == ["một", " hai ", "ba\tbốn", "một"]
    assert reopened.paragraphs[0].runs[0].bold and reopened.paragraphs[2].runs[0].italic
    assert not reopened.paragraphs[1].runs[0].bold
    assert (
        body.findall(qn("w:p"))[1].find(qn("w:r")).find(qn("w:t")).get(qn("xml:space"))
        == "preserve"
    )
    assert round(reopened.paragraphs[1].paragraph_format.first_line_indent.cm, 2) == 1
