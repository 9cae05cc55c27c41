"""Inspections: their units, dates, and recommendations followed to closure through tasks."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhdang.plans import queries, services
from binhdang.plans.deadlines import DeadlineKind
from binhdang.plans.models import Inspection, Recommendation, Task, TaskStatus

pytestmark = pytest.mark.django_db


def _inspection(actor, unit, units, **extra):
    data = {
        "kind": "inspection",
        "title": "Kiểm tra thực hiện pháp luật về bình đẳng giới",
        "lead_name": "Trần Văn Phúc",
        "lead_position": "Giám đốc Sở Nội vụ",
        "members": "Lê Thị Thanh — Hội LHPN\nHuỳnh Thị Kim — Sở Nội vụ",
        "inspected_units": units,
        "start_date": datetime.date(2026, 3, 2),
        "end_date": datetime.date(2026, 3, 4),
        "findings": "Chưa ban hành kế hoạch năm.",
        **extra,
    }
    return services.create_inspection(actor, unit, **data)


@pytest.fixture
def inspection(personas, tree):
    return _inspection(
        personas["province_admin"], tree["province"], [tree["commune"], tree["neighbour"]]
    )


def test_an_inspection_of_a_unit_outside_the_subtree_is_refused(personas, tree):
    with pytest.raises(ValidationError) as error:
        _inspection(
            personas["province_admin"], tree["province"], [tree["commune"], tree["far_commune"]]
        )
    message = error.value.message_dict["inspected_units"][0]
    assert tree["far_commune"].name in message and "không trực thuộc" in message
    with pytest.raises(ValidationError) as error:
        _inspection(personas["province_admin"], tree["commune"], [tree["neighbour"]])
    assert "inspected_units" in error.value.message_dict
    assert Inspection.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"end_date": datetime.date(2026, 3, 1)}, "end_date"),
        ({"end_date": None}, "end_date"),
        ({"lead_name": " "}, "lead_name"),
        ({"title": ""}, "title"),
        ({"kind": "audit"}, "kind"),
        ({"inspected_units": []}, "inspected_units"),
    ],
)
def test_bad_inspections_are_refused_naming_the_field(personas, tree, data, field):
    with pytest.raises(ValidationError) as error:
        _inspection(personas["province_admin"], tree["province"], [tree["commune"]], **data)
    assert field in error.value.message_dict
    assert Inspection.objects.count() == 0


def test_end_before_start_says_so_in_vietnamese(personas, tree):
    with pytest.raises(ValidationError) as error:
        _inspection(
            personas["province_admin"],
            tree["province"],
            [tree["commune"]],
            end_date=datetime.date(2026, 3, 1),
        )
    assert error.value.message_dict["end_date"] == [
        "Ngày kết thúc 01/03/2026 trước ngày bắt đầu 02/03/2026."
    ]


def test_only_editors_of_the_inspecting_unit_record_inspections(personas, tree):
    for who in ("province_viewer", "commune_officer"):
        with pytest.raises(PermissionDenied):
            _inspection(personas[who], tree["province"], [tree["commune"]])


def test_recommendation_becomes_a_task_followed_to_closure(personas, tree, inspection):
    admin = personas["province_admin"]
    first = services.add_recommendation(
        admin,
        inspection,
        unit=tree["commune"],
        text="Ban hành kế hoạch năm 2026 của xã.",
        deadline=datetime.date(2026, 3, 31),
        deadline_kind=DeadlineKind.BEFORE_MONTH,
    )
    services.add_recommendation(
        admin,
        inspection,
        unit=tree["neighbour"],
        text="Bố trí cán bộ phụ trách.",
        deadline=datetime.date(2026, 3, 5),
    )
    task = first.tasks.get()
    assert task.lead_unit == tree["commune"] and task.assigned_by == tree["province"]
    assert task.recommendation == first and task.deadline_label == "Trước tháng 4/2026"
    assert task.origin_label.startswith("Kiến nghị sau kiểm tra")
    # The inspected commune sees the task and the inspection.
    assert task in queries.visible_tasks(personas["commune_officer"])
    assert inspection in queries.visible_inspections(personas["commune_officer"])

    rows, closed = queries.recommendation_rows(inspection)
    assert [row.task.current_status for row in rows] == ["not_started", "overdue"]
    assert closed == 0
    services.add_update(personas["commune_officer"], task, text="Đã ban hành", new_status="done")
    rows, closed = queries.recommendation_rows(inspection)
    assert closed == 1
    assert queries.closure_counts(Inspection.objects.all()) == {inspection.pk: (2, 1)}


def test_the_inspection_page_shows_each_recommendations_status(personas, tree, inspection, client):
    admin = personas["province_admin"]
    services.add_recommendation(
        admin,
        inspection,
        unit=tree["commune"],
        text="Kiến nghị một",
        deadline=datetime.date(2026, 3, 5),
    )
    rec = services.add_recommendation(
        admin,
        inspection,
        unit=tree["neighbour"],
        text="Kiến nghị hai",
        deadline=datetime.date(2026, 6, 1),
    )
    services.add_update(admin, rec.tasks.get(), text="Xong", new_status=TaskStatus.DONE)
    client.force_login(personas["commune_officer"])
    page = client.get(reverse("plans:inspection", args=[inspection.pk])).content.decode()
    assert "Kiến nghị một" in page and "Quá hạn" in page and "Hoàn thành" in page
    assert "Đã hoàn thành 1/2" in page
    assert "Thêm kiến nghị" not in page  # the commune does not add recommendations


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"unit": "far"}, "unit"),
        ({"unit": "province"}, "unit"),  # not among the units inspected
        ({"text": " "}, "text"),
        ({"deadline": datetime.date(2026, 3, 3)}, "deadline"),  # before the inspection ends
        ({"deadline": None}, "deadline"),
    ],
)
def test_bad_recommendations_are_refused_and_no_task_is_made(
    personas, tree, inspection, data, field
):
    values = {"unit": tree["commune"], "text": "Kiến nghị", "deadline": datetime.date(2026, 4, 1)}
    values.update(data)
    if values["unit"] == "far":
        values["unit"] = tree["far_commune"]
    elif values["unit"] == "province":
        values["unit"] = tree["province"]
    with pytest.raises(ValidationError) as error:
        services.add_recommendation(personas["province_admin"], inspection, **values)
    assert field in error.value.message_dict
    assert Recommendation.objects.count() == 0 and Task.objects.count() == 0


def test_a_unit_with_recommendations_stays_inspected(personas, tree, inspection):
    admin = personas["province_admin"]
    services.add_recommendation(
        admin, inspection, unit=tree["commune"], text="x", deadline=datetime.date(2026, 4, 1)
    )
    data = {
        "kind": inspection.kind,
        "title": inspection.title,
        "lead_name": inspection.lead_name,
        "start_date": inspection.start_date,
        "end_date": inspection.end_date,
    }
    with pytest.raises(ValidationError) as error:
        services.update_inspection(admin, inspection, inspected_units=[tree["neighbour"]], **data)
    assert "inspected_units" in error.value.message_dict
    assert set(inspection.inspected_units.all()) == {tree["commune"], tree["neighbour"]}
    services.update_inspection(admin, inspection, inspected_units=[tree["commune"]], **data)
    assert list(inspection.inspected_units.all()) == [tree["commune"]]
