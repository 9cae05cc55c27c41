"""The Government's structure before and after 01/03/2025, records of former units, and unit
labels that say when (issue 12, items 1 and 2)."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document

from binhdang.accounts.models import Role
from binhdang.committees import documents
from binhdang.committees import services as committee_services
from binhdang.committees.forms import CommitteeForm, MemberForm
from binhdang.committees.models import Person
from binhdang.committees.services import MemberSpec
from binhdang.conftest import make_user
from binhdang.orgunits import queries, services
from binhdang.orgunits.loading import central_spec, load_reference_map
from binhdang.orgunits.models import Level, OrgUnit

pytestmark = pytest.mark.django_db

LAST_OLD_DAY = datetime.date(2025, 2, 28)
FIRST_NEW_DAY = datetime.date(2025, 3, 1)
DECISION_DAY = datetime.date(2019, 11, 20)  # QĐ 2967/QĐ-BTNMT


def central(on: datetime.date):
    return OrgUnit.objects.live(on).filter(level=Level.CENTRAL)


@pytest.fixture
def monre():
    return OrgUnit.objects.get(code="BTNMT")


@pytest.fixture
def mae():
    return OrgUnit.objects.get(code="BNNMT")


# --- The data file and the loaded tree ---------------------------------------------------------


def test_the_data_file_cites_its_sources():
    spec = central_spec()
    cited = {source["id"]: source for source in spec["sources"]}
    assert all(source["text"] and source["urls"] for source in cited.values())
    assert {s["source"] for s in spec["structures"].values()} <= set(cited)
    assert "NQ 176/2025/QH15" in cited and "NQ 08/2021/QH15" in cited
    assert spec["how_counted"]


def test_counts_match_the_data_file_22_before_and_17_after():
    spec = central_spec()
    in_2021 = {a["code"] for a in spec["agencies"] if "2021" in a["in"]}
    in_2025 = {a["code"] for a in spec["agencies"] if "2025" in a["in"]}
    assert (len(in_2021), len(in_2025)) == (22, 17)
    assert set(central(LAST_OLD_DAY).values_list("code", flat=True)) == in_2021
    assert set(central(FIRST_NEW_DAY).values_list("code", flat=True)) == in_2025
    before = central(LAST_OLD_DAY)
    assert before.filter(kind="ministry").count() == 18
    assert before.filter(kind="ministerial_agency").count() == 4
    after = central(FIRST_NEW_DAY)
    assert after.filter(kind="ministry").count() == 14
    assert after.filter(kind="ministerial_agency").count() == 3


def test_every_pre_2025_agency_has_a_successor():
    ended = central(LAST_OLD_DAY).exclude(pk__in=central(FIRST_NEW_DAY))
    assert ended.count() == 7
    for agency in ended:
        successors = list(agency.successors.all())
        assert successors, agency.name
        assert all(s.covers(FIRST_NEW_DAY) for s in successors)


@pytest.mark.parametrize(
    ("code", "formed_from"),
    [
        ("BTC", {"BKHDT"}),
        ("BXD", {"BGTVT"}),
        ("BNNMT", {"BNNPTNT", "BTNMT"}),
        ("BKHCN", {"BTTTT"}),
        ("BNV", {"BLDTBXH"}),
        ("BDTTG", {"UBDT"}),
        ("BYT", set()),
    ],
)
def test_each_current_agency_links_to_what_it_was_formed_from(code, formed_from):
    unit = OrgUnit.objects.get(code=code)
    assert set(unit.predecessors.values_list("code", flat=True)) == formed_from


def test_a_continuing_ministry_is_one_unit_valid_throughout():
    finance = OrgUnit.objects.get(code="BTC")
    assert finance.covers(datetime.date(2019, 1, 1), datetime.date(2026, 1, 1))
    assert OrgUnit.objects.filter(name="Bộ Tài chính").count() == 1


def test_loading_again_changes_no_agency_or_link():
    report = load_reference_map()
    assert (report.added, report.changed, report.retired) == (0, 0, 0)
    assert (report.links_added, report.links_removed) == (0, 0)
    assert central(LAST_OLD_DAY).count() == 22 and central(FIRST_NEW_DAY).count() == 17


# --- Departments of former units ----------------------------------------------------------------


def test_department_under_a_former_ministry_within_its_validity(personas, monre, mae):
    # The merged ministry's administrator records its predecessor's past.
    admin = make_user("bnnmt_admin", mae, Role.UNIT_ADMIN)
    (office,) = services.add_departments(
        admin,
        monre,
        ["Vụ Tổ chức cán bộ"],
        valid_from=datetime.date(2019, 1, 1),
        valid_to=LAST_OLD_DAY,
    )
    assert (office.valid_from, office.valid_to, office.parent) == (
        datetime.date(2019, 1, 1),
        LAST_OLD_DAY,
        monre,
    )
    # Without an end date, it ends with the ministry.
    (other,) = services.add_departments(admin, monre, ["Vụ Pháp chế"])
    assert other.valid_to == LAST_OLD_DAY


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "field", "fragment"),
    [
        (datetime.date(2019, 1, 1), datetime.date(2025, 6, 30), "valid_to", "kết thúc"),
        (datetime.date(2025, 5, 1), None, "valid_from", "bắt đầu"),
        (datetime.date(2024, 1, 1), datetime.date(2023, 1, 1), "valid_to", "trước ngày bắt đầu"),
    ],
)
def test_department_dates_outside_the_ministry_are_refused_in_vietnamese(
    personas, monre, valid_from, valid_to, field, fragment
):
    with pytest.raises(ValidationError) as error:
        services.add_departments(
            personas["system_admin"], monre, ["Vụ X"], valid_from=valid_from, valid_to=valid_to
        )
    message = " ".join(error.value.message_dict[field])
    assert fragment in message
    assert not monre.children.exists()


def test_add_departments_page_of_a_former_province_saves(client, personas, tree):
    client.force_login(personas["system_admin"])
    url = reverse("orgunits:add_departments", args=[tree["legacy_province"].pk])
    page = client.get(url).content.decode()
    assert "(đến 30/06/2025)" in page and 'name="valid_from"' in page
    response = client.post(
        url, {"others": "Sở Lao động - Thương binh và Xã hội", "valid_from": "01/01/2008"}
    )
    assert response.status_code == 302
    department = tree["legacy_province"].children.get(name__startswith="Sở Lao động")
    assert department.valid_to == datetime.date(2025, 6, 30)
    refused = client.post(url, {"others": "Sở Nội vụ", "valid_to": "31/12/2025"})
    assert refused.status_code == 200
    assert "Ngày kết thúc phải nằm trong thời gian tồn tại" in refused.content.decode()


# --- A 2019 committee of the former ministry ----------------------------------------------------


@pytest.fixture
def committee_2019(personas, monre):
    actor = personas["system_admin"]
    committee = committee_services.create_committee(
        actor, monre, name="Ban Vì sự tiến bộ của phụ nữ Bộ Tài nguyên và Môi trường"
    )
    committee_services.reconstitute(
        actor,
        committee,
        number="2967/QĐ-BTNMT",
        date=DECISION_DAY,
        issuing_unit=monre,
        members=[
            MemberSpec(Person(full_name="Nguyễn Thị Hạnh", sex="female"), "head"),
            MemberSpec(Person(full_name="Trần Văn Nam", sex="male"), "vice_chair"),
        ],
    )
    return committee


def test_2019_committee_shows_in_the_successor_ministry(client, personas, committee_2019, mae):
    client.force_login(personas["system_admin"])
    page = client.get(reverse("committees:unit", args=[mae.pk])).content.decode()
    assert "Các Ban VSTBPN của các đơn vị tiền thân" in page
    assert committee_2019.name in page and "Bộ Tài nguyên và Môi trường (đến 28/02/2025)" in page
    detail = client.get(reverse("committees:detail", args=[committee_2019.pk])).content.decode()
    assert "2967/QĐ-BTNMT" in detail and "Nguyễn Thị Hạnh" in detail
    # The ministry's history of changes carries its predecessors' records, as a province's does.
    history = client.get(reverse("orgunits:history", args=[mae.pk])).content.decode()
    assert "Bao gồm hồ sơ của các đơn vị tiền thân" in history
    assert "2967/QĐ-BTNMT" in history and committee_2019.name in history


def test_2019_committee_annex_names_the_former_ministry(committee_2019):
    content = documents.members_annex_docx(committee_2019, LAST_OLD_DAY)
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG" in text
    assert "NÔNG NGHIỆP VÀ MÔI TRƯỜNG" not in text
    assert "2967/QĐ-BTNMT" in text


def test_coverage_does_not_count_the_former_committee_for_the_current_ministry(
    client, personas, committee_2019, mae
):
    client.force_login(personas["system_admin"])
    response = client.get(
        reverse("committees:coverage", args=[OrgUnit.objects.get(code="VN").pk]),
        {"level": Level.CENTRAL},
    )
    rows = {row.unit.code: row for row in response.context["coverage"].rows}
    assert "BTNMT" not in rows and rows["BNNMT"].committee is None
    assert response.context["coverage"].with_committee == 0


def test_decision_after_the_ministry_ended_is_refused(personas, committee_2019):
    with pytest.raises(ValidationError) as error:
        committee_services.reconstitute(
            personas["system_admin"],
            committee_2019,
            number="10/QĐ-BTNMT",
            date=datetime.date(2025, 4, 1),
            members=[MemberSpec(Person(full_name="Lê Thị Mai", sex="female"), "head")],
        )
    assert "28/02/2025" in " ".join(error.value.message_dict["date"])


# --- Labels that say when -----------------------------------------------------------------------


def test_label_says_when_a_unit_ended(tree):
    assert tree["legacy_province"].label == "Tỉnh Quảng Ngãi (đến 30/06/2025)"
    assert str(tree["legacy_province"]) == tree["legacy_province"].label
    assert tree["province"].label == "Tỉnh Quảng Ngãi"


def test_label_in_english(tree, settings):
    from django.utils import translation

    with translation.override("en"):
        assert tree["legacy_province"].label == "Tỉnh Quảng Ngãi (until 30/06/2025)"


def test_standing_agency_picker_of_a_former_province_offers_its_departments(personas, tree):
    old = tree["legacy_province"]
    (labour,) = services.add_departments(
        personas["system_admin"], old, ["Sở Lao động - Thương binh và Xã hội"]
    )
    choices = dict(CommitteeForm(unit=old).fields["standing_unit"].choices)
    labels = [str(label) for label in choices.values()]
    assert "Sở Lao động - Thương binh và Xã hội (đến 30/06/2025) — " in labels[-1]
    assert "Tỉnh Quảng Ngãi (đến 30/06/2025)" in labels[-1]
    committee = committee_services.create_committee(
        personas["system_admin"], old, name="Ban VSTBPN tỉnh Quảng Ngãi", standing_unit=labour
    )
    assert committee.standing_unit == labour


def test_same_named_departments_are_told_apart_by_their_parent(personas, tree):
    services.add_departments(personas["system_admin"], tree["legacy_province"], ["Văn phòng"])
    services.add_departments(personas["system_admin"], tree["province"], ["Văn phòng"])
    form = MemberForm(unit=tree["province"])
    labels = [str(label) for value, label in form.fields["represented_unit"].choices if value]
    assert "Văn phòng — Tỉnh Quảng Ngãi" in labels
    old_form = MemberForm(unit=tree["legacy_province"])
    old_labels = [str(label) for value, label in old_form.fields["represented_unit"].choices]
    assert "Văn phòng (đến 30/06/2025) — Tỉnh Quảng Ngãi (đến 30/06/2025)" in old_labels


def test_search_finds_old_and_new_and_says_which(client, personas):
    results = queries.search(OrgUnit.objects.all(), "tai nguyen va moi truong")
    assert "BTNMT" in [u.code for u in results]
    both = queries.search(OrgUnit.objects.all(), "Quảng Ngãi")
    assert {"P51", "LP51"} <= {u.code for u in both}
    client.force_login(personas["system_admin"])
    page = client.get(reverse("orgunits:search"), {"q": "Quảng Ngãi"}).content.decode()
    assert "Tỉnh Quảng Ngãi (đến 30/06/2025)" in page
    assert "đơn vị cũ" in page and "hiện hành" in page


def test_a_past_department_of_a_continuing_ministry(personas):
    finance = OrgUnit.objects.get(code="BTC")
    (old,) = services.add_departments(
        personas["system_admin"], finance, ["Vụ Ngân sách nhà nước"], valid_to=LAST_OLD_DAY
    )
    assert (old.valid_from, old.valid_to) == (None, LAST_OLD_DAY)
    assert old.label == "Vụ Ngân sách nhà nước (đến 28/02/2025)"
    # The same name again today is another department: their periods do not meet.
    (new,) = services.add_departments(personas["system_admin"], finance, ["Vụ Ngân sách nhà nước"])
    assert new.valid_to is None and new.label == "Vụ Ngân sách nhà nước"
