"""The lists: units without a plan, overdue and due soon, and their Excel exports."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from binhdang.orgunits.models import Level, OrgUnit
from binhdang.plans import queries, services
from binhdang.plans.deadlines import DeadlineKind
from binhdang.plans.models import PlanKind

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _annual(actor, unit, year=2026, approve=True, title="Kế hoạch năm"):
    plan = services.create_plan(
        actor, unit, kind=PlanKind.ANNUAL, start_year=year, end_year=year, title=title
    )
    if approve:
        services.approve_plan(actor, plan, decision_number="9/KH-UBND", decision_date=TODAY)
    return plan


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _rows(worksheet, first=4):
    return [
        [cell for cell in row]
        for row in worksheet.iter_rows(min_row=first, values_only=True)
        if any(v is not None for v in row)
    ]


@pytest.fixture
def department(tree):
    return OrgUnit.objects.create(
        code="P51-SYT", name="Sở Y tế", kind="provincial_department", parent=tree["province"]
    )


def test_units_without_a_plan_for_a_year(personas, tree, department):
    admin = personas["province_admin"]
    _annual(admin, tree["commune"])  # approved for 2026
    _annual(admin, tree["neighbour"], approve=False)  # a draft does not count
    _annual(admin, department, year=2025)  # another year does not count
    multi = services.create_plan(
        admin, department, kind=PlanKind.MULTI_YEAR, start_year=2026, end_year=2030, title="GĐ"
    )
    services.approve_plan(admin, multi, decision_number="1/KH", decision_date=TODAY)  # not annual

    direct = queries.candidate_units(admin, tree["province"], None, 2026)
    missing = list(queries.units_without_plan(direct, 2026))
    assert tree["commune"] not in missing
    assert tree["neighbour"] in missing and department in missing
    assert len(missing) == direct.count() - 1
    assert next(u for u in missing if u == tree["neighbour"]).has_draft

    communes = queries.candidate_units(admin, tree["province"], Level.COMMUNE, 2026)
    assert department not in communes and tree["commune"] in communes
    departments = queries.candidate_units(admin, tree["province"], Level.DEPARTMENT, 2026)
    assert list(queries.units_without_plan(departments, 2026)) == [department]
    # 2025: the department's plan counts; communes were the old ones before 1/7/2025.
    assert department not in queries.units_without_plan(
        queries.candidate_units(admin, tree["province"], None, 2025), 2025
    )


def test_units_without_a_plan_page_and_export(personas, tree, department, client):
    admin = personas["province_admin"]
    _annual(admin, tree["commune"])
    client.force_login(personas["province_viewer"])
    url = reverse("plans:missing")
    page = client.get(url, {"year": 2026, "level": Level.DEPARTMENT}).content.decode()
    assert "Sở Y tế" in page and "1/1" in page
    response = client.get(reverse("plans:missing_xlsx"), {"year": 2026, "level": Level.DEPARTMENT})
    sheet = _sheet(response).active
    assert sheet["A1"].value.startswith("Đơn vị chưa có kế hoạch năm 2026 được phê duyệt")
    assert [c.value for c in sheet[3]] == [
        "STT",
        "Mã",
        "Đơn vị",
        "Cấp",
        "Trực thuộc",
        "Kế hoạch nháp",
    ]
    assert _rows(sheet) == [[1, "P51-SYT", "Sở Y tế", "Sở, ban, ngành", "Tỉnh Quảng Ngãi", None]]
    communes = client.get(reverse("plans:missing_xlsx"), {"year": 2026, "level": Level.COMMUNE})
    names = [row[2] for row in _rows(_sheet(communes).active)]
    assert tree["neighbour"].name in names and tree["commune"].name not in names


def test_overdue_and_due_soon_lists_follow_the_users_scope(personas, tree, client):
    admin = personas["province_admin"]

    def task(lead, deadline, title):
        return services.create_task(
            admin, assigned_by=tree["province"], lead_unit=lead, title=title, deadline=deadline
        )

    task(tree["commune"], datetime.date(2026, 3, 1), "Xã quá hạn")
    task(tree["commune"], datetime.date(2026, 3, 15), "Xã sắp đến hạn")
    task(tree["commune"], datetime.date(2026, 5, 15), "Xã còn lâu")
    task(tree["neighbour"], datetime.date(2026, 3, 2), "Xã bên quá hạn")

    client.force_login(personas["commune_officer"])
    overdue = client.get(reverse("plans:tasks"), {"status": "overdue"}).content.decode()
    assert "Xã quá hạn" in overdue and "Xã sắp đến hạn" not in overdue
    assert "Xã bên quá hạn" not in overdue
    soon = client.get(reverse("plans:tasks"), {"due_within": 7}).content.decode()
    assert "Xã sắp đến hạn" in soon and "Xã còn lâu" not in soon and "Xã quá hạn" not in soon

    client.force_login(personas["province_viewer"])
    overdue = client.get(reverse("plans:tasks"), {"status": "overdue"}).content.decode()
    assert "Xã quá hạn" in overdue and "Xã bên quá hạn" in overdue
    counts = queries.task_counts(queries.visible_tasks(personas["province_viewer"]), days=7)
    assert (counts.total, counts.overdue, counts.due_soon, counts.not_started) == (4, 2, 1, 2)


def test_task_export_applies_the_filters(personas, tree, client):
    admin = personas["province_admin"]
    late = services.create_task(
        admin,
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        collaborating_units=[tree["neighbour"]],
        title="Quá hạn",
        deadline=datetime.date(2026, 2, 28),
        deadline_kind=DeadlineKind.BEFORE_MONTH,
    )
    services.create_task(
        admin,
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        title="Chưa đến hạn",
        deadline=datetime.date(2026, 12, 31),
    )
    client.force_login(personas["province_viewer"])
    response = client.get(reverse("plans:tasks_xlsx"), {"status": "overdue"})
    assert "nhiem-vu.xlsx" in response["Content-Disposition"]
    sheet = _sheet(response)["Nhiệm vụ"]
    assert sheet["A1"].value == "Danh sách nhiệm vụ"
    assert "Lọc: trạng thái: Quá hạn" in sheet["A2"].value
    rows = _rows(sheet)
    assert len(rows) == 1
    row = rows[0]
    assert row[:6] == [
        1,
        "Quá hạn",
        tree["commune"].name,
        tree["neighbour"].name,
        "Tỉnh Quảng Ngãi",
        "Trước tháng 3/2026",
    ]
    assert row[6] == datetime.datetime(2026, 2, 28)
    assert sheet.cell(row=4, column=7).number_format == "DD/MM/YYYY"
    assert row[7:9] == ["Quá hạn", 0]
    assert row[10] == "Giao trực tiếp"
    everything = _rows(_sheet(client.get(reverse("plans:tasks_xlsx")))["Nhiệm vụ"])
    assert [r[1] for r in everything] == ["Quá hạn", "Chưa đến hạn"]
    assert late.pk


def test_plan_export(personas, tree, plan, commune_task, client):
    services.approve_plan(
        personas["province_approver"],
        plan,
        decision_number="48/KH-UBND",
        decision_date=datetime.date(2026, 2, 20),
        decision_signer="Phó Chủ tịch UBND tỉnh",
    )
    client.force_login(personas["province_viewer"])
    sheet = _sheet(client.get(reverse("plans:plans_xlsx"), {"year": 2026})).active
    assert sheet.title == "Kế hoạch"
    assert _rows(sheet) == [
        [
            1,
            "Tỉnh Quảng Ngãi",
            "Kế hoạch năm",
            "2026",
            plan.title,
            "Đã phê duyệt",
            "48/KH-UBND",
            datetime.datetime(2026, 2, 20),
            "Phó Chủ tịch UBND tỉnh",
            1,
        ]
    ]
    assert _rows(_sheet(client.get(reverse("plans:plans_xlsx"), {"year": 2027})).active) == []


def test_inspection_export_with_recommendations(personas, tree, client):
    admin = personas["province_admin"]
    inspection = services.create_inspection(
        admin,
        tree["province"],
        kind="supervision",
        title="Giám sát năm 2026",
        lead_name="Trần Văn Phúc",
        lead_position="Giám đốc Sở Nội vụ",
        members="Lê Thị Thanh — Hội LHPN",
        inspected_units=[tree["commune"]],
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 3),
    )
    rec = services.add_recommendation(
        admin,
        inspection,
        unit=tree["commune"],
        text="Ban hành kế hoạch",
        deadline=datetime.date(2026, 3, 5),
    )
    services.add_recommendation(
        admin,
        inspection,
        unit=tree["commune"],
        text="Bố trí kinh phí",
        deadline=datetime.date(2026, 6, 30),
    )
    services.add_update(admin, rec.tasks.get(), text="Xong", new_status="done")
    client.force_login(personas["commune_officer"])
    book = _sheet(client.get(reverse("plans:inspections_xlsx")))
    first = _rows(book["Kiểm tra, giám sát"])
    assert first == [
        [
            1,
            "Giám sát năm 2026",
            "Giám sát",
            "Tỉnh Quảng Ngãi",
            tree["commune"].name,
            datetime.datetime(2026, 3, 2),
            datetime.datetime(2026, 3, 3),
            "Trần Văn Phúc, Giám đốc Sở Nội vụ",
            "Lê Thị Thanh — Hội LHPN",
            None,
            None,
            2,
            1,
        ]
    ]
    second = _rows(book["Kiến nghị"])
    assert [(r[3], r[4], r[5]) for r in second] == [
        ("Ban hành kế hoạch", "05/03/2026", "Hoàn thành"),
        ("Bố trí kinh phí", "30/06/2026", "Chưa thực hiện"),
    ]
