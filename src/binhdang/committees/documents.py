"""Word documents of a committee in the state format of Decree 30/2020/NĐ-CP, Annex I.

Page: A4 portrait, margins top and bottom 2 cm, left 3 cm, right 2 cm; Times New Roman, body 14,
tables 13; page numbers centred in the top margin, not on page 1. Header block: on the left the
issuing body (upper case, bold) under its superior agency (upper case, not bold); on the right the
national title (13, bold) and motto (14, bold); then place and date in italics. The building
blocks (page, fonts, header block, tables, signatures) are in `binhdang.core.documents`; this module
names a committee's units and lays out its documents.

Issuing body, kept simple: a territorial unit (province, city, commune, ward…) issues as its
People's Committee, "UBND " + its name in upper case ("UBND TỈNH QUẢNG NGÃI"); any other unit
(ministry, department) issues under its own name. The superior agency is the parent unit, named
the same way, unless the parent is the nation.
"""

import datetime

from django.db.models import Count
from django.utils import translation
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from binhdang.core import documents as word
from binhdang.core.documents import dmy
from binhdang.orgunits.models import Kind, OrgUnit

from . import queries
from .models import Committee, Decision, Sex

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
# Where central agencies sit.
CAPITAL = "Hà Nội"


# --- Names of units ---------------------------------------------------------------------------


def agency_name(unit: OrgUnit) -> str:
    """The issuing body of a unit in upper case: "UBND TỈNH QUẢNG NGÃI", "SỞ Y TẾ"."""
    if unit.kind in TERRITORIAL:
        return f"UBND {unit.name}".upper()
    return unit.name.upper()


def agency_in_text(unit: OrgUnit) -> str:
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


def superior_unit(unit: OrgUnit) -> OrgUnit | None:
    """The superior agency shown above the issuing body: the parent, unless it is the nation."""
    parent = unit.parent
    return parent if parent is not None and parent.kind != Kind.NATION else None


# --- Blocks of the decree for a committee ---------------------------------------------------


def _header_block(document, committee: Committee, date: datetime.date) -> None:
    """Issuing body on the left; national title, motto, place and date on the right."""
    unit = committee.unit
    superior = superior_unit(unit)
    # The national committee has no People's Committee or parent: it issues under its own name.
    issuer = committee.name.upper() if unit.kind == Kind.NATION else agency_name(unit)
    word.header_block(
        document,
        issuer=issuer,
        superior=agency_name(superior) if superior is not None else None,
        place=place_name(unit),
        date=date,
    )


def _position(person) -> str:
    """ "Chức vụ, đơn vị công tác": the title and the workplace, whichever are known."""
    return ", ".join(
        part for part in (person.title, person.unit.name if person.unit else "") if part
    )


def _decision_issuer(decision: Decision) -> str:
    if decision.issuing_unit is not None:
        return agency_in_text(decision.issuing_unit)
    return decision.signer_title


# --- Documents --------------------------------------------------------------------------------


def members_annex_docx(committee: Committee, date: datetime.date) -> bytes:
    """The member list on a date as the annex to the decision in force (.docx)."""
    with translation.override("vi"):
        document = word.new_document()
        _header_block(document, committee, date)
        word.paragraph(
            document,
            "DANH SÁCH THÀNH VIÊN BAN VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ " + committee.unit.name.upper(),
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=Pt(0),
        )
        decision = queries.decision_on(committee, date)
        if decision is not None:
            issuer = _decision_issuer(decision)
            # A decision whose number is not known yet is named by its date alone.
            number = f"số {decision.number} " if decision.number else ""
            text = f"(Kèm theo Quyết định {number}ngày {dmy(decision.date)}"
            text += f" của {issuer})" if issuer else ")"
            word.paragraph(document, text, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        word.paragraph(document, space_after=Pt(0))
        members = queries.members_on(committee, date)
        if members:
            word.table(
                document,
                ["STT", "Họ và tên", "Chức vụ, đơn vị công tác", "Chức danh trong Ban"],
                [
                    [str(n), m.label, _position(m.person), m.get_role_display()]
                    for n, m in enumerate(members, start=1)
                ],
                (Cm(1.3), Cm(4.5), Cm(6.2), Cm(4)),
            )
        else:
            word.paragraph(document, f"Ban không có thành viên vào ngày {dmy(date)}.", indent=True)
        return word.document_bytes(document)


def handover_docx(committee: Committee, today: datetime.date) -> bytes:
    """The handover dossier a newly assigned officer reads first (.docx)."""
    with translation.override("vi"):
        document = word.new_document()
        _header_block(document, committee, today)
        word.paragraph(
            document,
            "HỒ SƠ BÀN GIAO CÔNG TÁC VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ",
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=Pt(0),
        )
        word.paragraph(document, committee.name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        word.paragraph(
            document,
            "Dành cho cán bộ mới được phân công phụ trách công tác vì sự tiến bộ của phụ nữ: "
            f"tình hình của Ban tại ngày {dmy(today)}.",
            italic=True,
            indent=True,
        )

        unit = committee.unit
        word.heading(document, "1. Ban Vì sự tiến bộ của phụ nữ")
        word.label_line(document, "Tên Ban", committee.name)
        word.label_line(document, "Đơn vị", f"{unit.label} (mã {unit.code})")
        standing = committee.standing_unit
        word.label_line(
            document, "Cơ quan thường trực", standing.name if standing else "chưa ghi nhận"
        )

        word.heading(document, "2. Quyết định hiện hành")
        decision = queries.decision_on(committee, today)
        if decision is None:
            word.paragraph(document, "Chưa có quyết định thành lập, kiện toàn Ban.", indent=True)
        else:
            word.label_line(document, "Số, ký hiệu", decision.number or "chưa có số (chưa đủ)")
            word.label_line(document, "Ngày ban hành", dmy(decision.date))
            if decision.issuing_unit is not None:
                word.label_line(document, "Cơ quan ban hành", decision.issuing_unit.name)
            signer = ", ".join(p for p in (decision.signer, decision.signer_title) if p)
            word.label_line(document, "Người ký", signer or "chưa ghi nhận")
            word.label_line(
                document,
                "Bản quét",
                "đã đính kèm trên nền tảng" if decision.file else "chưa có trên nền tảng",
            )

        word.heading(document, "3. Thành viên và liên hệ")
        members = queries.members_on(committee, today)
        if members:
            women = sum(1 for m in members if m.person.sex == Sex.FEMALE)
            unknown = sum(1 for m in members if not m.person.sex)
            unnamed = sum(1 for m in members if not m.person.full_name)
            text = f"Ban có {len(members)} thành viên, trong đó {women} nữ"
            if unknown:
                text += f", {unknown} thành viên chưa rõ giới tính"
            if unnamed:
                text += f"; {unnamed} thành viên chưa có tên"
            word.paragraph(document, text + ".", indent=True)
            word.table(
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
                        m.label,
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
            word.paragraph(document, "Ban hiện không có thành viên.", indent=True)

        word.heading(document, "4. Lịch sử kiện toàn")
        decisions = list(
            committee.decisions.annotate(members=Count("memberships")).order_by("date", "pk")
        )
        if decisions:
            word.table(
                document,
                ["STT", "Quyết định số", "Ngày ban hành", "Số thành viên"],
                [
                    [str(n), d.number or "(chưa có số)", dmy(d.date), str(d.members)]
                    for n, d in enumerate(decisions, start=1)
                ],
                (Cm(1.3), Cm(6.7), Cm(4), Cm(4)),
                centred=(0, 2, 3),
            )
        else:
            word.paragraph(document, "Chưa có quyết định nào.", indent=True)

        word.heading(document, "5. Những việc cần lưu ý")
        notes = queries.attention(committee, today)
        for note in notes:
            word.paragraph(document, f"- {note}", indent=True, space_after=Pt(3))
        if not notes:
            word.paragraph(document, "Không có.", indent=True)

        word.heading(document, "6. Kế hoạch, nhiệm vụ và báo cáo")
        word.paragraph(
            document, "Phần kế hoạch, nhiệm vụ và báo cáo chưa có trên nền tảng.", indent=True
        )

        word.paragraph(document, space_after=Pt(0))
        signatures = document.add_table(rows=1, cols=2)
        word.set_borders(signatures, "nil")
        for cell, title in zip(
            signatures.rows[0].cells, ("NGƯỜI BÀN GIAO", "NGƯỜI NHẬN BÀN GIAO"), strict=True
        ):
            word.signature_block(cell, [title], note="(Ký, ghi rõ họ tên)", room=False)
        word.set_widths(signatures, (Cm(8), Cm(8)))
        return word.document_bytes(document)
