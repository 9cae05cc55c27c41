"""Commendation proposals: who may propose, who decides (an approver above the proposing unit),
the transitions and their refusals."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from binhdang.accounts.models import Role
from binhdang.activities import services
from binhdang.activities.models import Commendation, CommendationStatus
from binhdang.conftest import make_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        yield


def proposal(unit, **overrides) -> services.ProposalData:
    values = {
        "year": 2025,
        "nominee_kind": "individual",
        "nominee": "Nguyễn Thị Hoa",
        "sex": "female",
        "position": "Công chức Văn hóa - Xã hội",
        "award_form": "certificate_of_merit",
        "award_level": "province_chair",
        "reason": "Hoàn thành xuất sắc công tác bình đẳng giới năm 2025.",
        "proposing_unit": unit,
    }
    values.update(overrides)
    return services.ProposalData(**values)


@pytest.fixture
def proposed(personas, tree):
    return services.propose(personas["commune_officer"], proposal(tree["commune"]))


def test_a_unit_proposes_and_the_award_reads_in_full(proposed, personas):
    assert proposed.status == CommendationStatus.PROPOSED
    assert proposed.proposed_by == personas["commune_officer"]
    with translation.override("vi"):
        assert proposed.award_label == "Bằng khen của Chủ tịch UBND tỉnh"


def test_proposals_outside_the_editable_scope_are_refused(personas, tree):
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        services.propose(personas["commune_officer"], proposal(tree["neighbour"]))
    assert list(caught.value.message_dict) == ["proposing_unit"]
    assert "nằm ngoài các đơn vị bạn được nhập số liệu" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.propose(personas["province_viewer"], proposal(tree["province"]))
    assert not Commendation.objects.exists()


def test_incomplete_proposal_names_every_field(personas, tree):
    data = proposal(
        tree["commune"],
        year=1999,
        nominee=" ",
        nominee_kind="",
        award_form="x",
        award_level="",
        reason="",
    )
    with pytest.raises(ValidationError) as caught:
        services.propose(personas["commune_officer"], data)
    assert set(caught.value.message_dict) == {
        "year",
        "nominee",
        "nominee_kind",
        "award_form",
        "award_level",
        "reason",
    }
    assert not Commendation.objects.exists()


def test_collective_has_no_sex(personas, tree):
    item = services.propose(
        personas["commune_officer"],
        proposal(tree["commune"], nominee_kind="collective", nominee="Hội LHPN xã", sex="female"),
    )
    assert item.sex == ""


def test_approver_above_approves_with_the_decision(proposed, personas):
    approver = personas["province_approver"]
    assert services.can_decide(approver, proposed)
    services.approve(
        approver, proposed, decision_number=" 245/QĐ-UBND ", decision_date=datetime.date(2026, 2, 1)
    )
    proposed.refresh_from_db()
    assert proposed.status == CommendationStatus.APPROVED
    assert proposed.decision_number == "245/QĐ-UBND"
    assert proposed.decision_date == datetime.date(2026, 2, 1)
    assert proposed.reviewed_by == approver
    # Decided once: no second decision, no change, no withdrawal.
    with pytest.raises(ValidationError):
        services.reject(approver, proposed, reason="Nhầm")
    with pytest.raises(ValidationError):
        services.update_proposal(
            personas["commune_officer"], proposed, proposal(proposed.proposing_unit)
        )
    with pytest.raises(ValidationError):
        services.withdraw_proposal(personas["commune_officer"], proposed)
    proposed.refresh_from_db()
    assert proposed.status == CommendationStatus.APPROVED


def test_who_may_not_decide(proposed, personas, tree):
    commune_approver = make_user("xa.pheduyet", tree["commune"], Role.APPROVER)
    neighbour_approver = make_user("xalang.pheduyet", tree["neighbour"], Role.APPROVER)
    for actor in (
        commune_approver,  # the proposing unit itself
        neighbour_approver,  # a sibling
        personas["province_viewer"],  # above, but not an approver
        personas["commune_officer"],
        personas["ministry_officer"],
    ):
        assert not services.can_decide(actor, proposed)
        with pytest.raises(PermissionDenied):
            services.approve(
                actor, proposed, decision_number="1/QĐ", decision_date=datetime.date(2026, 1, 5)
            )
        with pytest.raises(PermissionDenied):
            services.reject(actor, proposed, reason="Không đủ tiêu chuẩn")
    proposed.refresh_from_db()
    assert proposed.status == CommendationStatus.PROPOSED


def test_a_province_proposal_is_decided_above_the_province(personas, tree):
    item = services.propose(personas["province_approver"], proposal(tree["province"]))
    assert not services.can_decide(personas["province_approver"], item)
    national = make_user("tw.pheduyet", tree["nation"], Role.APPROVER)
    services.approve(
        national, item, decision_number="99/QĐ-BNV", decision_date=datetime.date(2026, 1, 20)
    )
    assert Commendation.objects.get(pk=item.pk).status == CommendationStatus.APPROVED


def test_approval_needs_a_valid_decision(proposed, personas):
    approver = personas["province_approver"]
    cases = [
        ({"decision_number": "", "decision_date": TODAY}, "decision_number"),
        ({"decision_number": "1/QĐ", "decision_date": None}, "decision_date"),
        (
            {"decision_number": "1/QĐ", "decision_date": TODAY + datetime.timedelta(days=1)},
            "decision_date",
        ),
        (
            {"decision_number": "1/QĐ", "decision_date": datetime.date(2024, 12, 31)},
            "decision_date",
        ),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.approve(approver, proposed, **kwargs)
        assert list(caught.value.message_dict) == [field]
    proposed.refresh_from_db()
    assert proposed.status == CommendationStatus.PROPOSED and proposed.decision_number == ""


def test_rejection_needs_a_reason(proposed, personas):
    approver = personas["province_approver"]
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        services.reject(approver, proposed, reason="  ")
    assert caught.value.message_dict == {"review_note": ["Nêu lý do không phê duyệt đề nghị."]}
    services.reject(approver, proposed, reason="Chưa đủ thời gian công tác.")
    proposed.refresh_from_db()
    assert proposed.status == CommendationStatus.REJECTED
    assert proposed.review_note == "Chưa đủ thời gian công tác."


def test_proposer_changes_or_withdraws_an_open_proposal(proposed, personas, tree):
    services.update_proposal(
        personas["commune_officer"], proposed, proposal(tree["commune"], nominee="Trần Thị Hoa")
    )
    assert Commendation.objects.get(pk=proposed.pk).nominee == "Trần Thị Hoa"
    with pytest.raises(PermissionDenied):
        services.withdraw_proposal(personas["neighbour_officer"], proposed)
    services.withdraw_proposal(personas["commune_officer"], proposed)
    assert not Commendation.objects.exists()


# Pages ------------------------------------------------------------------------------------------


def test_list_and_detail_pages(client, proposed, personas, tree):
    client.force_login(personas["province_approver"])
    page = client.get(reverse("activities:commendations", args=[tree["province"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nguyễn Thị Hoa" in html and "Bằng khen của Chủ tịch UBND tỉnh" in html
    detail = client.get(proposed.get_absolute_url()).content.decode()
    assert "Phê duyệt" in detail and "Không phê duyệt" in detail

    # The proposer sees no decision buttons.
    client.force_login(personas["commune_officer"])
    detail = client.get(proposed.get_absolute_url()).content.decode()
    assert reverse("activities:commendation_approve", args=[proposed.pk]) not in detail
    # A neighbour does not see it at all.
    client.force_login(personas["neighbour_officer"])
    assert client.get(proposed.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("activities:commendations", args=[tree["commune"].pk])).status_code
        == 404
    )


def test_approve_and_reject_through_the_page(client, proposed, personas, tree):
    url = reverse("activities:commendation_approve", args=[proposed.pk])
    client.force_login(personas["commune_officer"])
    assert (
        client.post(url, {"decision_number": "1/QĐ", "decision_date": "01/02/2026"}).status_code
        == 403
    )

    client.force_login(personas["province_approver"])
    bad = client.post(url, {"decision_number": "1/QĐ-UBND", "decision_date": "01/04/2026"})
    assert bad.status_code == 400
    assert "Ngày quyết định không được sau ngày hôm nay." in bad.content.decode()
    assert Commendation.objects.get(pk=proposed.pk).status == CommendationStatus.PROPOSED

    done = client.post(url, {"decision_number": "1/QĐ-UBND", "decision_date": "01/02/2026"})
    assert done.status_code == 302
    assert Commendation.objects.get(pk=proposed.pk).status == CommendationStatus.APPROVED


def test_propose_through_the_page(client, personas, tree):
    client.force_login(personas["commune_officer"])
    url = reverse("activities:propose", args=[tree["commune"].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "year": "2025",
            "proposing_unit": tree["commune"].pk,
            "nominee_kind": "collective",
            "nominee": "Chi hội Phụ nữ thôn 2",
            "award_form": "certificate",
            "award_level": "commune_chair",
            "reason": "Tích cực tuyên truyền phòng, chống bạo lực gia đình.",
        },
    )
    assert response.status_code == 302
    item = Commendation.objects.get()
    assert item.nominee == "Chi hội Phụ nữ thôn 2" and item.proposing_unit == tree["commune"]
    # A viewer cannot open the form.
    client.force_login(personas["province_viewer"])
    assert client.get(reverse("activities:propose", args=[tree["province"].pk])).status_code == 403


def test_export_commendations(client, proposed, personas, tree):
    import io

    from openpyxl import load_workbook

    client.force_login(personas["province_viewer"])
    response = client.get(reverse("activities:commendations_xlsx", args=[tree["province"].pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "Tên cá nhân, tập thể"
    assert rows[1][4] == "Nguyễn Thị Hoa"
    assert rows[1][7] == "Bằng khen của Chủ tịch UBND tỉnh"
    assert rows[1][9] == "Đã đề nghị"
