"""Activities and tasks created and changed through the API, with their forms' rules, scope and
field-by-field concurrency (`versions`)."""

import pytest
from auditlog.models import LogEntry

from binhdang.activities.models import Activity
from binhdang.activities.services import ActivityData, update_activity
from binhdang.plans.models import Task

pytestmark = pytest.mark.django_db


def _activity(tree, **changes):
    return {
        "title": "Tập huấn lồng ghép giới",
        "kind": "training",
        "start_date": "2025-10-20",
        "organiser": tree["commune"].pk,
        "participants": 40,
        "women": 25,
        "topics": [],
        **changes,
    }


def test_an_activity_is_recorded_read_and_changed(personas, tree, token_for):
    officer = token_for(personas["commune_officer"])
    created = officer.post("/api/v1/activities", _activity(tree))
    assert created.status_code == 201, created.content
    activity = Activity.objects.get()
    assert (activity.participants, activity.women, activity.end_date.isoformat()) == (
        40,
        25,
        "2025-10-20",
    )
    entry = LogEntry.objects.filter(content_type__model="activity").latest("timestamp")
    assert entry.actor == personas["commune_officer"] and entry.additional_data["via"] == "api"
    read = officer.get(f"/api/v1/activities/{activity.pk}").json()
    changed = officer.client.put(
        f"/api/v1/activities/{activity.pk}",
        {**_activity(tree, participants=50), "versions": read["versions"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer.text}"},
    )
    assert changed.status_code == 200 and changed.json()["participants"] == 50


def test_the_activity_form_s_rules_apply(personas, tree, token_for):
    officer = token_for(personas["commune_officer"])
    refused = officer.post("/api/v1/activities", _activity(tree, women=60))
    assert refused.status_code == 422
    assert "women" in refused.json()["errors"]
    outside = officer.post("/api/v1/activities", _activity(tree, organiser=tree["neighbour"].pk))
    assert outside.status_code == 422 and "organiser" in outside.json()["errors"]
    assert not Activity.objects.exists()


def test_a_field_both_changed_is_409_with_both_values(personas, tree, token_for):
    officer = token_for(personas["commune_officer"])
    created = officer.post("/api/v1/activities", _activity(tree)).json()
    activity = Activity.objects.get()
    # A colleague changes the number of participants on the page meanwhile.
    data = ActivityData(
        title=activity.title,
        kind=activity.kind,
        start_date=activity.start_date,
        organiser=activity.organiser,
        participants=45,
        women=25,
    )
    update_activity(personas["commune_officer"], activity, data)
    response = officer.client.put(
        f"/api/v1/activities/{activity.pk}",
        {**_activity(tree, participants=60), "versions": created["versions"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer.text}"},
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "stale"
    assert problem["conflicts"][0]["field"] == "participants"
    assert problem["conflicts"][0]["current"] == "45"
    Activity.objects.get(participants=45)
    # Sent again with the refreshed versions, it replaces theirs knowingly.
    again = officer.client.put(
        f"/api/v1/activities/{activity.pk}",
        {**_activity(tree, participants=60), "versions": problem["versions"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer.text}"},
    )
    assert again.status_code == 200 and again.json()["participants"] == 60


def test_another_unit_s_activity_is_404(personas, tree, token_for):
    token_for(personas["commune_officer"]).post("/api/v1/activities", _activity(tree))
    activity = Activity.objects.get()
    neighbour = token_for(personas["neighbour_officer"])
    assert neighbour.get(f"/api/v1/activities/{activity.pk}").status_code == 404
    assert neighbour.get("/api/v1/activities").json()["count"] == 0


def test_a_task_is_assigned_by_the_province_and_only_it_changes_it(personas, tree, token_for):
    approver = token_for(personas["province_approver"])
    body = {
        "title": "Rà soát số liệu cán bộ nữ",
        "assigned_by": tree["province"].pk,
        "lead_unit": tree["commune"].pk,
        "deadline": "2026-06-30",
    }
    created = approver.post("/api/v1/tasks", body)
    assert created.status_code == 201, created.content
    task = Task.objects.get()
    officer = token_for(personas["commune_officer"])
    read = officer.get(f"/api/v1/tasks/{task.pk}").json()
    assert read["lead_unit_id"] == tree["commune"].pk
    refused = officer.client.put(
        f"/api/v1/tasks/{task.pk}",
        {**body, "title": "Khác", "versions": read["versions"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer.text}"},
    )
    assert refused.status_code == 403
    changed = approver.client.put(
        f"/api/v1/tasks/{task.pk}",
        {**body, "deadline": "2026-09-30", "versions": read["versions"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {approver.text}"},
    )
    assert changed.status_code == 200 and changed.json()["deadline"] == "2026-09-30"
    # A lead unit outside the assigning unit is refused with the form's message.
    outside = approver.post("/api/v1/tasks", {**body, "lead_unit": tree["other_province"].pk})
    assert outside.status_code == 422 and "lead_unit" in outside.json()["errors"]


def test_an_inspection_is_recorded_and_changed_within_the_inspecting_unit(
    personas, tree, token_for
):
    approver = token_for(personas["province_approver"])
    body = {
        "unit": tree["province"].pk,
        "kind": "inspection",
        "title": "Kiểm tra công tác bình đẳng giới năm 2025",
        "lead_name": "Nguyễn Thị Lan",
        "inspected_units": [tree["commune"].pk],
        "start_date": "2025-11-03",
        "end_date": "2025-11-05",
    }
    created = approver.post("/api/v1/inspections", body)
    assert created.status_code == 201, created.content
    read = created.json()
    assert read["inspected_unit_ids"] == [tree["commune"].pk]
    changed = approver.client.put(
        f"/api/v1/inspections/{read['id']}",
        {**body, "findings": "Đã thành lập Ban VSTBPN.", "versions": read["versions"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {approver.text}"},
    )
    assert changed.status_code == 200 and changed.json()["findings"] == "Đã thành lập Ban VSTBPN."
    # Another province's commune is no unit of its pickers: refused without naming it.
    outside = approver.post(
        "/api/v1/inspections", {**body, "inspected_units": [tree["far_commune"].pk]}
    )
    assert outside.status_code == 422
    assert tree["far_commune"].name not in outside.content.decode()
    # The commune reads the inspection of itself but cannot change the province's record.
    officer = token_for(personas["commune_officer"])
    assert officer.get(f"/api/v1/inspections/{read['id']}").status_code == 200
    refused = officer.client.put(
        f"/api/v1/inspections/{read['id']}",
        {**body, "versions": read["versions"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {officer.text}"},
    )
    assert refused.status_code == 403


def test_a_task_deadline_is_said_as_the_form_says_it(personas, tree, token_for):
    approver = token_for(personas["province_approver"])
    body = {
        "title": "Báo cáo sơ kết",
        "assigned_by": tree["province"].pk,
        "lead_unit": tree["commune"].pk,
        "deadline": "2026-06-30",
        "deadline_kind": "quarter",
    }
    created = approver.post("/api/v1/tasks", body)
    assert created.status_code == 201, created.content
    assert created.json()["deadline_kind"] == "quarter"
    unknown = approver.post("/api/v1/tasks", {**body, "deadline_kind": "someday"})
    assert unknown.status_code == 422 and "body.deadline_kind" in unknown.json()["errors"]


def test_a_plan_is_recorded_and_changed_while_a_draft(personas, tree, token_for):
    approver = token_for(personas["province_approver"])
    body = {
        "unit": tree["province"].pk,
        "kind": "annual",
        "start_year": 2026,
        "end_year": 2026,
        "title": "Kế hoạch thực hiện công tác bình đẳng giới năm 2026",
    }
    created = approver.post("/api/v1/plans", body)
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "draft"
    changed = approver.client.put(
        f"/api/v1/plans/{plan['id']}",
        {**body, "decision_signer": "Phó Chủ tịch", "versions": plan["versions"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {approver.text}"},
    )
    assert changed.status_code == 200 and changed.json()["decision_signer"] == "Phó Chủ tịch"
    neighbour = token_for(personas["neighbour_officer"])
    assert neighbour.get(f"/api/v1/plans/{plan['id']}").status_code == 404
    assert neighbour.post("/api/v1/plans", body).status_code == 404
