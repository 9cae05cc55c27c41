"""The national gender-equality department inspects provinces under its oversight grant, including
pre-2025 provinces, and a recommendation to one that has since merged is followed by its
successor."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhdang.accounts.models import OversightFunction, Role
from binhdang.accounts.tests.oversight import grant, overseer
from binhdang.conftest import make_user
from binhdang.orgunits.models import OrgUnit
from binhdang.plans import queries, services
from binhdang.plans.forms import InspectionForm
from binhdang.plans.models import Inspection, TaskStatus

pytestmark = pytest.mark.django_db

# Hà Nội, TP Hồ Chí Minh, Hải Phòng, Thừa Thiên Huế, Đà Nẵng, Quảng Ngãi, Cần Thơ before 2025.
SEVEN = ["LP01", "LP79", "LP31", "LP46", "LP48", "LP51", "LP92"]
START, END = datetime.date(2025, 4, 14), datetime.date(2025, 5, 23)
INSPECT = OversightFunction.INSPECT
FOLLOW = OversightFunction.FOLLOW_RECOMMENDATIONS


@pytest.fixture
def officer(tree):
    """A data officer of Bộ Nội vụ's gender-equality department."""
    return overseer(tree, Role.DATA_OFFICER)


def _provinces() -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(code__in=SEVEN).order_by("code"))


def _inspect(officer, units, **extra):
    fields = {
        "kind": "inspection",
        "title": "Kiểm tra việc thực hiện pháp luật về bình đẳng giới năm 2025",
        "lead_name": "Nguyễn Văn Hải",
        "lead_position": "Phó Vụ trưởng",
        "inspected_units": units,
        "start_date": START,
        "end_date": END,
        **extra,
    }
    return services.create_inspection(officer, officer.unit, **fields)


def test_national_department_inspects_seven_pre_2025_provinces(personas, tree, officer):
    grant(personas["system_admin"], officer.unit, tree["nation"], [INSPECT, FOLLOW])
    provinces = _provinces()
    assert len(provinces) == 7 and all(not p.is_live for p in provinces)
    inspection = _inspect(officer, provinces)
    assert set(inspection.inspected_units.all()) == set(provinces)

    # Quảng Ngãi before 2025 has since merged into today's Tỉnh Quảng Ngãi: the recommendation to
    # it is followed there.
    old = tree["legacy_province"]
    recommendation = services.add_recommendation(
        officer,
        inspection,
        unit=old,
        text="Kiện toàn Ban vì sự tiến bộ của phụ nữ tỉnh.",
        deadline=datetime.date(2025, 12, 31),
    )
    task = recommendation.task
    assert task.lead_unit == old and task.assigned_by == officer.unit

    successor = personas["province_admin"]
    assert task in queries.tasks_of_unit(successor, tree["province"])
    assert inspection in queries.visible_inspections(successor)
    assert services.task_rights(successor, task)["report"]
    services.add_update(
        successor,
        task,
        text="Đã ban hành Quyết định kiện toàn Ban.",
        date=datetime.date(2026, 2, 10),
        new_status=TaskStatus.DONE,
    )
    rows, closed = queries.recommendation_rows(inspection)
    assert closed == 1 and rows[0].task.status == TaskStatus.DONE

    # Today's Hà Nội, successor of another province inspected, does not follow Quảng Ngãi's.
    hanoi = make_user("hanoi_officer", tree["other_province"], Role.DATA_OFFICER)
    assert task not in queries.visible_tasks(hanoi)


def test_successor_sees_the_recommendation_on_its_page(client, personas, tree, officer):
    grant(personas["system_admin"], officer.unit, tree["nation"], [INSPECT])
    inspection = _inspect(officer, _provinces())
    services.add_recommendation(
        officer,
        inspection,
        unit=tree["legacy_province"],
        text="Bố trí cán bộ theo dõi công tác bình đẳng giới.",
        deadline=datetime.date(2026, 6, 30),
    )
    client.force_login(personas["province_viewer"])
    page = client.get(reverse("plans:unit", args=[tree["province"].pk])).content.decode()
    assert "Bố trí cán bộ theo dõi công tác bình đẳng giới." in page


def test_without_a_grant_the_department_cannot_inspect_provinces(personas, tree, officer):
    with pytest.raises(ValidationError) as error:
        _inspect(officer, _provinces())
    message = error.value.message_dict["inspected_units"][0]
    assert "không trực thuộc" in message and "Vụ Công tác thanh niên" in message
    assert not Inspection.objects.exists()


def test_outside_the_grant_dates_the_department_cannot_inspect(personas, tree, officer):
    grant(
        personas["system_admin"],
        officer.unit,
        tree["nation"],
        [INSPECT],
        valid_from=datetime.date(2025, 7, 1),
    )
    with pytest.raises(ValidationError, match="không trực thuộc"):
        _inspect(officer, _provinces())
    # A grant for reading reports or following recommendations does not give inspecting.
    grant(personas["system_admin"], officer.unit, tree["nation"], [FOLLOW])
    with pytest.raises(ValidationError, match="không trực thuộc"):
        _inspect(officer, _provinces())
    # Inside the grant's dates it may, today's provinces.
    later = {"start_date": datetime.date(2025, 9, 8), "end_date": datetime.date(2025, 9, 12)}
    assert _inspect(officer, [tree["province"], tree["other_province"]], **later)


def test_a_province_that_had_ended_before_the_inspection_is_refused(personas, tree, officer):
    grant(personas["system_admin"], officer.unit, tree["nation"], [INSPECT])
    later = {"start_date": datetime.date(2025, 9, 8), "end_date": datetime.date(2025, 9, 12)}
    with pytest.raises(ValidationError) as error:
        _inspect(officer, [tree["legacy_province"]], **later)
    assert "không còn tồn tại vào ngày 08/09/2025" in error.value.message_dict["inspected_units"][0]


def test_a_viewer_of_the_department_records_no_inspection(personas, tree):
    viewer = overseer(tree, Role.VIEWER, "vu_bdg_xem")
    grant(personas["system_admin"], viewer.unit, tree["nation"], [INSPECT])
    with pytest.raises(PermissionDenied):
        _inspect(viewer, _provinces())


def test_the_picker_offers_the_overseen_provinces_past_and_present(client, personas, tree, officer):
    grant(personas["system_admin"], officer.unit, tree["nation"], [INSPECT])
    offered = {
        pk
        for pk, _name in InspectionForm(unit=officer.unit).fields["inspected_units"].widget.choices
    }
    assert {tree["legacy_province"].pk, tree["province"].pk, tree["other_ministry"].pk} <= offered
    client.force_login(officer)
    url = reverse("plans:inspection_create", args=[officer.unit.pk])
    response = client.post(
        url,
        {
            "kind": "supervision",
            "title": "Giám sát công tác bình đẳng giới",
            "lead_name": "Nguyễn Văn Hải",
            "inspected_units": [p.pk for p in _provinces()],
            "start_date": "14/04/2025",
            "end_date": "23/05/2025",
        },
    )
    assert response.status_code == 302
    assert Inspection.objects.get().inspected_units.count() == 7


def test_overseer_follows_others_recommendations_but_cannot_report_on_them(personas, tree, officer):
    admin = personas["province_admin"]
    inspection = services.create_inspection(
        admin,
        tree["province"],
        kind="inspection",
        title="Kiểm tra xã",
        lead_name="Trần Văn Phúc",
        inspected_units=[tree["commune"]],
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 4),
    )
    task = services.add_recommendation(
        admin,
        inspection,
        unit=tree["commune"],
        text="Lập kế hoạch",
        deadline=datetime.date(2026, 5, 1),
    ).task
    assert task not in queries.visible_tasks(officer)
    grant(personas["system_admin"], officer.unit, tree["nation"], [FOLLOW])
    assert task in queries.visible_tasks(officer)
    assert inspection in queries.visible_inspections(officer)
    assert not any(services.task_rights(officer, task).values())
    with pytest.raises(PermissionDenied):
        services.add_update(officer, task, text="Đã đôn đốc", new_status=TaskStatus.DONE)
