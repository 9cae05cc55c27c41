"""The consolidated report as files: Word in the Decree 30/2020/NĐ-CP format, the Excel annex,
and a PDF copy when LibreOffice is installed on the server.

The Word file: header block (issuing body, number and symbol "     /BC-UBND", national title and
motto, place and date), "BÁO CÁO" and its subject, an introduction, then
I. the strategy's targets (table with last year's and this year's figures, the target and the
verdict; the summary line; the comparison with last year; the targets at risk),
II. activities (the summary sentence and a table by kind),
III. the narrative by section (the unit's own text, then each sub-unit's accepted text),
then the recipients and the signature block. Times New Roman, A4, margins of the decree; the
building blocks are `binhdang.core.documents`.
"""

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext_lazy
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from binhdang.core import documents as word
from binhdang.core.documents import dmy
from binhdang.core.numbers import round_half_up
from binhdang.core.spreadsheets import workbook_bytes
from binhdang.indicators import display

from .consolidated import ConsolidatedReport
from .narrative import RISK_METHOD, TargetLine, whole

logger = logging.getLogger(__name__)

PDF_MISSING = gettext_lazy(
    "A PDF copy needs LibreOffice installed on the server (the “soffice” program); ask the "
    "system administrator. The Word file can be saved as PDF from Word as well."
)
PDF_TIMEOUT = 180  # seconds: a national report converts in a few


class PdfError(Exception):
    """The conversion to PDF failed although LibreOffice is installed."""


def _paragraphs(document, text: str) -> None:
    """Body paragraphs from a text whose paragraphs are separated by blank lines or newlines."""
    for block in text.replace("\r\n", "\n").split("\n"):
        if block.strip():
            word.paragraph(document, block.strip(), indent=True)


def _with_fraction(text: str, fraction: str, measure: str) -> str:
    return f"{text} ({fraction})" if fraction and measure != "milestone" else text


def _target_rows(lines: list[TargetLine]) -> list[list[str]]:
    """One row per target, then one per breakdown of its figure ("– Nữ", "– Nam") under it."""
    rows = []
    for line in lines:
        rows.append(
            [
                line.code,
                line.name,
                line.last_text,
                _with_fraction(line.value_text, line.fraction, line.measure),
                line.target_text or "—",
                line.verdict_label,
            ]
        )
        for part in line.parts:
            rows.append(
                [
                    "",
                    f"– {part.label}",
                    part.last_text or "—",
                    _with_fraction(part.value_text, part.fraction, line.measure),
                    "",
                    "",
                ]
            )
    return rows


def report_docx(report: ConsolidatedReport) -> bytes:
    """The consolidated report as a Word file (.docx)."""
    facts = report.facts
    document = word.new_document()
    word.header_block(
        document,
        issuer=report.issuer,
        superior=report.superior,
        place=report.place,
        date=report.date,
        number=report.number,
    )
    word.title(document, "BÁO CÁO", report.subject)
    word.paragraph(document, space_after=Pt(0))
    if report.intro:
        word.paragraph(document, report.intro, indent=True)

    year, last = report.year, report.year - 1
    word.heading(
        document, "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA CHIẾN LƯỢC QUỐC GIA VỀ BÌNH ĐẲNG GIỚI"
    )
    word.heading(document, f"1. Kết quả thực hiện các chỉ tiêu năm {year}")
    if facts.targets:
        word.table(
            document,
            ["Mã", "Chỉ tiêu", f"Năm {last}", f"Năm {year}", "Mục tiêu", "Đánh giá"],
            _target_rows(facts.targets),
            (Cm(1.2), Cm(6.4), Cm(2.2), Cm(2.4), Cm(1.8), Cm(2.0)),
            centred=(0, 2, 3, 4, 5),
        )
        word.paragraph(document, space_after=Pt(0))
        summary = word.paragraph(document, indent=True)
        word.add_run(summary, "Tổng hợp: ", bold=True)
        if any(line.value is not None for line in facts.targets):
            word.add_run(summary, f"năm {year}, {facts.summary}.")
        else:
            word.add_run(summary, f"năm {year} chưa có số liệu.")
    else:
        word.paragraph(document, "Chưa có chỉ tiêu để đánh giá.", indent=True)
    for note in facts.notes:
        word.paragraph(document, note, italic=True, indent=True)

    word.heading(document, f"2. So sánh với năm {last}")
    if facts.last_judged:  # at least one figure last year; else "no figures", not "0/19"
        word.paragraph(document, f"Năm {last}: {facts.last_summary}.", indent=True)
    else:
        word.paragraph(document, f"Chưa có số liệu năm {last} để so sánh.", indent=True)
    changed = [line for line in facts.targets if line.change_text]
    for line in changed:
        direction = {True: " (chuyển biến tích cực)", False: " (giảm sút)"}.get(line.improved, "")
        word.paragraph(
            document,
            f"- Chỉ tiêu {line.code}: {line.last_text} → {line.value_text}, "
            f"{line.change_text}{direction}.",
            indent=True,
            space_after=Pt(3),
        )

    word.heading(document, "3. Các chỉ tiêu có nguy cơ không đạt mục tiêu")
    if facts.at_risk:
        word.table(
            document,
            ["Mã", "Chỉ tiêu", "Dự báo", "Mục tiêu", "Đánh giá"],
            [
                [
                    risk.code,
                    risk.name,
                    f"Năm {risk.year}: {risk.projection_text}"
                    + (f" (khoảng {risk.range_text})" if risk.range_text else ""),
                    risk.target_text or "—",
                    risk.outlook_label,
                ]
                for risk in facts.at_risk
            ],
            (Cm(1.2), Cm(6.6), Cm(3.6), Cm(2.0), Cm(2.6)),
            centred=(0, 3, 4),
        )
    else:
        word.paragraph(
            document, "Chưa ghi nhận chỉ tiêu có nguy cơ không đạt mục tiêu.", indent=True
        )
    word.paragraph(document, RISK_METHOD, italic=True, size=Pt(12), indent=True)

    word.heading(document, "II. CÁC HOẠT ĐỘNG THÚC ĐẨY BÌNH ĐẲNG GIỚI")
    if facts.activity_summary:
        word.paragraph(document, facts.activity_summary, indent=True)
    if facts.activities:
        word.table(
            document,
            ["Loại hoạt động", "Số hoạt động", "Lượt người tham gia", "Trong đó nữ"],
            [
                [a.label, a.count_text, whole(a.participants), whole(a.women)]
                for a in facts.activities
            ],
            (Cm(6.4), Cm(3.0), Cm(3.6), Cm(3.0)),
            centred=(1, 2, 3),
        )

    word.heading(document, "III. ĐÁNH GIÁ CHUNG VÀ BÁO CÁO CỦA CÁC ĐƠN VỊ")
    if report.reporting_line:
        word.paragraph(document, report.reporting_line, indent=True)
    for number_, section in enumerate(report.sections, start=1):
        word.heading(document, f"{number_}. {section.title}")
        if section.own_text:
            _paragraphs(document, section.own_text)
        for name, text in section.entries:
            word.paragraph(document, f"{name}:", bold=True, italic=True, space_after=Pt(3))
            _paragraphs(document, text)
        if not section.own_text and not section.entries:
            word.paragraph(document, "Chưa có nội dung.", italic=True, indent=True)

    word.closing_block(document, report.recipients, report.signature)
    return word.document_bytes(document)


# --- The Excel annex --------------------------------------------------------------------------

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")


# A number of events that is a minimum stays a number Excel adds, shown "≥ 28".
AT_LEAST_FORMAT = '"≥ "#,##0'


def _number(value):
    """A figure as a number Excel computes with (4 decimals at most, half up), or None."""
    return None if value is None else float(round_half_up(value, 4))


def _figure_cell(sheet, row: int, column: int, value, digits: int | None) -> None:
    """A figure's cell: the number, shown with the digits the Word report shows; no cell for no
    figure (most of a national annex's cells: every commune under every target)."""
    if value is not None:
        cell = sheet.cell(row=row, column=column, value=_number(value))
        cell.number_format = display.excel_format(digits)


def _header(sheet, row: int, headers: list[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")


def _titles(sheet, report: ConsolidatedReport, text: str) -> None:
    sheet["A1"] = text
    sheet["A1"].font = TITLE
    sheet["A2"] = (
        f"Kèm theo Báo cáo số {report.number} ngày {dmy(report.date)} của {report.issuer_text}"
    )
    sheet["A2"].font = Font(italic=True)


def _unit_columns(report: ConsolidatedReport) -> list[tuple[str, str]]:
    """The sub-units sheet's figure columns: each target code, followed by its breakdowns that
    some sub-unit has ("3.2a", "Nữ"), in the report's order."""
    found = {key for line in report.subunits for key in line.parts}
    labels = [label for line in report.facts.targets for label in (p.label for p in line.parts)]
    labels += [label for _code, label in sorted(found)]
    order = list(dict.fromkeys(labels))
    columns = []
    for code in report.target_codes:
        columns.append((code, ""))
        columns += [(code, label) for label in order if (code, label) in found]
    return columns


def report_annex_xlsx(report: ConsolidatedReport) -> bytes:
    """The annex: the targets, the sub-units' figures and the activities, as numbers."""
    facts = report.facts
    book = Workbook()
    targets = book.active
    targets.title = "Chỉ tiêu"
    _titles(
        targets,
        report,
        f"Phụ lục 1. Kết quả thực hiện các chỉ tiêu năm {report.year}: {report.unit_name}",
    )
    headers = [
        "Mã",
        "Chỉ tiêu",
        "Đơn vị tính",
        f"Năm {report.year - 1}",
        f"Năm {report.year}",
        "Tử số",
        "Mẫu số",
        "Mục tiêu",
        "Đánh giá",
        "Nguy cơ không đạt",
    ]
    _header(targets, 4, headers)
    row = 5
    for line in facts.targets:
        values = [
            line.code,
            line.name,
            line.unit_label,
            _number(line.last_value),
            _number(line.value),
            _number(line.numerator),
            _number(line.denominator),
            line.target_text,
            line.verdict_label,
            "Có" if line.at_risk else "",
        ]
        for column, value in enumerate(values, start=1):
            cell = targets.cell(row=row, column=column, value=value)
            if column == 2:
                cell.alignment = WRAP
        targets.cell(row=row, column=5).number_format = display.excel_format(line.digits)
        row += 1
        for part in line.parts:  # the breakdowns, under their total
            targets.cell(row=row, column=2, value=f"– {part.label}")
            _figure_cell(targets, row, 5, part.value, line.digits)
            targets.cell(row=row, column=6, value=_number(part.numerator))
            targets.cell(row=row, column=7, value=_number(part.denominator))
            row += 1
    targets.cell(row=row + 1, column=1, value="Tổng hợp").font = BOLD
    targets.cell(row=row + 1, column=2, value=facts.summary)
    for column, width in zip("ABCDEFGHIJ", (7, 60, 14, 11, 11, 11, 11, 11, 16, 12), strict=True):
        targets.column_dimensions[column].width = width

    units = book.create_sheet("Theo đơn vị")
    _titles(units, report, f"Phụ lục 2. Số liệu các chỉ tiêu theo đơn vị năm {report.year}")
    columns = _unit_columns(report)
    codes = [f"{code} – {label}" if label else code for code, label in columns]
    _header(units, 4, ["Đơn vị", "Báo cáo", *codes, "Chỉ tiêu đạt", "Số hoạt động"])
    position = {code: index for index, code in enumerate(report.target_codes)}
    for index, line in enumerate(report.subunits, start=5):
        units.cell(row=index, column=1, value=line.name)
        units.cell(row=index, column=2, value=line.state)
        for offset, (code, label) in enumerate(columns):
            at = position[code]
            value = line.parts.get((code, label)) if label else line.values[at]
            digits = line.digits[at] if at < len(line.digits) else 1
            _figure_cell(units, index, 3 + offset, value, digits)
        units.cell(row=index, column=3 + len(codes), value=line.summary)
        cell = units.cell(row=index, column=4 + len(codes), value=line.activities)
        if line.activities_minimum:
            cell.number_format = AT_LEAST_FORMAT
    if not report.subunits:
        units.cell(row=5, column=1, value="Không có đơn vị cấp dưới trong kỳ báo cáo.")
    units.column_dimensions["A"].width = 36
    units.column_dimensions["B"].width = 14
    units.column_dimensions[get_column_letter(3 + len(codes))].width = 30
    units.freeze_panes = "C5"

    activities = book.create_sheet("Hoạt động")
    _titles(activities, report, f"Phụ lục 3. Các hoạt động năm {report.year}")
    _header(
        activities,
        4,
        ["Loại hoạt động", "Số hoạt động", "Lượt người tham gia", "Trong đó nữ", "Tỷ lệ nữ (%)"],
    )
    for index, line in enumerate(facts.activities, start=5):
        share = 100 * line.women / line.participants if line.participants else None
        for column, value in enumerate(
            [line.label, line.count, line.participants, line.women, _number(share)], start=1
        ):
            cell = activities.cell(row=index, column=column, value=value)
            if column == 2 and line.minimum:
                cell.number_format = AT_LEAST_FORMAT
    if not facts.activities:
        activities.cell(row=5, column=1, value="Không có hoạt động được ghi nhận.")
    activities.column_dimensions["A"].width = 36
    for column in "BCDE":
        activities.column_dimensions[column].width = 16

    return workbook_bytes(book)


# --- PDF ------------------------------------------------------------------------------------


def pdf_available() -> bool:
    """Whether LibreOffice ("soffice") is installed on this server."""
    return shutil.which("soffice") is not None


def report_pdf(docx: bytes, timeout: int = PDF_TIMEOUT) -> bytes | None:
    """The Word file converted to PDF by LibreOffice, or None when it is not installed.

    Each conversion has its own LibreOffice profile (-env:UserInstallation): conversions sharing
    one fail when they run at the same time.
    """
    program = shutil.which("soffice")
    if program is None:
        return None
    with tempfile.TemporaryDirectory(prefix="binhdang-pdf-") as folder:
        folder = Path(folder)
        source = folder / "bao-cao.docx"
        source.write_bytes(docx)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            finished = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(
                gettext_lazy(
                    "Converting to PDF took too long; download the Word file and save it as PDF."
                )
            ) from None
        target = folder / "out" / "bao-cao.pdf"
        if finished.returncode != 0 or not target.exists():
            logger.warning("soffice failed (%s): %s", finished.returncode, finished.stderr[-2000:])
            raise PdfError(
                gettext_lazy("Could not convert to PDF; download the Word file and save it as PDF.")
            )
        return target.read_bytes()
