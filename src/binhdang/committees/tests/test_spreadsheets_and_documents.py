"""Excel template, import and export of members; the Word annex and the handover dossier."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from openpyxl import Workbook, load_workbook

from binhdang.committees import documents, queries, services, spreadsheets
from binhdang.committees.models import Person, Role
from binhdang.committees.services import MemberSpec
from binhdang.committees.spreadsheets import (
    EMAIL,
    HEADERS,
    NAME,
    REPRESENTED,
    ROLE,
    SEX,
    TERM_END,
    WORKPLACE,
    ImportErrors,
    ImportProblem,
)
from binhdang.core.formatting import document_date
from binhdang.orgunits import services as orgunit_services

from .conftest import D1

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
TERM = datetime.date(2030, 12, 31)
ROLE_LABELS = [
    "Trưởng ban",
    "Phó trưởng ban thường trực",
    "Phó trưởng ban",
    "Ủy viên",
    "Thư ký, Tổ giúp việc",
]


@pytest.fixture
def department(personas, tree):
    """Sở Y tế, a department of Quảng Ngãi (code P51-D001)."""
    (unit,) = orgunit_services.add_departments(
        personas["system_admin"], tree["province"], ["Sở Y tế"]
    )
    return unit


@pytest.fixture
def quang_ngai(personas, tree, department):
    """Quảng Ngãi's committee: four members under decision 12/QĐ-UBND of 15/03/2021."""
    actor = personas["system_admin"]
    committee = services.create_committee(
        actor,
        tree["province"],
        name="Ban Vì sự tiến bộ của phụ nữ tỉnh Quảng Ngãi",
        standing_unit=department,
    )
    services.reconstitute(
        actor,
        committee,
        number="12/QĐ-UBND",
        date=D1,
        signer="Đặng Văn Minh",
        signer_title="Chủ tịch UBND tỉnh",
        issuing_unit=tree["province"],
        members=[
            MemberSpec(
                Person(
                    full_name="Nguyễn Thị An",
                    sex="female",
                    title="Phó Chủ tịch UBND tỉnh",
                    phone="0905 123 456",
                    email="an.nt@quangngai.gov.vn",
                ),
                Role.HEAD,
                term_end=TERM,
            ),
            MemberSpec(
                Person(
                    full_name="Trần Văn Bình",
                    sex="male",
                    title="Giám đốc",
                    unit=department,
                    phone="0912345678",
                ),
                Role.STANDING_VICE_CHAIR,
                represented_unit=department,
            ),
            MemberSpec(
                Person(full_name="Lê Thị Chi", sex="female", title="Chủ tịch UBND xã"),
                Role.MEMBER,
                represented_unit=tree["commune"],
            ),
            MemberSpec(
                Person(full_name="Phạm Văn Dũng", sex="male", email="dung.pv@quangngai.gov.vn"),
                Role.SECRETARY,
            ),
        ],
    )
    return committee


# --- Helpers -----------------------------------------------------------------------------------


def xlsx(rows, headers=HEADERS, title="Thành viên") -> bytes:
    """A workbook with one sheet: the header row, then the rows (dicts by header, or None)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(list(headers))
    for row in rows:
        sheet.append([None] * len(headers) if row is None else [row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "thanh-vien.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def member(name="Võ Thị Em", sex="Nữ", role="Ủy viên", **extra) -> dict:
    return {NAME: name, SEX: sex, ROLE: role, **extra}


def problems(content: bytes, unit, name="thanh-vien.xlsx") -> list[ImportProblem]:
    with pytest.raises(ImportErrors) as caught:
        spreadsheets.parse_members(upload(content, name), unit)
    assert caught.value.messages == [p.message for p in caught.value.problems]
    return caught.value.problems


def docx_text(content: bytes) -> str:
    """Every paragraph of a Word file, in the body and in tables, one per line."""
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(p.text for p in cell.paragraphs)
    return "\n".join(lines)


# --- Template ----------------------------------------------------------------------------------


def test_template_has_headers_drop_downs_and_guide():
    workbook = load_workbook(io.BytesIO(spreadsheets.member_template()))
    sheet = workbook["Thành viên"]
    assert [c.value for c in sheet[1]] == [
        "Họ và tên",
        "Giới tính",
        "Chức vụ",
        "Mã đơn vị công tác",
        "Vai trò trong Ban",
        "Mã đơn vị đại diện",
        "Đơn vị đại diện (ghi bằng chữ)",
        "Điện thoại",
        "Thư điện tử",
        "Hết nhiệm kỳ (dd/mm/yyyy)",
    ]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 20
    assert sheet.max_row == 1  # no sample row that an import would take for a member

    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert validations["B2"].type == "list" and validations["B2"].formula1 == '"Nữ,Nam"'
    role_list = validations["E2"]
    assert role_list.type == "list"
    # The roles sit on a hidden sheet behind a name, since one label holds a comma.
    (sheet_name, cells) = next(workbook.defined_names[role_list.formula1].destinations)
    assert workbook[sheet_name].sheet_state == "hidden"
    assert [c.value for (c,) in workbook[sheet_name][cells]] == ROLE_LABELS

    guide = "\n".join(
        str(c.value) for row in workbook["Hướng dẫn"].iter_rows() for c in row if c.value
    )
    for header in HEADERS:
        assert header in guide
    assert "P51-D001" in guide and "X21034" in guide and "dd/mm/yyyy" in guide
    assert "Bắt buộc" in guide


def test_the_empty_template_is_refused_as_having_no_rows(tree):
    (problem,) = problems(spreadsheets.member_template(), tree["province"])
    assert problem.row is None and "không có dòng dữ liệu" in problem.message


# --- Import ------------------------------------------------------------------------------------


def test_filled_template_gives_member_specs(quang_ngai, tree, department):
    existing = Person.objects.get(full_name="Nguyễn Thị An")
    workbook = load_workbook(io.BytesIO(spreadsheets.member_template()))
    sheet = workbook["Thành viên"]
    rows = [
        # Same person: the name's spacing and case differ, the phone's formatting too.
        [
            "nguyễn thị  AN",
            "nữ",
            "Phó Chủ tịch UBND tỉnh",
            None,
            "Trưởng ban",
            None,
            None,
            "0905123456",
            None,
            datetime.datetime(2031, 6, 30),
        ],
        [
            "Huỳnh Thị Giang",
            "NU",
            "Phó Giám đốc",
            department.code,
            "pho truong ban",
            int(tree["commune"].official_code),
            None,
            912000111,
            "giang.ht@quangngai.gov.vn",
            "31/12/2030",
        ],
        [None] * 10,  # an empty row in between is skipped
        ["Đỗ Văn Hùng", "Nam", None, None, "Thư ký", None, None, None, None, None],
        ["Mai Thị Lan", "Nữ", None, None, "Tổ giúp việc", None, None, None, None, None],
        ["Bùi Thị Mai", "Nữ", None, None, "Uỷ viên", None, None, None, None, None],
    ]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    specs = spreadsheets.parse_members(upload(buffer.getvalue()), tree["province"])

    assert [(s.person.full_name, s.role) for s in specs] == [
        ("Nguyễn Thị An", Role.HEAD),
        ("Huỳnh Thị Giang", Role.VICE_CHAIR),
        ("Đỗ Văn Hùng", Role.SECRETARY),
        ("Mai Thị Lan", Role.SECRETARY),
        ("Bùi Thị Mai", Role.MEMBER),
    ]
    an, giang, hung = specs[0], specs[1], specs[2]
    assert an.person.pk == existing.pk  # reused, not created again
    assert an.person.full_name == "Nguyễn Thị An"
    assert an.term_end == datetime.date(2031, 6, 30)
    assert giang.person.pk is None
    assert giang.person.sex == "female" and hung.person.sex == "male"
    assert giang.person.unit == department
    assert giang.represented_unit == tree["commune"]  # found by its official code
    assert giang.person.phone == "0912000111"  # the number cell's lost zero is back
    assert giang.term_end == datetime.date(2030, 12, 31)
    assert hung.represented_unit is None and hung.term_end is None


def test_same_name_without_matching_contact_is_a_new_person(quang_ngai, tree):
    content = xlsx([member("Nguyễn Thị An", role="Ủy viên", **{"Điện thoại": "0999 999 999"})])
    (spec,) = spreadsheets.parse_members(upload(content), tree["province"])
    assert spec.person.pk is None


def test_a_renamed_sheet_is_read_by_its_header_row(tree):
    (spec,) = spreadsheets.parse_members(upload(xlsx([member()], title="Sheet1")), tree["province"])
    assert spec.person.full_name == "Võ Thị Em" and spec.role == Role.MEMBER


def test_an_official_code_shared_with_a_retired_unit_means_the_live_one(tree):
    province, legacy = tree["province"], tree["legacy_province"]
    assert province.official_code == legacy.official_code  # both "51"
    content = xlsx([member(**{REPRESENTED: province.official_code})])
    (spec,) = spreadsheets.parse_members(upload(content), province)
    assert spec.represented_unit == province


def test_a_note_beside_the_table_is_not_a_row(tree):
    workbook = load_workbook(io.BytesIO(xlsx([member()])))
    workbook.active["K5"] = "Ghi chú: danh sách gửi kèm công văn"
    buffer = io.BytesIO()
    workbook.save(buffer)
    (spec,) = spreadsheets.parse_members(upload(buffer.getvalue()), tree["province"])
    assert spec.person.full_name == "Võ Thị Em"


def _code(key):
    return lambda tree: tree[key].code


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (member(name=None), NAME, "chưa có họ tên thì ghi đơn vị đại diện hoặc chức vụ"),
        (member(sex=None), SEX, "bắt buộc khi có họ tên"),
        (member(role="  "), ROLE, "chưa ghi; cột này bắt buộc"),
        (member(sex="Khác"), SEX, "“Khác” không hợp lệ; ghi “Nữ” hoặc “Nam”"),
        (member(role="Chủ tịch"), ROLE, "không có vai trò “Chủ tịch”."),
        (member(**{REPRESENTED: "X99999"}), REPRESENTED, "không có đơn vị mã “X99999”"),
        (member(**{WORKPLACE: _code("legacy_commune")}), WORKPLACE, "không còn hoạt động sau"),
        (member(**{REPRESENTED: _code("far_commune")}), REPRESENTED, "không thuộc “Tỉnh Quảng"),
        (member(**{WORKPLACE: _code("other_province")}), WORKPLACE, "không thuộc"),
        (member(**{TERM_END: "31/02/2024"}), TERM_END, "“31/02/2024” không phải ngày hợp lệ"),
        (member(**{TERM_END: "2024-12-31"}), TERM_END, "ghi theo dạng dd/mm/yyyy"),
        (member(**{EMAIL: "an@"}), EMAIL, "“an@” không phải địa chỉ thư điện tử hợp lệ"),
        (member(name="A" * 151), NAME, "dài quá 150 ký tự"),
        (member(name="NGUYỄN THỊ  AN"), NAME, "đã ghi ở dòng 2; mỗi người chỉ ghi một dòng"),
        (member(role="Trưởng ban"), ROLE, "Ban chỉ có một Trưởng ban, đã ghi ở dòng 2"),
    ],
)
def test_each_bad_cell_is_named_by_row_and_column(tree, row, column, fragment):
    row = {key: value(tree) if callable(value) else value for key, value in row.items()}
    # Row 2 is good, row 3 empty (skipped, but counted as Excel counts it), row 4 is the bad one.
    content = xlsx([member("Nguyễn Thị An", role="Trưởng ban"), None, row])
    (problem,) = problems(content, tree["province"])
    assert (problem.row, problem.column) == (4, column)
    assert problem.message.startswith(f"Dòng 4, cột “{column}”: ")
    assert fragment in problem.message


def test_the_message_reads_as_a_sentence(tree):
    content = xlsx([member("Nguyễn Thị An"), None, member(role="Chủ tịch")])
    (problem,) = problems(content, tree["province"])
    assert problem.message.startswith(
        "Dòng 4, cột “Vai trò trong Ban”: không có vai trò “Chủ tịch”."
    )
    assert str(problem) == problem.message


def test_every_problem_is_reported_and_nothing_kept(quang_ngai, tree):
    content = xlsx(
        [
            member("Nguyễn Thị An", role="Chủ tịch"),
            member("Võ Thị Em", sex="?", **{TERM_END: "30/02/2025", EMAIL: "x@"}),
            member("Võ Thị Em"),
        ]
    )
    before = Person.objects.count()
    found = problems(content, tree["province"])
    assert [(p.row, p.column) for p in found] == [
        (2, ROLE),
        (3, SEX),
        (3, EMAIL),
        (3, TERM_END),
        (4, NAME),
    ]
    assert Person.objects.count() == before


def test_wrong_template_names_missing_and_unexpected_headers(tree):
    headers = [h if h != SEX else "Phái" for h in HEADERS] + ["Ghi chú"]
    found = problems(xlsx([{NAME: "Võ Thị Em"}], headers=headers), tree["province"])
    assert found[0].row == 1 and "thiếu cột “Giới tính”" in found[0].message
    assert {(p.row, p.column) for p in found[1:]} == {(1, "Phái"), (1, "Ghi chú")}
    assert all("không có trong mẫu" in p.message for p in found[1:])


def test_headers_match_without_diacritics_or_the_date_note(tree):
    headers = [h.upper() for h in HEADERS[:-1]] + ["Het nhiem ky"]
    content = xlsx(
        [
            {h: v for h, v in zip(headers, ["Võ Thị Em", "Nữ"], strict=False)}
            | {headers[4]: "Ủy viên", headers[-1]: "01/02/2030"}
        ],
        headers=headers,
    )
    (spec,) = spreadsheets.parse_members(upload(content), tree["province"])
    assert spec.term_end == datetime.date(2030, 2, 1)


def test_rows_without_data_are_refused(tree):
    (problem,) = problems(xlsx([None, None]), tree["province"])
    assert "không có dòng dữ liệu nào" in problem.message


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "thanh-vien.xlsx", "không phải là"),
        ("Họ và tên,Giới tính\nVõ Thị Em,Nữ\n".encode(), "thanh-vien.csv", "không phải là"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
            "thanh-vien.xls",
            "tệp Excel cũ (.xls)",
        ),
        (b"", "thanh-vien.xlsx", "không phải là"),
    ],
)
def test_files_that_are_not_xlsx_are_refused(tree, content, name, fragment):
    (problem,) = problems(content, tree["province"], name)
    assert problem.row is None and fragment in problem.message


def test_a_zip_that_is_not_a_workbook_is_refused(tree):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "Không phải Excel")
    (problem,) = problems(buffer.getvalue(), tree["province"])
    assert "Không đọc được tệp" in problem.message


def test_a_word_file_renamed_xlsx_is_refused(quang_ngai):
    content = documents.members_annex_docx(quang_ngai, TODAY)
    (problem,) = problems(content, quang_ngai.unit)
    assert "Không đọc được tệp" in problem.message


def test_files_over_the_size_limit_are_refused(tree, settings):
    settings.IMPORT_MAX_MB = 0.001
    (problem,) = problems(xlsx([member()]), tree["province"])
    assert problem.message == "Tệp lớn hơn 0.001 MB."


def test_an_upload_without_size_is_measured(tree, settings):
    settings.IMPORT_MAX_MB = 0.001

    class Stream(io.BytesIO):
        name = "thanh-vien.xlsx"

    with pytest.raises(ImportErrors, match="lớn hơn"):
        spreadsheets.parse_members(Stream(xlsx([member()])), tree["province"])


# --- Export ------------------------------------------------------------------------------------


def test_export_then_import_gives_the_same_members(quang_ngai, tree):
    content = spreadsheets.export_members(quang_ngai, TODAY)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[:2] == ["Thành viên", "Thông tin"]
    info = {row[0].value: row[1].value for row in workbook["Thông tin"].iter_rows()}
    assert info["Ban"] == quang_ngai.name and info["Số thành viên"] == 4
    assert info["Quyết định"] == "12/QĐ-UBND ngày 15/03/2021"
    assert [c.value for c in workbook["Thành viên"][1]] == list(HEADERS)

    specs = spreadsheets.parse_members(upload(content), tree["province"])
    current = queries.members_on(quang_ngai, TODAY)
    assert [(s.person.full_name, s.role, s.represented_unit, s.term_end) for s in specs] == [
        (m.person.full_name, m.role, m.represented_unit, m.term_end) for m in current
    ]
    by_name = {s.person.full_name: s.person for s in specs}
    # People with a phone or an e-mail are found again; Lê Thị Chi has neither.
    for m in current:
        if m.person.phone or m.person.email:
            assert by_name[m.person.full_name].pk == m.person.pk
        else:
            assert by_name[m.person.full_name].pk is None
    assert by_name["Trần Văn Bình"].unit.code == "P51-D001"


def test_exported_list_can_reconstitute_the_committee(quang_ngai, tree, personas):
    content = spreadsheets.export_members(quang_ngai, TODAY)
    specs = spreadsheets.parse_members(upload(content), tree["province"])
    specs = [s for s in specs if s.person.pk]  # the re-import keeps the known people
    services.reconstitute(
        personas["system_admin"], quang_ngai, number="45/QĐ-UBND", date=TODAY, members=specs
    )
    assert [m.person.full_name for m in queries.members_on(quang_ngai, TODAY)] == [
        "Nguyễn Thị An",
        "Trần Văn Bình",
        "Phạm Văn Dũng",
    ]


# --- Word documents ----------------------------------------------------------------------------


def test_annex_is_in_the_administrative_format(quang_ngai):
    content = documents.members_annex_docx(quang_ngai, TODAY)
    text = docx_text(content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND TỈNH QUẢNG NGÃI" in text
    assert f"Quảng Ngãi, ngày {TODAY.day:02d} tháng" in text
    assert "DANH SÁCH THÀNH VIÊN BAN VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ TỈNH QUẢNG NGÃI" in text
    assert (
        "(Kèm theo Quyết định số 12/QĐ-UBND ngày 15/03/2021 của Ủy ban nhân dân tỉnh Quảng Ngãi)"
        in text
    )
    for name in ("Nguyễn Thị An", "Trần Văn Bình", "Lê Thị Chi", "Phạm Văn Dũng"):
        assert name in text

    document = Document(io.BytesIO(content))
    members = document.tables[-1]
    assert [c.text for c in members.rows[0].cells] == [
        "STT",
        "Họ và tên",
        "Chức vụ, đơn vị công tác",
        "Chức danh trong Ban",
    ]
    assert [c.text for c in members.rows[1].cells] == [
        "1",
        "Nguyễn Thị An",
        "Phó Chủ tịch UBND tỉnh",
        "Trưởng ban",
    ]
    assert members.rows[2].cells[2].text == "Giám đốc, Sở Y tế"
    assert [r.cells[3].text for r in members.rows[1:]] == [
        "Trưởng ban",
        "Phó trưởng ban thường trực",
        "Ủy viên",
        "Thư ký, Tổ giúp việc",
    ]

    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert 13 <= normal.font.size.pt <= 14
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0
    assert round(section.page_height.cm, 1) == 29.7
    assert round(section.top_margin.cm, 1) == 2.0
    assert round(section.bottom_margin.cm, 1) == 2.0
    assert round(section.left_margin.cm, 1) == 3.0
    assert 1.5 <= round(section.right_margin.cm, 1) <= 2.0
    # Page numbers: a PAGE field centred in the header, none on page 1.
    header = section.header.paragraphs[0]
    assert "PAGE" in "".join(t.text for t in header._p.iter(qn("w:instrText")))
    assert header.alignment == 1  # centre
    assert section.different_first_page_header_footer


def test_annex_header_block_is_borderless_with_bold_issuer(quang_ngai):
    document = Document(io.BytesIO(documents.members_annex_docx(quang_ngai, TODAY)))
    block = document.tables[0]
    left, right = block.rows[0].cells
    assert left.paragraphs[0].text == "UBND TỈNH QUẢNG NGÃI" and left.paragraphs[0].runs[0].bold
    title, motto, date_line = [p for p in right.paragraphs if p.text]
    assert title.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and title.runs[0].bold
    assert motto.text == "Độc lập - Tự do - Hạnh phúc" and motto.runs[0].bold
    assert date_line.text == f"Quảng Ngãi, {document_date(TODAY)}" and date_line.runs[0].italic
    borders = block._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}


def test_annex_before_any_decision_has_no_reference_line(quang_ngai):
    text = docx_text(documents.members_annex_docx(quang_ngai, D1 - datetime.timedelta(days=1)))
    assert "Kèm theo" not in text and "Nguyễn Thị An" not in text
    assert "Ban không có thành viên" in text


def test_department_documents_name_the_superior_agency(personas, department):
    committee = services.create_committee(
        personas["system_admin"], department, name="Ban Vì sự tiến bộ của phụ nữ Sở Y tế"
    )
    document = Document(io.BytesIO(documents.members_annex_docx(committee, TODAY)))
    left = [p for p in document.tables[0].rows[0].cells[0].paragraphs if p.text]
    assert [p.text for p in left] == ["UBND TỈNH QUẢNG NGÃI", "SỞ Y TẾ"]
    assert not left[0].runs[0].bold and left[1].runs[0].bold
    assert documents.place_name(department) == "Quảng Ngãi"


def test_place_names_drop_the_administrative_word(tree):
    commune = tree["commune"]
    assert documents.place_name(tree["province"]) == "Quảng Ngãi"
    assert documents.place_name(tree["other_province"]) == "Hà Nội"
    assert documents.place_name(tree["ministry"]) == "Hà Nội"
    assert documents.place_name(commune) == commune.name.split(" ", 1)[1]
    assert documents.agency_name(commune) == f"UBND {commune.name.upper()}"
    assert documents.agency_name(tree["ministry"]) == tree["ministry"].name.upper()


def test_handover_has_every_section_contacts_and_notes(quang_ngai):
    content = documents.handover_docx(quang_ngai, TODAY)
    text = docx_text(content)
    assert "HỒ SƠ BÀN GIAO CÔNG TÁC VÌ SỰ TIẾN BỘ CỦA PHỤ NỮ" in text
    for heading in (
        "1. Ban Vì sự tiến bộ của phụ nữ",
        "2. Quyết định hiện hành",
        "3. Thành viên và liên hệ",
        "4. Lịch sử kiện toàn",
        "5. Những việc cần lưu ý",
        "6. Kế hoạch, nhiệm vụ và báo cáo",
    ):
        assert heading in text
    assert "Cơ quan thường trực: Sở Y tế" in text
    assert "Số, ký hiệu: 12/QĐ-UBND" in text
    assert "Người ký: Đặng Văn Minh, Chủ tịch UBND tỉnh" in text
    assert "Bản quét: chưa có trên nền tảng" in text
    assert "Ban có 4 thành viên, trong đó 2 nữ." in text
    for contact in (
        "0905 123 456",
        "an.nt@quangngai.gov.vn",
        "0912345678",
        "dung.pv@quangngai.gov.vn",
    ):
        assert contact in text
    assert "Phần kế hoạch, nhiệm vụ và báo cáo chưa có trên nền tảng." in text

    with translation.override("vi"):
        notes = queries.attention(quang_ngai, TODAY)
    assert notes
    for note in notes:
        assert f"- {note}" in text
    assert "Quyết định 12/QĐ-UBND chưa có tệp bản quét." in text

    document = Document(io.BytesIO(content))
    contacts = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    assert [c.text for c in contacts.rows[0].cells] == [
        "STT",
        "Họ và tên",
        "Chức danh trong Ban",
        "Chức vụ, đơn vị",
        "Điện thoại",
        "Thư điện tử",
    ]
    history = [t for t in document.tables if t.rows[0].cells[0].text == "STT"][1]
    assert [c.text for c in history.rows[1].cells] == ["1", "12/QĐ-UBND", "15/03/2021", "4"]


def test_handover_of_a_committee_in_order_has_nothing_to_note(personas, tree):
    actor = personas["system_admin"]
    committee = services.create_committee(actor, tree["commune"], name="Ban VSTBPN xã")
    decision = services.reconstitute(
        actor,
        committee,
        number="03/QĐ-UBND",
        date=TODAY - datetime.timedelta(days=30),
        members=[MemberSpec(Person(full_name="Võ Thị Em", sex="female"), Role.HEAD)],
    )
    services.attach_decision_file(
        actor, decision, SimpleUploadedFile("qd.pdf", b"%PDF-1.4\n%%EOF\n")
    )
    text = docx_text(documents.handover_docx(committee, TODAY))
    section_5 = text.split("5. Những việc cần lưu ý")[1].split("6. ")[0]
    assert section_5.strip() == "Không có."
    assert "Bản quét: đã đính kèm trên nền tảng" in text
    assert "Cơ quan thường trực: chưa ghi nhận" in text
