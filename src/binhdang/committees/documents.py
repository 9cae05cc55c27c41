"""Word documents of a committee in the state format of Decree 30/2020/NĐ-CP, Annex I.

Page: A4 portrait, margins top and bottom 2 cm, left 3 cm, right 2 cm; Times New Roman, body 14,
tables 13; page numbers centred in the top margin, not on page 1. Header block: on the left the
issuing body (upper case, bold) under its superior agency (upper case, not bold); on the right the
national title (13, bold) and motto (14, bold); then place and date in italics.

Issuing body, kept simple: a territorial unit (province, city, commune, ward…) issues as its
People's Committee, "UBND " + its name in upper case ("UBND TỈNH QUẢNG NGÃI"); any other unit
(ministry, department) issues under its own name. The superior agency is the parent unit, named
the same way, unless the parent is the nation.
"""

import datetime
import io

from django.db.models import Count
from django.utils import translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from binhdang.core.formatting import document_date
from binhdang.orgunits.models import Kind, OrgUnit

from . import queries
from .models import Committee, Decision, Sex

FONT = "Times New Roman"
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(13)
HEADER_SIZE = Pt(13)
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PAGE_WIDTH = Cm(21)
PAGE_HEIGHT = Cm(29.7)
MARGINS = {"top": Cm(2), "bottom": Cm(2), "left": Cm(3), "right": Cm(2)}
CELL_PADDING = Cm(0.38)  # Word's default cell margins, left and right together

# Units that act through a People's Committee (Ủy ban nhân dân).
TERRITORIAL = {
    Kind.CITY,
    Kind.PROVINCE,
    Kind.URBAN_DISTRICT,
    Kind.RURAL_DISTRICT,
    Kind.TOWN,
    Kind.PROVINCIAL_CITY,
    Kind.COMMUNE,
    Kind.WARD,
    Kind.TOWNSHIP,
    Kind.SPECIAL_ZONE,
}
# The administrative word in front of a place's name, dropped in the place-and-date line.
PLACE_PREFIXES = (
    "Thành phố ",
    "Tỉnh ",
    "Quận ",
    "Huyện ",
    "Thị xã ",
    "Thị trấn ",
    "Xã ",
    "Phường ",
    "Đặc khu ",
)
# Word refuses properties out of the schema's order: what may follow w:pBdr and w:tblBorders.
AFTER_P_BDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
AFTER_TBL_BORDERS = (
    "w:shd",
    "w:tblLayout",
    "w:tblCellMar",
    "w:tblLook",
    "w:tblCaption",
    "w:tblDescription",
    "w:tblPrChange",
)
# Where central agencies sit.
CAPITAL = "Hà Nội"


def _dmy(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


# --- Names of units ---------------------------------------------------------------------------


def agency_name(unit: OrgUnit) -> str:
    """The issuing body of a unit in upper case: "UBND TỈNH QUẢNG NGÃI", "SỞ Y TẾ"."""
    if unit.kind in TERRITORIAL:
        return f"UBND {unit.name}".upper()
    return unit.name.upper()


def _agency_in_text(unit: OrgUnit) -> str:
    """A unit's issuing body inside a sentence: "Ủy ban nhân dân tỉnh Quảng Ngãi"."""
    if unit.kind in TERRITORIAL:
        return f"Ủy ban nhân dân {unit.name[:1].lower()}{unit.name[1:]}"
    return unit.name


def place_name(unit: OrgUnit) -> str:
    """The place of the date line: the nearest territorial unit's name without "Tỉnh", "Xã"…"""
    for candidate in [unit, *reversed(list(unit.ancestors()))]:
        if candidate.kind in TERRITORIAL:
            for prefix in PLACE_PREFIXES:
                rest = candidate.name.removeprefix(prefix)
                # "Phường 1" keeps its word: a number alone is not a place name.
                if rest != candidate.name and not rest.isdigit():
                    return rest
            return candidate.name
    return CAPITAL


def _superior(unit: OrgUnit) -> OrgUnit | None:
    parent = unit.parent
    return parent if parent is not None and parent.kind != Kind.NATION else None


# --- Formatting helpers -----------------------------------------------------------------------


def _times(r_pr) -> None:
    """Times New Roman for every script, East Asian included (w:eastAsia), no theme fonts."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)


def _new_document() -> Document:
    document = Document()
    # The document defaults name theme fonts, which Word would otherwise use for some scripts.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _times(r_pr)
    lang = r_pr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")
    for name in ("Normal", "Header", "Footer", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        _times(style.element.get_or_add_rPr())
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = PAGE_WIDTH
    section.page_height = PAGE_HEIGHT
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Cm(1)
    section.footer_distance = Cm(1)
    _page_numbers(section)
    return document


def _page_numbers(section) -> None:
    """A PAGE field centred in the header; page 1 has its own, empty header (Decree 30)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = BODY_SIZE
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _paragraph(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size=None,
    align=None,
    indent: bool = False,
    space_after=None,
):
    paragraph = container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        run.italic = italic
        if size is not None:
            run.font.size = size
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if space_after is not None:
        paragraph.paragraph_format.space_after = space_after
    return paragraph


def _cell_paragraph(cell, text: str = "", **options):
    """Write into a cell's first paragraph (a new cell already has one), then into new ones."""
    last = cell.paragraphs[-1]
    paragraph = last if not last.runs else cell.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = options.get("bold", False)
        run.italic = options.get("italic", False)
        run.font.size = options.get("size", TABLE_SIZE)
    paragraph.alignment = options.get("align")
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


def _rule(cell, width, column_width) -> None:
    """A centred line `width` long under the cell's text (Decree 30: under the motto and the
    issuing body), drawn as the top border of a near-empty paragraph so the text keeps its width.
    """
    paragraph = cell.add_paragraph()
    side = Cm(max((column_width.cm - CELL_PADDING.cm - width.cm) / 2, 0))
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(6)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), "6")
    top.set(qn("w:space"), "1")
    top.set(qn("w:color"), "000000")
    borders.append(top)
    p_pr.insert_element_before(borders, *AFTER_P_BDR)


def _borders(table, value: str) -> None:
    """Set every border of a table: "nil" for the header block, "single" for data tables."""
    tbl_pr = table._tbl.tblPr
    existing = tbl_pr.find(qn("w:tblBorders"))
    if existing is not None:
        tbl_pr.remove(existing)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), value)
        if value != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.insert_element_before(borders, *AFTER_TBL_BORDERS)


def _widths(table, widths) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _repeat_header(row) -> None:
    """Repeat a table's first row at the top of every page it runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _table(document, headers: list[str], rows: list[list[str]], widths, centred=(0,)):
    """A bordered table with a bold, repeated header row; `centred` columns are centred."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table, "single")
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _cell_paragraph(cell, header, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.CENTER if index in centred else None
            _cell_paragraph(cell, value, align=align)
    _widths(table, widths)
    return table


def _header_block(document, committee: Committee, date: datetime.date) -> None:
    """Issuing body on the left; national title, motto, place and date on the right."""
    unit = committee.unit
    left_width, right_width = Cm(6), Cm(10)
    table = document.add_table(rows=1, cols=2)
    _borders(table, "nil")
    left, right = table.rows[0].cells
    superior = _superior(unit)
    if superior is not None:
        _cell_paragraph(
            left, agency_name(superior), size=HEADER_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER
        )
    # The national committee has no People's Committee or parent: it issues under its own name.
    issuer = committee.name.upper() if unit.kind == Kind.NATION else agency_name(unit)
    _cell_paragraph(left, issuer, bold=True, size=HEADER_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(left, Cm(2), left_width)
    _cell_paragraph(
        right, NATIONAL_TITLE, bold=True, size=HEADER_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _cell_paragraph(right, MOTTO, bold=True, size=BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(right, Cm(6.2), right_width)
    # Place and date sit under the motto, as in the decree's layout of the first page.
    _cell_paragraph(
        right,
        f"{place_name(unit)}, {document_date(date)}",
        italic=True,
        size=BODY_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _widths(table, (left_width, right_width))
    _paragraph(document, space_after=Pt(6))


def _bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _position(person) -> str:
    """ "Chức vụ, đơn vị công tác": the title and the workplace, whichever are known."""
    return ", ".join(
        part for part in (person.title, person.unit.name if person.unit else "") if part
    )


def _decision_issuer(decision: Decision) -> str:
    if decision.issuing_unit is not None:
        return _agency_in_text(decision.issuing_unit)
    return decision.signer_title


# --- Documents --------------------------------------------------------------------------------


def members_annex_docx(committee: Committee, date: datetime.date) -> bytes:
    """The member list on a date as the annex to the decision in force (.docx)."""
    with translation.override("vi"):
        document = _new_document()
        _header_block(document, committee, date)
        _paragraph(
            document,
            "DANH SÁCH THÀNH VIÊN BAN VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ " + committee.unit.name.upper(),
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=Pt(0),
        )
        decision = queries.decision_on(committee, date)
        if decision is not None:
            issuer = _decision_issuer(decision)
            text = f"(Kèm theo Quyết định số {decision.number} ngày {_dmy(decision.date)}"
            text += f" của {issuer})" if issuer else ")"
            _paragraph(document, text, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _paragraph(document, space_after=Pt(0))
        members = queries.members_on(committee, date)
        if members:
            _table(
                document,
                ["STT", "Họ và tên", "Chức vụ, đơn vị công tác", "Chức danh trong Ban"],
                [
                    [str(n), m.person.full_name, _position(m.person), m.get_role_display()]
                    for n, m in enumerate(members, start=1)
                ],
                (Cm(1.3), Cm(4.5), Cm(6.2), Cm(4)),
            )
        else:
            _paragraph(document, f"Ban không có thành viên vào ngày {_dmy(date)}.", indent=True)
        return _bytes(document)


def _label_line(document, label: str, value: str) -> None:
    paragraph = _paragraph(document, indent=True, space_after=Pt(3))
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)


def _heading(document, text: str) -> None:
    paragraph = _paragraph(document, text, bold=True, space_after=Pt(6))
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True


def handover_docx(committee: Committee, today: datetime.date) -> bytes:
    """The handover dossier a newly assigned officer reads first (.docx)."""
    with translation.override("vi"):
        document = _new_document()
        _header_block(document, committee, today)
        _paragraph(
            document,
            "HỒ SƠ BÀN GIAO CÔNG TÁC VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ",
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=Pt(0),
        )
        _paragraph(document, committee.name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _paragraph(
            document,
            "Dành cho cán bộ mới được phân công phụ trách công tác vì sự tiến bộ của phụ nữ: "
            f"tình hình của Ban tại ngày {_dmy(today)}.",
            italic=True,
            indent=True,
        )

        unit = committee.unit
        _heading(document, "1. Ban Vì sự tiến bộ của phụ nữ")
        _label_line(document, "Tên Ban", committee.name)
        _label_line(document, "Đơn vị", f"{unit.name} (mã {unit.code})")
        standing = committee.standing_unit
        _label_line(document, "Cơ quan thường trực", standing.name if standing else "chưa ghi nhận")

        _heading(document, "2. Quyết định hiện hành")
        decision = queries.decision_on(committee, today)
        if decision is None:
            _paragraph(document, "Chưa có quyết định thành lập, kiện toàn Ban.", indent=True)
        else:
            _label_line(document, "Số, ký hiệu", decision.number)
            _label_line(document, "Ngày ban hành", _dmy(decision.date))
            if decision.issuing_unit is not None:
                _label_line(document, "Cơ quan ban hành", decision.issuing_unit.name)
            signer = ", ".join(p for p in (decision.signer, decision.signer_title) if p)
            _label_line(document, "Người ký", signer or "chưa ghi nhận")
            _label_line(
                document,
                "Bản quét",
                "đã đính kèm trên nền tảng" if decision.file else "chưa có trên nền tảng",
            )

        _heading(document, "3. Thành viên và liên hệ")
        members = queries.members_on(committee, today)
        if members:
            women = sum(1 for m in members if m.person.sex == Sex.FEMALE)
            _paragraph(
                document,
                f"Ban có {len(members)} thành viên, trong đó {women} nữ.",
                indent=True,
            )
            _table(
                document,
                [
                    "STT",
                    "Họ và tên",
                    "Chức danh trong Ban",
                    "Chức vụ, đơn vị",
                    "Điện thoại",
                    "Thư điện tử",
                ],
                [
                    [
                        str(n),
                        m.person.full_name,
                        m.get_role_display(),
                        _position(m.person),
                        m.person.phone,
                        m.person.email,
                    ]
                    for n, m in enumerate(members, start=1)
                ],
                (Cm(1.1), Cm(3.2), Cm(2.7), Cm(3.6), Cm(2.4), Cm(3)),
            )
        else:
            _paragraph(document, "Ban hiện không có thành viên.", indent=True)

        _heading(document, "4. Lịch sử kiện toàn")
        decisions = list(
            committee.decisions.annotate(members=Count("memberships")).order_by("date", "pk")
        )
        if decisions:
            _table(
                document,
                ["STT", "Quyết định số", "Ngày ban hành", "Số thành viên"],
                [
                    [str(n), d.number, _dmy(d.date), str(d.members)]
                    for n, d in enumerate(decisions, start=1)
                ],
                (Cm(1.3), Cm(6.7), Cm(4), Cm(4)),
                centred=(0, 2, 3),
            )
        else:
            _paragraph(document, "Chưa có quyết định nào.", indent=True)

        _heading(document, "5. Những việc cần lưu ý")
        notes = queries.attention(committee, today)
        for note in notes:
            _paragraph(document, f"- {note}", indent=True, space_after=Pt(3))
        if not notes:
            _paragraph(document, "Không có.", indent=True)

        _heading(document, "6. Kế hoạch, nhiệm vụ và báo cáo")
        _paragraph(
            document, "Phần kế hoạch, nhiệm vụ và báo cáo chưa có trên nền tảng.", indent=True
        )

        _paragraph(document, space_after=Pt(0))
        signatures = document.add_table(rows=1, cols=2)
        _borders(signatures, "nil")
        for cell, title in zip(
            signatures.rows[0].cells, ("NGƯỜI BÀN GIAO", "NGƯỜI NHẬN BÀN GIAO"), strict=True
        ):
            _cell_paragraph(cell, title, bold=True, size=BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
            _cell_paragraph(
                cell,
                "(Ký, ghi rõ họ tên)",
                italic=True,
                size=BODY_SIZE,
                align=WD_ALIGN_PARAGRAPH.CENTER,
            )
        _widths(signatures, (Cm(8), Cm(8)))
        return _bytes(document)
