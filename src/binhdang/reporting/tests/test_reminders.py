"""Notices and reminders: the opening e-mail, the daily command's days before the deadline and
after it (frozen clock, mail.outbox), idempotent per day, and the one-click reminder's limit."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.reporting import services
from binhdang.reporting.models import EventKind, Reminder, ReminderKind, SubmissionEvent

from .conftest import VN, open_round, send_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def addressed(personas, tree):
    """The communes' officers have e-mail addresses; an inactive account and one without an
    address are never written to."""
    for key, email in (
        ("commune_officer", "xa1@example.vn"),
        ("neighbour_officer", "xa2@example.vn"),
    ):
        personas[key].email = email
        personas[key].save()
    gone = make_user("former_officer", tree["commune"], Role.DATA_OFFICER)
    gone.email, gone.is_active = "cu@example.vn", False
    gone.save()
    make_user("no_address", tree["commune"], Role.VIEWER)
    return personas


def _run(day: datetime.date) -> list:
    before = len(mail.outbox)
    with time_machine.travel(
        datetime.datetime.combine(day, datetime.time(6), tzinfo=VN), tick=False
    ):
        call_command("send_round_reminders")
    return mail.outbox[before:]


def test_opening_notifies_the_required_units(
    addressed, tree, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        round = open_round(
            addressed["province_approver"],
            tree["province"],
            units=[tree["commune"], tree["neighbour"]],
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["xa1@example.vn", "xa2@example.vn"]
    message = next(m for m in mail.outbox if m.to == ["xa1@example.vn"])
    assert message.subject == f"Kỳ báo cáo mới: {round.name}"
    assert "Hạn nộp: 15/12/2025" in message.body and tree["commune"].name in message.body


def test_daily_reminders_before_and_after_the_deadline(addressed, province_round, tree):
    d = datetime.date
    assert _run(d(2025, 12, 11)) == []  # 4 days before
    sent = _run(d(2025, 12, 12))  # 3 days before
    assert sorted(m.to[0] for m in sent) == ["xa1@example.vn", "xa2@example.vn"]
    assert "15/12/2025" in sent[0].subject
    assert _run(d(2025, 12, 12)) == []  # the same day again: nothing more
    assert _run(d(2025, 12, 13)) == []  # 2 days before
    commune = province_round.submissions.get(unit=tree["commune"])
    with time_machine.travel(datetime.datetime(2025, 12, 13, 10, tzinfo=VN), tick=False):
        send_up(addressed["commune_officer"], commune)
    sent = _run(d(2025, 12, 14))  # 1 day before: only the neighbour, who has not sent
    assert [m.to for m in sent] == [["xa2@example.vn"]]
    assert _run(d(2025, 12, 15)) == []  # the deadline day itself
    sent = _run(d(2025, 12, 16))  # late
    assert [m.to for m in sent] == [["xa2@example.vn"]]
    assert sent[0].subject.startswith("Quá hạn nộp báo cáo")
    assert _run(d(2025, 12, 17)) == []
    assert [m.to for m in _run(d(2025, 12, 23))] == [["xa2@example.vn"]]  # a week later
    neighbour = province_round.submissions.get(unit=tree["neighbour"])
    kinds = list(neighbour.reminders.order_by("sent_on").values_list("kind", flat=True))
    assert kinds == [ReminderKind.DUE, ReminderKind.DUE, ReminderKind.LATE, ReminderKind.LATE]
    events = SubmissionEvent.objects.filter(submission=neighbour, kind=EventKind.REMINDED)
    assert events.count() == 4 and "số e-mail đã gửi: 1" in events.first().comment


def test_reminder_days_follow_the_setting(addressed, province_round, settings):
    settings.ROUND_REMINDER_DAYS = [7]
    assert _run(datetime.date(2025, 12, 12)) == []
    assert len(_run(datetime.date(2025, 12, 8))) == 2


def test_a_closed_round_reminds_nobody(addressed, province_round):
    services.close_round(addressed["province_approver"], province_round)
    assert _run(datetime.date(2025, 12, 14)) == []
    assert _run(datetime.date(2025, 12, 16)) == []
    assert not Reminder.objects.exists()


def test_one_click_and_daily_reminders_share_the_daily_limit(
    addressed, province_round, tree, django_capture_on_commit_callbacks
):
    neighbour = province_round.submissions.get(unit=tree["neighbour"])
    at = datetime.datetime(2025, 12, 14, 8, tzinfo=VN)
    with time_machine.travel(at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.remind(addressed["province_approver"], neighbour)
        with pytest.raises(Exception, match="đã được nhắc hôm nay"):
            services.remind(addressed["province_approver"], neighbour)
    assert [m.to for m in mail.outbox] == [["xa2@example.vn"]]
    # The daily run that morning reminds only the commune.
    assert [m.to for m in _run(datetime.date(2025, 12, 14))] == [["xa1@example.vn"]]
    with (
        time_machine.travel(at + datetime.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.remind(addressed["province_approver"], neighbour)
    assert neighbour.reminders.count() == 2


def test_nothing_to_remind_once_sent(addressed, commune_submission):
    submitted = send_up(addressed["commune_officer"], commune_submission)
    with pytest.raises(Exception, match="không cần nhắc"):
        services.remind(addressed["province_approver"], submitted)


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError):
        call_command("send_round_reminders", "--date", "2025-12-14")


def test_the_command_can_run_for_a_given_day(addressed, province_round):
    call_command("send_round_reminders", "--date", "12/12/2025")
    assert len(mail.outbox) == 2


def test_a_unit_without_e_mail_is_not_reminded(personas, province_round, tree):
    neighbour = province_round.submissions.get(unit=tree["neighbour"])
    with pytest.raises(Exception, match="điện thoại"):
        services.remind(personas["province_approver"], neighbour)
    assert not Reminder.objects.exists()
    assert _run(datetime.date(2025, 12, 12)) == [] and not Reminder.objects.exists()
