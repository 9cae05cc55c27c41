"""Building blocks of Word documents in the state format of Decree 30/2020/NĐ-CP, Annex I.

Page: A4 portrait, margins top and bottom 2 cm, left 3 cm, right 2 cm; Times New Roman, body 14,
tables 13; page numbers centred in the top margin, not on page 1. Header block: on the left the
issuing body (upper case, bold) under its superior agency (upper case, not bold), then the number
and symbol ("Số:     /BC-UBND"); on the right the national title (13, bold) and motto (14, bold);
then place and date in italics. At the end, the recipients ("Nơi nhận:", bold italic 12, the list
in 11) on the left and the signature block (authority and title in bold upper case, the signer's
name in bold) on the right.

These helpers know nothing of the domain: callers pass the names (see
`binhdang.committees.documents.agency_name` and `place_name` for units).
"""

import datetime
import io
from copy import deepcopy
from functools import lru_cache

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from .formatting import document_date

FONT = "Times New Roman"
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(13)
HEADER_SIZE = Pt(13)
RECIPIENTS_TITLE_SIZE = Pt(12)
RECIPIENTS_SIZE = Pt(11)
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PAGE_WIDTH = Cm(21)
PAGE_HEIGHT = Cm(29.7)
MARGINS = {"top": Cm(2), "bottom": Cm(2), "left": Cm(3), "right": Cm(2)}
TEXT_WIDTH = Cm(16)  # the page less the left and right margins
CELL_PADDING = Cm(0.38)  # Word's default cell margins, left and right together
CENTER = WD_ALIGN_PARAGRAPH.CENTER
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


def dmy(value: datetime.date) -> str:
    """10/04/2024."""
    return value.strftime("%d/%m/%Y")


# --- The document -----------------------------------------------------------------------------


def set_times(r_pr) -> None:
    """Times New Roman for every script, East Asian included (w:eastAsia), no theme fonts."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), FONT)


def new_document() -> Document:
    """An empty A4 document with the decree's margins, fonts and page numbers."""
    document = Document()
    # The document defaults name theme fonts, which Word would otherwise use for some scripts.
    defaults = document.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_times(r_pr)
    lang = r_pr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")
    for name in ("Normal", "Header", "Footer", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        set_times(style.element.get_or_add_rPr())
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
    page_numbers(section)
    return document


def page_numbers(section) -> None:
    """A PAGE field centred in the header; page 1 has its own, empty header (Decree 30)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
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


def document_bytes(document) -> bytes:
    """The .docx file's content."""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- Paragraphs -------------------------------------------------------------------------------


def add_run(container, text: str, *, bold: bool = False, italic: bool = False, size=None):
    """A run of text in a paragraph. Plain text goes straight into the run's w:t (python-docx's
    setter walks the text character by character, which is slow for long reports); bold, italic
    and size are written only when they differ from the style."""
    if any(mark in text for mark in "\t\n\r"):
        run = container.add_run(text)  # tabs and line breaks become w:tab and w:br
    else:
        run = container.add_run()
        run._r.add_t(text)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if size is not None:
        run.font.size = size
    return run


def paragraph(
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
    """A paragraph of one run; `indent` makes a justified body paragraph with a 1 cm indent."""
    element = deepcopy(_prototype(bool(text), bold, italic, size, align, indent, space_after))
    if isinstance(container, DocumentObject):
        _append_to_body(container, element)
        result = Paragraph(element, container._body)
    else:
        placeholder = container.add_paragraph()._p
        placeholder.getparent().replace(placeholder, element)
        result = Paragraph(element, container)
    if text:
        run = result.runs[0]
        if any(mark in text for mark in "\t\n\r"):
            run.text = text  # tabs and line breaks become w:tab and w:br
        else:
            t = run._r.find(qn("w:t"))
            t.text = text
            if text != text.strip():
                t.set(qn("xml:space"), "preserve")
    return result


@lru_cache(maxsize=64)
def _prototype(has_text: bool, bold, italic, size, align, indent, space_after):
    """The XML of a paragraph with these properties (and an empty run when it has text), made
    once with python-docx and copied for each paragraph: a national report has 12,000."""
    result = Paragraph(OxmlElement("w:p"), None)
    if has_text:
        add_run(result, "", bold=bold, italic=italic, size=size)
    if align is not None:
        result.alignment = align
    if indent:
        result.paragraph_format.first_line_indent = Cm(1)
        result.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if space_after is not None:
        result.paragraph_format.space_after = space_after
    return result._p


def _append_to_body(document, element) -> None:
    """Add a block at the end of the document's body, before its section properties, looking
    at the last element only (python-docx searches every earlier block for them: quadratic)."""
    body = document.element.body
    try:
        last = body[-1]
    except IndexError:
        last = None
    if last is not None and last.tag == qn("w:sectPr"):
        last.addprevious(element)
    else:
        body.append(element)


def heading(document, text: str):
    """A bold section heading kept with the paragraph that follows."""
    result = paragraph(document, text, bold=True, space_after=Pt(6))
    result.paragraph_format.space_before = Pt(6)
    result.paragraph_format.keep_with_next = True
    return result


def label_line(document, label: str, value: str):
    """ "Label: value" with the label in bold, indented."""
    result = paragraph(document, indent=True, space_after=Pt(3))
    add_run(result, f"{label}: ", bold=True)
    add_run(result, value)
    return result


def title(document, name: str, subject: str = "") -> None:
    """The document's kind in bold upper case ("BÁO CÁO"), and its subject in bold below."""
    paragraph(document, name.upper(), bold=True, align=CENTER, space_after=Pt(0))
    if subject:
        paragraph(document, subject, bold=True, align=CENTER)


def cell_paragraph(cell, text: str = "", **options):
    """Write into a cell's first paragraph (a new cell already has one), then into new ones."""
    last = cell.paragraphs[-1]
    result = last if not last.runs else cell.add_paragraph()
    if text:
        add_run(
            result,
            text,
            bold=options.get("bold", False),
            italic=options.get("italic", False),
            size=options.get("size", TABLE_SIZE),
        )
    result.alignment = options.get("align")
    result.paragraph_format.space_after = Pt(0)
    return result


def rule(cell, width, column_width) -> None:
    """A centred line `width` long under the cell's text (Decree 30: under the motto and the
    issuing body), drawn as the top border of a near-empty paragraph so the text keeps its width.
    """
    result = cell.add_paragraph()
    side = Cm(max((column_width.cm - CELL_PADDING.cm - width.cm) / 2, 0))
    result.paragraph_format.left_indent = side
    result.paragraph_format.right_indent = side
    result.paragraph_format.space_after = Pt(0)
    result.paragraph_format.space_before = Pt(0)
    result.paragraph_format.line_spacing = Pt(6)
    p_pr = result._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), "6")
    top.set(qn("w:space"), "1")
    top.set(qn("w:color"), "000000")
    borders.append(top)
    p_pr.insert_element_before(borders, *AFTER_P_BDR)


# --- Tables -----------------------------------------------------------------------------------


def set_borders(table, value: str) -> None:
    """Set every border of a table: "nil" for layout blocks, "single" for data tables."""
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


def set_widths(table, widths) -> None:
    """Fixed column widths (Word ignores a column's width unless each cell has it)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def repeat_header(row) -> None:
    """Repeat a table's first row at the top of every page it runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def table(document, headers: list[str], rows: list[list[str]], widths, centred=(0,), bold_rows=()):
    """A bordered table with a bold, repeated header row; `centred` columns are centred and
    the rows whose index is in `bold_rows` are bold (e.g. an objective's line)."""
    result = document.add_table(rows=1, cols=len(headers))
    result.style = document.styles["Table Grid"]
    result.alignment = WD_TABLE_ALIGNMENT.CENTER
    set_borders(result, "single")
    for cell, header in zip(result.rows[0].cells, headers, strict=True):
        cell_paragraph(cell, header, bold=True, align=CENTER)
    repeat_header(result.rows[0])
    for number, values in enumerate(rows):
        cells = result.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            align = CENTER if index in centred else None
            cell_paragraph(cell, value, align=align, bold=number in bold_rows)
    set_widths(result, widths)
    return result


# --- Blocks of the decree ---------------------------------------------------------------------


def header_block(
    document,
    *,
    issuer: str,
    place: str,
    date: datetime.date,
    superior: str | None = None,
    number: str | None = None,
) -> None:
    """Issuing body (under its superior agency) and the number and symbol on the left; national
    title, motto, place and date on the right. Names are given in upper case by the caller."""
    left_width, right_width = Cm(6), Cm(10)
    block = document.add_table(rows=1, cols=2)
    set_borders(block, "nil")
    left, right = block.rows[0].cells
    if superior:
        cell_paragraph(left, superior, size=HEADER_SIZE, align=CENTER)
    cell_paragraph(left, issuer, bold=True, size=HEADER_SIZE, align=CENTER)
    rule(left, Cm(2), left_width)
    if number is not None:
        cell_paragraph(left, f"Số: {number}", size=HEADER_SIZE, align=CENTER)
    cell_paragraph(right, NATIONAL_TITLE, bold=True, size=HEADER_SIZE, align=CENTER)
    cell_paragraph(right, MOTTO, bold=True, size=BODY_SIZE, align=CENTER)
    rule(right, Cm(6.2), right_width)
    # Place and date sit under the motto, as in the decree's layout of the first page.
    cell_paragraph(
        right, f"{place}, {document_date(date)}", italic=True, size=BODY_SIZE, align=CENTER
    )
    set_widths(block, (left_width, right_width))
    paragraph(document, space_after=Pt(6))


def recipients_block(cell, recipients: list[str]) -> None:
    """ "Nơi nhận:" and the list, each line "- …;" and the last "- Lưu: VT…" ending in a stop.
    `recipients` are the names without the dash and the punctuation."""
    cell_paragraph(cell, "Nơi nhận:", bold=True, italic=True, size=RECIPIENTS_TITLE_SIZE)
    for index, name in enumerate(recipients):
        end = "." if index == len(recipients) - 1 else ";"
        cell_paragraph(cell, f"- {name.rstrip(';.')}{end}", size=RECIPIENTS_SIZE)


def signature_block(
    cell, authority: list[str], signer: str = "", note: str = "", room: bool = True
) -> None:
    """Authority lines in bold upper case ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), an optional note
    in italics ("(Ký, ghi rõ họ tên)"), room for the signature and seal, then the signer's name
    (left out when not known: the officer types it in Word)."""
    for line in authority:
        cell_paragraph(cell, line.upper(), bold=True, size=BODY_SIZE, align=CENTER)
    if note:
        cell_paragraph(cell, note, italic=True, size=BODY_SIZE, align=CENTER)
    if room:
        for _ in range(3):
            cell_paragraph(cell, " ", size=BODY_SIZE)
    if signer:
        cell_paragraph(cell, signer, bold=True, size=BODY_SIZE, align=CENTER)


def closing_block(
    document, recipients: list[str], authority: list[str], signer: str = "", note: str = ""
):
    """The recipients on the left and the signature block on the right, without borders."""
    paragraph(document, space_after=Pt(0))
    block = document.add_table(rows=1, cols=2)
    set_borders(block, "nil")
    left, right = block.rows[0].cells
    recipients_block(left, recipients)
    signature_block(right, authority, signer, note)
    set_widths(block, (Cm(7.5), Cm(8.5)))
    return block
