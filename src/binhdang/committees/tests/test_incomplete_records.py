"""Issue 12: committees as the news and decisions record them — members known by role and the
unit they represent, without a name (completed later), and a decision saved before its number is
known, flagged as incomplete until it is entered."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from docx import Document
from openpyxl import load_workbook

from binhdang.accounts.models import Role as UserRole
from binhdang.committees import documents, queries, services, spreadsheets
from binhdang.committees.models import Membership, Person, Role
from binhdang.committees.services import MemberSpec
from binhdang.conftest import make_user
from binhdang.core.concurrency import StaleEdit, fingerprints

pytestmark = pytest.mark.django_db

D2019 = datetime.date(2019, 11, 20)
TODAY = datetime.date(2020, 1, 15)

# The 19 units a ministry's members represent, as the news lists them.
UNITS = [
    "Vụ Tổ chức cán bộ",
    "Vụ Kế hoạch - Tài chính",
    "Vụ Pháp chế",
    "Vụ Hợp tác quốc tế",
    "Vụ Khoa học và Công nghệ",
    "Văn phòng Bộ",
    "Thanh tra Bộ",
    "Tổng cục Quản lý đất đai",
    "Tổng cục Môi trường",
    "Cục Quản lý tài nguyên nước",
    "Cục Địa chất Việt Nam",
    "Cục Biến đổi khí hậu",
    "Cục Viễn thám quốc gia",
    "Cục Công nghệ thông tin và Dữ liệu",
    "Trung tâm Truyền thông",
    "Báo Tài nguyên và Môi trường",
    "Công đoàn Bộ",
    "Đoàn Thanh niên Bộ",
    "Trường Đại học Tài nguyên và Môi trường Hà Nội",
]


@pytest.fixture
def admin(tree):
    return make_user("ministry_admin", tree["ministry"], UserRole.UNIT_ADMIN)


@pytest.fixture
def ministry_committee(admin, tree):
    """A 2019 ministry committee of 21: a named head (a deputy minister), a vice-chair from the
    personnel department, 19 representatives of whom 17 are unnamed; the decision's number not
    known yet."""
    committee = services.create_committee(
        admin, tree["ministry"], name="Ban Vì sự tiến bộ của phụ nữ Bộ"
    )
    members = [
        MemberSpec(Person(full_name="Trần Quý Kiên", sex="male", title="Thứ trưởng"), Role.HEAD),
        MemberSpec(
            Person(title="Phó Vụ trưởng Vụ Tổ chức cán bộ"),
            Role.VICE_CHAIR,
            represented_text="Vụ Tổ chức cán bộ",
        ),
    ]
    for index, unit in enumerate(UNITS):
        if index < 2:  # two representatives are known by name
            person = Person(full_name=f"Nguyễn Thị {'AB'[index]}", sex="female")
        else:
            person = Person(title="đại diện lãnh đạo")
        members.append(MemberSpec(person, Role.MEMBER, represented_text=unit))
    services.reconstitute(admin, committee, number="", date=D2019, members=members)
    return committee


def test_a_committee_of_21_is_saved_with_unnamed_members_and_no_number(ministry_committee):
    members = queries.members_on(ministry_committee, TODAY)
    assert len(members) == 21
    assert [m.role for m in members[:2]] == [Role.HEAD, Role.VICE_CHAIR]
    unnamed = [m for m in members if not m.person.full_name]
    assert len(unnamed) == 18
    with translation.override("vi"):
        assert members[1].label == "(chưa có tên) — đại diện Vụ Tổ chức cán bộ"
        notes = queries.attention(ministry_committee, TODAY)
    assert any("Chưa đủ" in n and "20/11/2019" in n and "chưa có số" in n for n in notes)
    assert any(n.startswith("18 thành viên") and "chưa có tên" in n for n in notes)
    decision = ministry_committee.decisions.get()
    assert decision.number == ""


def test_the_number_entered_later_clears_the_warning(ministry_committee, admin):
    decision = ministry_committee.decisions.get()
    seen = fingerprints(services.decision_values(decision))
    services.complete_decision(
        admin, decision, number=" 2967/QĐ-BTNMT ", signer="Trần Hồng Hà", seen=seen
    )
    decision.refresh_from_db()
    assert decision.number == "2967/QĐ-BTNMT"
    with translation.override("vi"):
        notes = queries.attention(ministry_committee, TODAY)
    assert not any("Chưa đủ" in n for n in notes)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.complete_decision(admin, decision, number="  ")
    assert "số, ký hiệu" in " ".join(error.value.messages)


def test_completing_a_name_later_keeps_the_members_history(ministry_committee, admin):
    membership = ministry_committee.memberships.get(represented_text="Vụ Pháp chế")
    person_id = membership.person_id
    seen = fingerprints(services.member_values(membership))
    services.update_member(admin, membership, full_name="Lê  Thị  Hoa", sex="female", seen=seen)
    membership.refresh_from_db()
    assert membership.person_id == person_id  # the same person: history continues
    assert membership.person.full_name == "Lê Thị Hoa"
    assert membership.start == D2019 and membership.end is None
    assert ministry_committee.memberships.count() == 21  # no new membership, no new decision
    assert ministry_committee.decisions.count() == 1
    # A second tab saved from the same page and another name is refused, nothing written.
    with pytest.raises(StaleEdit):
        services.update_member(admin, membership, full_name="Lê Thị Hồng", seen=seen)
    # Re-saving what is stored writes nothing.
    services.update_member(
        admin,
        membership,
        full_name="Lê Thị Hoa",
        seen=fingerprints(services.member_values(membership)),
    )
    assert Person.objects.get(pk=person_id).full_name == "Lê Thị Hoa"


def test_a_named_member_needs_a_sex_and_an_unnamed_one_a_unit(ministry_committee, admin):
    membership = ministry_committee.memberships.get(represented_text="Vụ Pháp chế")
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.update_member(admin, membership, full_name="Lê Thị Hoa")
    assert "chọn nữ hoặc nam" in " ".join(error.value.messages).lower()
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.update_member(admin, membership, represented_text="", title="")
    assert "chưa có tên" in " ".join(error.value.messages)
    membership.refresh_from_db()
    assert membership.represented_text == "Vụ Pháp chế"


def test_women_statistics_count_unknown_sex_apart(ministry_committee, tree):
    from binhdang.orgunits.models import OrgUnit

    result = queries.coverage(OrgUnit.objects.filter(pk=tree["ministry"].pk), TODAY)
    assert result.members == 21
    assert result.women == 2
    assert result.unknown_sex == 18
    assert result.known_sex == 3  # a share of women is taken over these, not over 21


def test_word_annex_and_excel_export_show_unnamed_members(ministry_committee, tree):
    annex = Document(io.BytesIO(documents.members_annex_docx(ministry_committee, TODAY)))
    cells = [cell.text for table in annex.tables for row in table.rows for cell in row.cells]
    assert "(chưa có tên) — đại diện Vụ Pháp chế" in cells
    text = "\n".join(p.text for p in annex.paragraphs)
    assert "Kèm theo Quyết định ngày 20/11/2019" in text

    book = load_workbook(io.BytesIO(spreadsheets.export_members(ministry_committee, TODAY)))
    rows = list(book[spreadsheets.SHEET].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 21
    column = spreadsheets.HEADERS.index(spreadsheets.REPRESENTED_TEXT)
    assert sum(1 for row in rows if not row[0] and row[column]) == 18
    # The export is the import's template: the list reads back, unnamed members and all.
    buffer = io.BytesIO()
    book.save(buffer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    specs = spreadsheets.parse_members(
        SimpleUploadedFile("tv.xlsx", buffer.getvalue()), tree["ministry"]
    )
    assert len(specs) == 21
    assert sum(1 for s in specs if not s.person.full_name) == 18


def test_detail_page_shows_the_unnamed_and_the_incomplete_decision(
    client, ministry_committee, admin
):
    client.force_login(admin)
    page = client.get(reverse("committees:detail", args=[ministry_committee.pk])).content.decode()
    assert "(chưa có tên) — đại diện Vụ Tổ chức cán bộ" in page
    assert "chưa có số" in page
    membership = ministry_committee.memberships.get(represented_text="Vụ Pháp chế")
    url = reverse("committees:edit_member", args=[membership.pk])
    assert url in page
    form = client.get(url).content.decode()
    seen = form.split('name="seen" value="')[1].split('"')[0]
    response = client.post(
        url,
        {
            "seen": seen,
            "full_name": "Lê Thị Hoa",
            "sex": "female",
            "title": "đại diện lãnh đạo",
            "represented_text": "Vụ Pháp chế",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).person.full_name == "Lê Thị Hoa"


def test_coverage_page_says_how_many_members_sex_is_unknown(
    client, ministry_committee, personas, tree
):
    client.force_login(personas["system_admin"])
    url = reverse("committees:coverage", args=[tree["nation"].pk])
    page = client.get(url, {"level": tree["ministry"].level}).content.decode()
    assert "18 thành viên chưa rõ giới tính" in page
    assert "(2/3)" in page  # women among the members whose sex is known
