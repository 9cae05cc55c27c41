"""Plans, tasks and inspections of a former ministry, dated within its validity (issue 12)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from binhdang.orgunits import services as orgunit_services
from binhdang.orgunits.models import OrgUnit
from binhdang.plans import services
from binhdang.plans.forms import TaskForm
from binhdang.plans.models import InspectionKind, PlanKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def monre():
    return OrgUnit.objects.get(code="BTNMT")  # Bộ Tài nguyên và Môi trường, until 28/02/2025


@pytest.fixture
def monre_department(personas, monre):
    (department,) = orgunit_services.add_departments(
        personas["system_admin"], monre, ["Vụ Tổ chức cán bộ"], valid_from=datetime.date(2019, 1, 1)
    )
    return department


def inspection(actor, unit, start, inspected):
    return services.create_inspection(
        actor,
        unit,
        kind=InspectionKind.INSPECTION,
        title="Kiểm tra công tác bình đẳng giới",
        lead_name="Nguyễn Văn A",
        inspected_units=inspected,
        start_date=start,
        end_date=start + datetime.timedelta(days=2),
    )


def test_a_2021_plan_and_its_task_of_the_former_ministry(personas, monre, monre_department):
    plan = services.create_plan(
        personas["system_admin"],
        monre,
        kind=PlanKind.MULTI_YEAR,
        start_year=2021,
        end_year=2025,
        title="Kế hoạch hành động bình đẳng giới giai đoạn 2021-2025",
    )
    task = services.create_task(
        personas["system_admin"],
        assigned_by=monre,
        plan=plan,
        lead_unit=monre_department,
        title="Tập huấn lồng ghép giới",
        deadline=datetime.date(2023, 12, 31),
    )
    assert task.lead_unit == monre_department
    with pytest.raises(ValidationError) as error:
        services.create_task(
            personas["system_admin"],
            assigned_by=monre,
            plan=plan,
            lead_unit=monre_department,
            title="Việc sau khi bộ đã hợp nhất",
            deadline=datetime.date(2025, 12, 31),
        )
    assert "lead_unit" in error.value.message_dict


def test_a_plan_starting_after_the_ministry_ended_is_refused(personas, monre):
    with pytest.raises(ValidationError) as error:
        services.create_plan(
            personas["system_admin"],
            monre,
            kind=PlanKind.ANNUAL,
            start_year=2026,
            end_year=2026,
            title="Kế hoạch năm 2026",
        )
    assert "28/02/2025" in " ".join(error.value.message_dict["start_year"])


def test_an_inspection_by_the_former_ministry_within_its_validity(
    personas, monre, monre_department
):
    done = inspection(
        personas["system_admin"], monre, datetime.date(2024, 5, 6), [monre_department]
    )
    assert list(done.inspected_units.all()) == [monre_department]
    with pytest.raises(ValidationError) as error:
        inspection(personas["system_admin"], monre, datetime.date(2025, 5, 6), [monre_department])
    assert "28/02/2025" in " ".join(error.value.message_dict["start_date"])


def test_the_lead_unit_picker_of_a_former_ministry_offers_its_departments(monre, monre_department):
    form = TaskForm(assigning_unit=monre)
    labels = dict(form.fields["lead_unit"].widget.choices)
    assert labels[monre_department.pk] == (
        "Vụ Tổ chức cán bộ (đến 28/02/2025) — Bộ Tài nguyên và Môi trường (đến 28/02/2025)"
    )
