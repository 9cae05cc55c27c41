"""No lost update on plan, task and inspection edits (issue 11, item 3): two tabs, re-saves."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from binhdang.core.concurrency import StaleEdit, fingerprints
from binhdang.core.tests.pages import posted_form
from binhdang.plans import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(personas, tree):
    return services.create_inspection(
        personas["province_admin"],
        tree["province"],
        kind="inspection",
        title="Kiểm tra thực hiện pháp luật về bình đẳng giới",
        lead_name="Trần Văn Phúc",
        members="Lê Thị Thanh — Hội LHPN\nHuỳnh Thị Kim — Sở Nội vụ",
        inspected_units=[tree["commune"], tree["neighbour"]],
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 4),
        findings="Chưa ban hành kế hoạch năm.",
    )


# (url name, the record's fixture, field f and two different values, field g and a value)
CASES = {
    "plan": (
        "plans:plan_edit",
        "plan",
        ("title", "Kế hoạch A", "Kế hoạch B"),
        ("decision_signer", "Nguyễn Văn Tám"),
    ),
    "task": (
        "plans:task_edit",
        "commune_task",
        ("deadline", "30/04/2026", "Trong tháng 5/2026"),
        ("description", "Mời báo cáo viên"),
    ),
    "inspection": (
        "plans:inspection_edit",
        "inspection",
        ("findings", "Đã khắc phục", "Chưa khắc phục"),
        ("lead_position", "Phó Giám đốc Sở"),
    ),
}


def _open(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return posted_form(response.content.decode())


def _stored(record):
    record.refresh_from_db()
    return record


@pytest.mark.parametrize("case", CASES)
def test_stale_second_tab(client, personas, request, case):
    name, fixture, (f, value_a, value_b), (g, value_g) = CASES[case]
    record = request.getfixturevalue(fixture)
    client.force_login(personas["province_admin"])
    url = reverse(name, args=[record.pk])
    tab_a, tab_b, tab_c = _open(client, url), _open(client, url), _open(client, url)

    tab_a[f] = value_a
    assert client.post(url, tab_a).status_code == 302
    tab_b[g] = value_g
    assert client.post(url, tab_b).status_code == 302  # another field: both saved
    saved = posted_form(client.get(url).content.decode())
    assert (saved[f], saved[g]) == (value_a, value_g)

    stamp, entries = _stored(record).updated_at, LogEntry.objects.count()
    tab_c[f] = value_b
    response = client.post(url, tab_c)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Người khác đã lưu bản ghi này") == 1
    assert f"Người khác đã lưu: {value_a} — Bạn nhập: {value_b}" in page
    assert posted_form(page)[f] == value_b  # what the user typed is kept
    assert "Người khác cũng đã sửa các trường sau, được giữ như họ đã lưu:" in page
    assert value_g in page and posted_form(page)[g] != value_g  # named in the notice only
    assert _stored(record).updated_at == stamp and LogEntry.objects.count() == entries
    saved = posted_form(client.get(url).content.decode())
    assert (saved[f], saved[g]) == (value_a, value_g)  # nothing written


@pytest.mark.parametrize("case", CASES)
def test_resaving_unchanged_writes_nothing(client, personas, request, case):
    name, fixture, _f, _g = CASES[case]
    record = request.getfixturevalue(fixture)
    client.force_login(personas["province_admin"])
    url = reverse(name, args=[record.pk])
    stamp, entries = record.updated_at, LogEntry.objects.count()
    for _ in range(2):
        assert client.post(url, _open(client, url)).status_code == 302
    assert _stored(record).updated_at == stamp
    assert LogEntry.objects.count() == entries


def test_task_links_changed_meanwhile_are_kept(personas, tree, commune_task):
    actor = personas["province_admin"]
    seen = fingerprints(services.task_values(commune_task))
    base = {
        "lead_unit": tree["commune"],
        "title": commune_task.title,
        "deadline": commune_task.deadline,
    }
    services.update_task(
        actor, commune_task, **base, collaborating_units=[tree["neighbour"]], seen=seen
    )
    # The stale page still has no collaborating unit, and changes the title only.
    services.update_task(actor, commune_task, **{**base, "title": "Tập huấn (sửa)"}, seen=seen)
    task = _stored(commune_task)
    assert task.title == "Tập huấn (sửa)"
    assert list(task.collaborating_units.all()) == [tree["neighbour"]]
    with pytest.raises(StaleEdit):
        services.update_task(actor, task, **base, collaborating_units=[tree["province"]], seen=seen)


def test_stale_progress_page_does_not_undo_a_percentage(client, personas, commune_task):
    client.force_login(personas["province_admin"])
    url = reverse("plans:task_update", args=[commune_task.pk])
    tab_a, tab_b, tab_c = _open(client, url), _open(client, url), _open(client, url)
    assert tab_b["percent"] == "0"
    assert (
        client.post(url, {**tab_a, "text": "Đã mời giảng viên", "percent": "60"}).status_code == 302
    )
    # Tab B reports with the percentage left as it showed it: the 60% stands.
    assert client.post(url, {**tab_b, "text": "Đã in tài liệu"}).status_code == 302
    assert _stored(commune_task).progress == 60
    assert commune_task.updates.count() == 2
    # Tab C types another percentage: refused with both values, no update recorded.
    page = client.post(url, {**tab_c, "text": "Xong 30%", "percent": "30"}).content.decode()
    assert "Người khác đã lưu: 60 — Bạn nhập: 30" in page
    assert _stored(commune_task).progress == 60 and commune_task.updates.count() == 2


def test_approval_page_opened_before_the_decision_was_filled_in(client, personas, plan):
    approve = reverse("plans:plan_approve", args=[plan.pk])
    client.force_login(personas["province_approver"])
    page_a, page_b = _open(client, approve), _open(client, approve)
    services.update_plan(
        personas["province_admin"],
        plan,
        **{
            **services.plan_values(plan),
            "decision_number": "45/KH-UBND",
            "decision_signer": "Trần Phước Hiền",
        },
    )
    # A different number typed on the stale page: refused with both numbers.
    page = client.post(
        approve, {**page_a, "decision_number": "46/KH-UBND", "decision_date": "05/03/2026"}
    ).content.decode()
    assert "Người khác đã lưu: 45/KH-UBND — Bạn nhập: 46/KH-UBND" in page
    assert _stored(plan).status == "draft"
    # The same number: approved, and the signer filled in meanwhile is kept.
    response = client.post(
        approve, {**page_b, "decision_number": "45/KH-UBND", "decision_date": "05/03/2026"}
    )
    assert response.status_code == 302
    plan = _stored(plan)
    assert (plan.status, plan.decision_signer) == ("approved", "Trần Phước Hiền")
