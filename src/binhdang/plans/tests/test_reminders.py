"""Deadline reminders: the schedule on a frozen clock, the recipients, and one send per day."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.plans import reminders, services
from binhdang.plans.deadlines import DeadlineKind
from binhdang.plans.models import Reminder, TaskStatus

pytestmark = pytest.mark.django_db


def at(day: datetime.date):
    """Travel to 08:00 in Vietnam on a day (01:00 UTC)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 1, 0, tzinfo=datetime.UTC), tick=False
    )


def run(day: datetime.date) -> str:
    out = io.StringIO()
    with at(day):
        call_command("send_task_reminders", stdout=out)
    return out.getvalue()


@pytest.fixture
def officer(personas):
    user = personas["commune_officer"]
    user.email = "xa@example.org"
    user.save()
    return user


@pytest.fixture
def others(tree, personas):
    """People who must not be reminded: a viewer, an inactive officer, one without e-mail,
    and the province (not the lead unit)."""
    viewer = make_user("commune_viewer", tree["commune"], Role.VIEWER)
    viewer.email = "viewer@example.org"
    viewer.save()
    gone = make_user("commune_gone", tree["commune"], Role.DATA_OFFICER)
    gone.email, gone.is_active = "gone@example.org", False
    gone.save()
    make_user("commune_no_mail", tree["commune"], Role.APPROVER)
    admin = personas["province_admin"]
    admin.email = "tinh@example.org"
    admin.save()


def _task(personas, tree, deadline, title):
    return services.create_task(
        personas["province_admin"],
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        title=title,
        deadline=deadline,
    )


def test_reminders_go_out_7_and_1_days_before_and_the_day_after_a_missed_deadline(
    personas, tree, officer, others
):
    _task(personas, tree, datetime.date(2026, 3, 20), "Hạn 20/03")
    for day in range(1, 26):
        run(datetime.date(2026, 3, day))
    sent = [(m.subject, m.to) for m in mail.outbox]
    assert sent == [
        ("[Binhdang] Nhiệm vụ còn 7 ngày đến hạn: Hạn 20/03", ["xa@example.org"]),
        ("[Binhdang] Nhiệm vụ còn 1 ngày đến hạn: Hạn 20/03", ["xa@example.org"]),
        ("[Binhdang] Nhiệm vụ quá hạn: Hạn 20/03", ["xa@example.org"]),
    ]
    assert list(Reminder.objects.order_by("day").values_list("day", "kind", "days_before")) == [
        (datetime.date(2026, 3, 13), "due", 7),
        (datetime.date(2026, 3, 19), "due", 1),
        (datetime.date(2026, 3, 21), "missed", 0),
    ]


def test_a_second_run_on_the_same_day_sends_nothing(personas, tree, officer):
    _task(personas, tree, datetime.date(2026, 3, 17), "Bảy ngày")
    _task(personas, tree, datetime.date(2026, 3, 9), "Quá hạn hôm qua")
    first = run(datetime.date(2026, 3, 10))
    assert len(mail.outbox) == 2
    assert "đã xếp hàng 2 e-mail" in first and "1 quá hạn" in first
    second = run(datetime.date(2026, 3, 10))
    assert len(mail.outbox) == 2
    assert "đã xếp hàng 0 e-mail" in second
    assert Reminder.objects.count() == 2


def test_done_cancelled_and_other_days_are_not_reminded(personas, tree, officer):
    done = _task(personas, tree, datetime.date(2026, 3, 17), "Đã xong")
    services.add_update(personas["commune_officer"], done, text="Xong", new_status=TaskStatus.DONE)
    cancelled = _task(personas, tree, datetime.date(2026, 3, 9), "Đã hủy")
    services.add_update(personas["province_admin"], cancelled, text="Hủy", new_status="cancelled")
    _task(personas, tree, datetime.date(2026, 3, 12), "Hai ngày nữa")
    _task(personas, tree, datetime.date(2026, 3, 8), "Quá hạn từ hôm kia")
    run(datetime.date(2026, 3, 10))
    assert mail.outbox == []


@override_settings(TASK_REMINDER_DAYS=[3, 0])
def test_the_days_before_come_from_settings(personas, tree, officer):
    _task(personas, tree, datetime.date(2026, 3, 13), "Ba ngày")
    _task(personas, tree, datetime.date(2026, 3, 10), "Hôm nay")
    _task(personas, tree, datetime.date(2026, 3, 17), "Bảy ngày")
    run(datetime.date(2026, 3, 10))
    assert sorted(m.subject for m in mail.outbox) == [
        "[Binhdang] Nhiệm vụ còn 0 ngày đến hạn: Hôm nay",
        "[Binhdang] Nhiệm vụ còn 3 ngày đến hạn: Ba ngày",
    ]


def test_the_message_is_in_vietnamese_and_links_to_the_task(personas, tree, officer, settings):
    settings.SITE_URL = "https://binhdang.example.org/"
    task = _task(personas, tree, datetime.date(2026, 3, 31), "Tập huấn cán bộ xã")
    task.deadline_kind = DeadlineKind.BEFORE_MONTH
    task.save()
    with override_settings(LANGUAGE_CODE="en"):
        run(datetime.date(2026, 3, 30))
    body = mail.outbox[0].body
    assert body.startswith("Kính gửi commune_officer,")
    assert "Nhiệm vụ sau đến hạn ngày Trước tháng 4/2026, còn 1 ngày:" in body
    assert "Đơn vị chủ trì: " + tree["commune"].name in body
    assert "Trạng thái: Chưa thực hiện (0%)" in body
    assert f"https://binhdang.example.org/plans/tasks/{task.pk}/" in body


def test_the_missed_message(personas, tree, officer):
    _task(personas, tree, datetime.date(2026, 3, 9), "Báo cáo sơ kết")
    run(datetime.date(2026, 3, 10))
    body = mail.outbox[0].body
    assert "Nhiệm vụ sau đã quá hạn từ hôm qua (09/03/2026) mà chưa hoàn thành:" in body
    assert "Trạng thái: Quá hạn" in body


def test_every_officer_of_the_lead_unit_gets_one(personas, tree, officer):
    approver = make_user("commune_approver", tree["commune"], Role.APPROVER)
    approver.email = "chutich@example.org"
    approver.save()
    _task(personas, tree, datetime.date(2026, 3, 11), "Mai đến hạn")
    run(datetime.date(2026, 3, 10))
    assert sorted(m.to[0] for m in mail.outbox) == ["chutich@example.org", "xa@example.org"]


def test_a_queued_reminder_is_not_sent_once_the_task_is_closed(personas, tree, officer):
    task = _task(personas, tree, datetime.date(2026, 3, 11), "Mai đến hạn")
    reminder = Reminder.objects.create(
        task=task,
        recipient=officer,
        email=officer.email,
        kind="due",
        days_before=1,
        day=task.deadline,
    )
    services.add_update(officer, task, text="Xong sớm", new_status=TaskStatus.DONE)
    assert reminders.send_task_reminder.call(reminder.pk) is False
    assert mail.outbox == []


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_with_the_database_queue_the_worker_sends_them(personas, tree, officer, monkeypatch):
    # The worker drops stale connections between tasks; inside a test's transaction that would
    # drop the test's own connection (PostgreSQL).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    _task(personas, tree, datetime.date(2026, 3, 11), "Mai đến hạn")
    run(datetime.date(2026, 3, 10))
    assert mail.outbox == []  # queued, not sent by the command
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["xa@example.org"]]
    assert Reminder.objects.get().sent_at is not None
