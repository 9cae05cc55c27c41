"""Pages: each renders for each role, the forms carry the services' refusals, and the flows work."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binhdang.plans import services
from binhdang.plans.deadlines import DeadlineKind
from binhdang.plans.models import Inspection, Plan, PlanStatus, Task, TaskStatus, TaskUpdate

from .files import DOCX, PDF

pytestmark = pytest.mark.django_db

ROLES = [
    "commune_officer",
    "neighbour_officer",
    "province_viewer",
    "province_approver",
    "province_admin",
    "ministry_officer",
    "system_admin",
]


@pytest.fixture
def inspection(personas, tree):
    inspection = services.create_inspection(
        personas["province_admin"],
        tree["province"],
        kind="inspection",
        title="Kiểm tra năm 2026",
        lead_name="Trần Văn Phúc",
        inspected_units=[tree["commune"]],
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 3),
    )
    services.add_recommendation(
        personas["province_admin"],
        inspection,
        unit=tree["commune"],
        text="Ban hành kế hoạch năm",
        deadline=datetime.date(2026, 4, 1),
    )
    return inspection


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_every_role(
    role, personas, tree, plan, commune_task, inspection, client
):
    services.add_update(
        personas["commune_officer"],
        commune_task,
        text="Đã chuẩn bị",
        percent=20,
        file=SimpleUploadedFile("a.pdf", PDF),
    )
    user = personas[role]
    client.force_login(user)
    home_unit = user.unit
    sees_province = role.startswith("province") or role == "system_admin"
    sees_task = sees_province or role == "commune_officer"
    pages = {
        reverse("plans:home"): 200,
        reverse("plans:unit", args=[home_unit.pk]): 200,
        reverse("plans:tasks"): 200,
        reverse("plans:tasks") + "?status=overdue&due_within=30&relation=mine&q=x": 200,
        reverse("plans:tasks_xlsx"): 200,
        reverse("plans:plans"): 200,
        reverse("plans:plans_xlsx"): 200,
        reverse("plans:missing"): 200,
        reverse("plans:missing") + "?year=2026&level=4": 200,
        reverse("plans:missing_xlsx"): 200,
        reverse("plans:inspections"): 200,
        reverse("plans:inspections_xlsx"): 200,
        reverse("plans:task", args=[commune_task.pk]): 200 if sees_task else 404,
        reverse("plans:plan", args=[plan.pk]): 200 if sees_task else 404,
        reverse("plans:inspection", args=[inspection.pk]): 200 if sees_task else 404,
        reverse("plans:update_file", args=[commune_task.updates.get().pk]): 200
        if sees_task
        else 404,
    }
    editor = role in ("province_approver", "province_admin", "system_admin")
    pages[reverse("plans:plan_create", args=[tree["province"].pk])] = (
        200 if editor else 403 if sees_province else 404
    )
    pages[reverse("plans:plan_approve", args=[plan.pk])] = (
        200 if editor else 403 if sees_task else 404
    )
    pages[reverse("plans:task_edit", args=[commune_task.pk])] = (
        200 if editor else 403 if sees_task else 404
    )
    pages[reverse("plans:task_update", args=[commune_task.pk])] = (
        200 if editor or role == "commune_officer" else 403 if sees_task else 404
    )
    pages[reverse("plans:inspection_create", args=[tree["province"].pk])] = (
        200 if editor else 403 if sees_province else 404
    )
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, (role, url, response.status_code)


def test_the_home_page_shows_the_units_tasks_and_counts(personas, commune_task, client):
    client.force_login(personas["commune_officer"])
    page = client.get(reverse("plans:home")).content.decode()
    assert "Kế hoạch, nhiệm vụ" in page
    assert commune_task.title in page  # due within 14 days
    assert "chưa có kế hoạch năm 2026 được phê duyệt" in page
    assert "2.026" not in page


def test_navigation_links_to_the_section(personas, client):
    client.force_login(personas["commune_officer"])
    page = client.get(reverse("orgunits:home"), follow=True).content.decode()
    assert f'href="{reverse("plans:home")}"' in page


def test_record_approve_and_supersede_through_the_pages(personas, tree, client):
    client.force_login(personas["province_approver"])
    url = reverse("plans:plan_create", args=[tree["province"].pk])
    response = client.post(
        url,
        {"kind": "multi_year", "title": "Kế hoạch 2026–2030", "start_year": 2026, "end_year": 2030},
    )
    old = Plan.objects.get()
    assert response.status_code == 302 and old.status == PlanStatus.DRAFT
    approve = reverse("plans:plan_approve", args=[old.pk])
    client.post(
        approve,
        {
            "decision_number": "215/KH-UBND",
            "decision_date": "15/01/2026",
            "file": SimpleUploadedFile("kh.docx", DOCX),
        },
    )
    old.refresh_from_db()
    assert old.status == PlanStatus.APPROVED and old.file
    assert client.get(reverse("plans:plan_file", args=[old.pk])).status_code == 200

    client.post(
        url,
        {"kind": "multi_year", "title": "Kế hoạch sửa đổi", "start_year": 2026, "end_year": 2030},
    )
    new = Plan.objects.exclude(pk=old.pk).get()
    page = client.get(reverse("plans:plan_approve", args=[new.pk])).content.decode()
    assert "215/KH-UBND" in page  # warns which plan it will supersede
    client.post(
        reverse("plans:plan_approve", args=[new.pk]),
        {"decision_number": "300/KH-UBND", "decision_date": "01/03/2026"},
    )
    old.refresh_from_db()
    assert old.status == PlanStatus.SUPERSEDED and old.superseded_by == new
    page = client.get(old.get_absolute_url()).content.decode()
    assert "Đã được thay thế" in page and "300/KH-UBND" in page


def test_plan_form_refuses_end_before_start_naming_the_field(personas, tree, client):
    client.force_login(personas["province_admin"])
    page = client.post(
        reverse("plans:plan_create", args=[tree["province"].pk]),
        {"kind": "multi_year", "title": "Sai", "start_year": 2030, "end_year": 2026},
    ).content.decode()
    assert "Đến năm: Năm kết thúc (2030) trước" not in page
    assert "Đến năm: Năm kết thúc (2026) trước năm bắt đầu (2030)." in page
    assert Plan.objects.count() == 0


def test_plan_form_refuses_a_wrong_file(personas, tree, client):
    client.force_login(personas["province_admin"])
    page = client.post(
        reverse("plans:plan_create", args=[tree["province"].pk]),
        {
            "kind": "annual",
            "title": "Năm 2026",
            "start_year": 2026,
            "end_year": 2026,
            "file": SimpleUploadedFile("kh.pdf", b"MZ\x90\x00"),
        },
    ).content.decode()
    assert "Chỉ nhận tệp PDF, Word (DOCX) hoặc ảnh (PNG, JPEG)." in page
    assert Plan.objects.count() == 0


def test_task_form_month_13_and_before_month(personas, tree, plan, client):
    client.force_login(personas["province_admin"])
    url = reverse("plans:plan_task_create", args=[plan.pk])
    data = {"title": "Tập huấn", "lead_unit": tree["commune"].pk, "deadline": "13/2026"}
    page = client.post(url, data).content.decode()
    assert "Thời hạn: Không có tháng 13: hãy nhập tháng từ 1 đến 12." in page
    assert Task.objects.count() == 0
    data["deadline"] = "10/2026"
    data["collaborating_units"] = [tree["neighbour"].pk]
    response = client.post(url, data)
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.deadline == datetime.date(2026, 10, 31)
    assert task.deadline_kind == DeadlineKind.WITHIN_MONTH
    assert task.plan == plan and task.assigned_by == tree["province"]
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Trong tháng 10/2026" in page
    edit = client.get(reverse("plans:task_edit", args=[task.pk])).content.decode()
    assert 'value="Trong tháng 10/2026"' in edit


def test_task_form_refuses_deadline_before_plan_and_lead_outside_scope(
    personas, tree, plan, client
):
    client.force_login(personas["province_admin"])
    url = reverse("plans:plan_task_create", args=[plan.pk])
    page = client.post(
        url, {"title": "x", "lead_unit": tree["commune"].pk, "deadline": "31/12/2025"}
    ).content.decode()
    assert "Thời hạn: Thời hạn 31/12/2025 trước ngày bắt đầu của kế hoạch (01/01/2026)." in page
    page = client.post(
        url, {"title": "x", "lead_unit": tree["far_commune"].pk, "deadline": "31/12/2026"}
    ).content.decode()
    assert f"Đơn vị chủ trì: “{tree['far_commune'].name}” nằm ngoài phạm vi" in page
    assert Task.objects.count() == 0


def test_progress_update_page_with_evidence_and_done(personas, commune_task, client):
    client.force_login(personas["commune_officer"])
    url = reverse("plans:task_update", args=[commune_task.pk])
    page = client.get(url).content.decode()
    assert "Đã hủy" not in page  # only the assigning unit may cancel
    bad = client.post(
        url, {"date": "10/03/2026", "text": "x", "file": SimpleUploadedFile("x.pdf", b"MZ")}
    ).content.decode()
    assert "Chỉ nhận tệp PDF" in bad and TaskUpdate.objects.count() == 0
    response = client.post(
        url,
        {
            "date": "09/03/2026",
            "text": "Đã tổ chức 2 lớp tập huấn",
            "new_status": "done",
            "link": "https://example.org/tin",
            "file": SimpleUploadedFile("anh.pdf", PDF),
        },
    )
    assert response.status_code == 302
    commune_task.refresh_from_db()
    assert commune_task.status == TaskStatus.DONE and commune_task.completed_on == datetime.date(
        2026, 3, 9
    )
    page = client.get(commune_task.get_absolute_url()).content.decode()
    assert "Đã tổ chức 2 lớp tập huấn" in page and "Tệp minh chứng" in page


def test_inspection_pages_refuse_units_outside_and_end_before_start(personas, tree, client):
    client.force_login(personas["province_admin"])
    url = reverse("plans:inspection_create", args=[tree["province"].pk])
    data = {
        "kind": "inspection",
        "title": "Kiểm tra",
        "lead_name": "Trần Văn Phúc",
        "inspected_units": [tree["commune"].pk, tree["far_commune"].pk],
        "start_date": "02/03/2026",
        "end_date": "01/03/2026",
    }
    page = client.post(url, data).content.decode()
    assert "Ngày kết thúc: Ngày kết thúc 01/03/2026 trước ngày bắt đầu 02/03/2026." in page
    assert "Đơn vị được kiểm tra: " in page and "không trực thuộc" in page
    assert Inspection.objects.count() == 0
    data["inspected_units"] = [tree["commune"].pk]
    data["end_date"] = "03/03/2026"
    assert client.post(url, data).status_code == 302
    inspection = Inspection.objects.get()
    rec_url = reverse("plans:recommendation_create", args=[inspection.pk])
    page = client.post(
        rec_url, {"unit": tree["commune"].pk, "text": "Kiến nghị", "deadline": "13/2026"}
    ).content.decode()
    assert "Không có tháng 13" in page
    response = client.post(
        rec_url, {"unit": tree["commune"].pk, "text": "Kiến nghị", "deadline": "trước tháng 4/2026"}
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.lead_unit == tree["commune"] and task.deadline_label == "Trước tháng 4/2026"


def test_the_english_interface(personas, commune_task, client):
    client.force_login(personas["commune_officer"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("plans:task", args=[commune_task.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
