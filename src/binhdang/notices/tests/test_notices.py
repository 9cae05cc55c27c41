"""Notices: every event gives one notice per recipient and its e-mail from the one `notify`; the
text is written in the reader's language; the bell, the list, opening and marking read; nobody
reaches another's notice; old read notices are cleaned."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.notices import services
from binhdang.notices.context_processors import bell
from binhdang.notices.models import Notice, NoticeKind
from binhdang.plans import services as plan_services
from binhdang.reporting import services as reporting
from binhdang.reporting.models import State
from binhdang.reporting.tests.conftest import VN, open_round, send_up

pytestmark = pytest.mark.django_db

COMMENT = "Thiếu số liệu chỉ tiêu 1.1; đề nghị bổ sung."


@pytest.fixture
def addressed(personas, tree):
    """Officers with e-mail addresses; a commune viewer without one still gets notices."""
    for key, email in (
        ("commune_officer", "xa@example.vn"),
        ("neighbour_officer", "langgieng@example.vn"),
        ("province_approver", "duyet@example.vn"),
        ("province_admin", "quantri@example.vn"),
        ("province_viewer", "xem@example.vn"),
    ):
        personas[key].email = email
        personas[key].save()
    personas["commune_viewer"] = make_user("commune_viewer", tree["commune"], Role.VIEWER)
    gone = make_user("commune_gone", tree["commune"], Role.DATA_OFFICER)
    gone.email, gone.is_active = "cu@example.vn", False
    gone.save()
    return personas


@pytest.fixture
def round_(addressed, tree, catalogue):
    """Quảng Ngãi's 2025 round for two communes, opened without telling anyone (no commit)."""
    return open_round(
        addressed["province_approver"], tree["province"], units=[tree["commune"], tree["neighbour"]]
    )


@pytest.fixture
def submitted(round_, addressed, tree):
    submission = round_.submissions.get(unit=tree["commune"])
    with time_machine.travel(datetime.datetime(2025, 12, 10, 9, tzinfo=VN), tick=False):
        return send_up(addressed["commune_officer"], submission)


def _received(kind) -> dict[str, int]:
    """How many notices of a kind each person got."""
    counts: dict[str, int] = {}
    for notice in Notice.objects.filter(kind=kind).select_related("recipient"):
        counts[notice.recipient.username] = counts.get(notice.recipient.username, 0) + 1
    return counts


# --- One notice per recipient, and its e-mail ----------------------------------------------------


def test_opening_a_round_tells_each_unit_in_the_app_and_by_e_mail(
    addressed, tree, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        round = open_round(
            addressed["province_approver"],
            tree["province"],
            units=[tree["commune"], tree["neighbour"]],
        )
    assert _received(NoticeKind.ROUND_OPENED) == {
        "commune_officer": 1,
        "commune_viewer": 1,  # no address: the notice only
        "neighbour_officer": 1,
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["langgieng@example.vn", "xa@example.vn"]
    notice = Notice.objects.get(recipient=addressed["commune_officer"])
    assert notice.link == round.submissions.get(unit=tree["commune"]).get_absolute_url()
    message = next(m for m in mail.outbox if m.to == ["xa@example.vn"])
    with translation.override("vi"):
        assert message.subject == f"Kỳ báo cáo mới: {round.name}"
        assert notice.text == (
            f"Kỳ báo cáo mới “{round.name}”: báo cáo của {tree['commune'].name} cần gửi trước "
            "hết ngày 15/12/2025."
        )


def test_a_submitted_report_waits_for_the_opening_units_approvers(
    round_, addressed, tree, django_capture_on_commit_callbacks
):
    submission = round_.submissions.get(unit=tree["commune"])
    with django_capture_on_commit_callbacks(execute=True):
        send_up(addressed["commune_officer"], submission)
    # Approvers and the unit administrator (above approver); not the viewer, not the commune.
    assert _received(NoticeKind.REPORT_SUBMITTED) == {
        "province_approver": 1,
        "province_admin": 1,
    }
    assert Notice.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["duyet@example.vn", "quantri@example.vn"]
    assert all(n.link == submission.get_absolute_url() for n in Notice.objects.all())
    assert tree["commune"].name in mail.outbox[0].subject


def test_a_returned_report_carries_the_comment_and_links_to_the_submission(
    submitted, addressed, tree, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        reporting.return_submission(
            addressed["province_approver"],
            submitted,
            version=submitted.version,
            comment=COMMENT,
        )
    assert _received(NoticeKind.REPORT_RETURNED) == {"commune_officer": 1}
    notice = Notice.objects.get(kind=NoticeKind.REPORT_RETURNED)
    assert notice.params["comment"] == COMMENT
    assert notice.link == submitted.get_absolute_url()
    [message] = mail.outbox
    assert message.to == ["xa@example.vn"] and COMMENT in message.body
    assert "Kính gửi commune_officer," in message.body
    with translation.override("vi"):
        assert f"Trạng thái: {State.RETURNED.label}\n" in message.body
    client.force_login(addressed["commune_officer"])
    page = client.get(reverse("notices:list")).content.decode()
    assert COMMENT in page and "đã trả lại báo cáo" in page
    response = client.post(reverse("notices:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == submitted.get_absolute_url()


def test_an_accepted_report_is_told_to_the_units_officers(
    submitted, addressed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reporting.accept(addressed["province_approver"], submitted, version=submitted.version)
    assert _received(NoticeKind.REPORT_ACCEPTED) == {"commune_officer": 1}
    assert [m.to for m in mail.outbox] == [["xa@example.vn"]]
    assert mail.outbox[0].subject.startswith("Báo cáo đã được chấp nhận")


def test_an_unlocked_report_goes_back_to_the_unit_with_the_reason(
    submitted, addressed, django_capture_on_commit_callbacks
):
    accepted = reporting.accept(
        addressed["province_approver"], submitted, version=submitted.version
    )
    with django_capture_on_commit_callbacks(execute=True):
        reporting.unlock(
            addressed["province_approver"],
            accepted,
            version=accepted.version,
            reason="Sai số liệu chỉ tiêu 2.1",
        )
    notice = Notice.objects.get(kind=NoticeKind.REPORT_RETURNED)
    assert notice.recipient == addressed["commune_officer"]
    assert notice.params["comment"] == "Sai số liệu chỉ tiêu 2.1"
    assert [m.to for m in mail.outbox] == [["xa@example.vn"]]


def test_a_refused_action_tells_nobody(submitted, addressed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        reporting.return_submission(
            addressed["province_approver"], submitted, version=submitted.version, comment=""
        )
    assert not Notice.objects.exists() and mail.outbox == []


def test_a_new_task_is_told_to_the_lead_units_officers(
    addressed, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = plan_services.create_task(
            addressed["province_admin"],
            assigned_by=tree["province"],
            lead_unit=tree["commune"],
            title="Tập huấn cán bộ xã về bình đẳng giới",
            deadline=datetime.date(2027, 6, 30),
        )
    # Data officers and above of the lead unit: not its viewer, not the inactive officer.
    assert _received(NoticeKind.TASK_ASSIGNED) == {"commune_officer": 1}
    notice = Notice.objects.get()
    assert notice.link == task.get_absolute_url()
    [message] = mail.outbox
    assert message.subject == "[Binhdang] Nhiệm vụ mới: Tập huấn cán bộ xã về bình đẳng giới"
    assert "thời hạn 30/06/2027" in message.body and "Chưa thực hiện (0%)" in message.body
    # Changed without a new lead unit: nothing; given to another commune: its officers hear.
    with django_capture_on_commit_callbacks(execute=True):
        task = plan_services.update_task(
            addressed["province_admin"],
            task,
            lead_unit=tree["commune"],
            title="Tập huấn cán bộ xã",
            deadline=task.deadline,
        )
    assert Notice.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.update_task(
            addressed["province_admin"],
            task,
            lead_unit=tree["neighbour"],
            title="Tập huấn cán bộ xã",
            deadline=task.deadline,
        )
    assert _received(NoticeKind.TASK_ASSIGNED) == {"commune_officer": 1, "neighbour_officer": 1}
    assert len(mail.outbox) == 2


def test_round_reminders_give_notices_with_their_e_mails(round_, addressed):
    with time_machine.travel(datetime.datetime(2025, 12, 12, 6, tzinfo=VN), tick=False):
        call_command("send_round_reminders", stdout=io.StringIO())
    assert _received(NoticeKind.REPORT_DUE) == {
        "commune_officer": 1,
        "commune_viewer": 1,
        "neighbour_officer": 1,
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["langgieng@example.vn", "xa@example.vn"]


def test_task_reminders_give_notices_with_their_e_mails(addressed, tree):
    plan_services.create_task(
        addressed["province_admin"],
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        title="Báo cáo sơ kết",
        deadline=datetime.date(2026, 3, 9),
    )
    with time_machine.travel(datetime.datetime(2026, 3, 10, 1, tzinfo=datetime.UTC), tick=False):
        call_command("send_task_reminders", stdout=io.StringIO())
    assert _received(NoticeKind.TASK_MISSED) == {"commune_officer": 1}
    assert [m.subject for m in mail.outbox] == ["[Binhdang] Nhiệm vụ quá hạn: Báo cáo sơ kết"]


def test_notify_tells_each_person_once_and_skips_inactive_accounts(addressed, tree):
    officer = addressed["commune_officer"]
    inactive = make_user("inactive", tree["commune"], Role.DATA_OFFICER)
    inactive.is_active = False
    inactive.save()
    sent = services.notify(
        NoticeKind.TASK_DUE,
        [officer, officer, inactive, addressed["commune_viewer"]],
        link="/plans/tasks/1/",
        title="Nhiệm vụ",
        unit="Xã",
        assigned_by="Tỉnh",
        deadline=datetime.date(2026, 3, 20),
        status="not_started",
        progress=0,
        days=7,
    )
    assert len(sent.notices) == 2 and sent.emails == 1
    assert _received(NoticeKind.TASK_DUE) == {"commune_officer": 1, "commune_viewer": 1}


# --- The reader's language ------------------------------------------------------------------------


def test_the_same_notice_reads_in_vietnamese_and_in_english(addressed):
    [notice] = services.notify(
        NoticeKind.REPORT_RETURNED,
        [addressed["commune_officer"]],
        link="/reports/submissions/1/",
        name="Báo cáo năm 2025",
        unit="Xã Bình Sơn",
        reviewer="Nguyễn Thị Lan (Tỉnh Quảng Ngãi)",
        state="returned",
        comment=COMMENT,
    ).notices
    notice = Notice.objects.get(pk=notice.pk)
    with translation.override("vi"):
        assert notice.text == (
            "Nguyễn Thị Lan (Tỉnh Quảng Ngãi) đã trả lại báo cáo “Báo cáo năm 2025” của "
            "Xã Bình Sơn để chỉnh sửa."
        )
        assert notice.get_kind_display() == "Báo cáo bị trả lại"
    with translation.override("en"):
        assert notice.text == (
            "Nguyễn Thị Lan (Tỉnh Quảng Ngãi) returned the report of Xã Bình Sơn for "
            "“Báo cáo năm 2025” for correction."
        )


def test_dates_and_month_deadlines_follow_the_language(addressed):
    params = {
        "title": "Tổng kết",
        "unit": "Xã",
        "assigned_by": "Tỉnh",
        "deadline": datetime.date(2026, 2, 28),  # "before month 3/2026": on time until 28/02
        "deadline_kind": "before_month",
        "status": "in_progress",
        "progress": 40,
    }
    [notice] = services.notify(
        NoticeKind.TASK_ASSIGNED, [addressed["commune_officer"]], link="/", **params
    ).notices
    notice.refresh_from_db()
    with translation.override("vi"):
        assert "thời hạn Trước tháng 3/2026" in notice.text
    with translation.override("en"):
        assert "due Before month 3/2026" in notice.text


def test_a_notice_missing_a_parameter_reads_as_its_kind(addressed):
    notice = Notice(recipient=addressed["commune_officer"], kind=NoticeKind.REPORT_DUE, params={})
    with translation.override("vi"):
        assert notice.text == "Sắp đến hạn nộp"


# --- The bell and the list ------------------------------------------------------------------------


def _notices(user, count: int, kind=NoticeKind.TASK_MISSED) -> list[Notice]:
    now = timezone.now()
    return Notice.objects.bulk_create(
        Notice(
            recipient=user,
            kind=kind,
            params={"title": f"Nhiệm vụ số {i}"},
            link=f"/plans/tasks/{i}/",
            created_at=now - datetime.timedelta(minutes=count - i),
        )
        for i in range(1, count + 1)
    )


def test_the_bell_counts_unread_notices_and_says_so(client, personas):
    officer = personas["commune_officer"]
    made = _notices(officer, 3)
    made[0].read_at = timezone.now()
    made[0].save()
    _notices(personas["neighbour_officer"], 5)
    client.force_login(officer)
    page = client.get(reverse("orgunits:home"), follow=True).content.decode()
    assert 'href="/notices/"' in page and "Thông báo" in page
    assert '2<span class="visually-hidden"> thông báo chưa đọc</span>' in page


def test_the_bell_costs_one_query_and_none_for_anonymous_users(personas, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert bell(request) == {}
    request.user = personas["commune_officer"]
    _notices(request.user, 2)
    context = bell(request)
    with django_assert_num_queries(1):
        assert context["notices_bell"].unread == 2
        assert context["notices_bell"].unread == 2


def test_anonymous_pages_have_no_bell(client):
    page = client.get(reverse("login")).content.decode()
    assert "notices-bell" not in page


def test_the_list_is_newest_first_paginated_and_links_to_act(client, personas):
    officer = personas["commune_officer"]
    _notices(officer, 32)
    _notices(personas["neighbour_officer"], 1, kind=NoticeKind.REPORT_ACCEPTED)
    client.force_login(officer)
    first = client.get(reverse("notices:list")).content.decode()
    assert first.index("Nhiệm vụ số 32") < first.index("Nhiệm vụ số 31")
    assert "Nhiệm vụ số 2<" not in first
    second = client.get(reverse("notices:list"), {"page": 2}).content.decode()
    assert "Nhiệm vụ số 2<" in second and "Nhiệm vụ số 32" not in second
    assert "Báo cáo đã được chấp nhận" not in first + second  # the neighbour's
    # A page number typed wrong or past the end shows the first or the last page.
    assert "Nhiệm vụ số 32" in client.get(reverse("notices:list"), {"page": "hai"}).content.decode()
    assert "Nhiệm vụ số 2<" in client.get(reverse("notices:list"), {"page": "99"}).content.decode()


def test_opening_marks_read_and_goes_to_the_link(client, personas):
    officer = personas["commune_officer"]
    notice = _notices(officer, 1)[0]
    client.force_login(officer)
    assert client.get(reverse("notices:open", args=[notice.pk])).status_code == 405
    response = client.post(reverse("notices:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/plans/tasks/1/"
    notice.refresh_from_db()
    first_read = notice.read_at
    assert first_read is not None
    client.post(reverse("notices:open", args=[notice.pk]))  # opened again: still the first time
    notice.refresh_from_db()
    assert notice.read_at == first_read


def test_anothers_notice_is_404_and_stays_unread(client, personas):
    theirs = _notices(personas["neighbour_officer"], 1)[0]
    for user in (personas["commune_officer"], personas["system_admin"]):
        client.force_login(user)
        assert client.post(reverse("notices:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_ones_own(client, personas):
    _notices(personas["commune_officer"], 3)
    _notices(personas["neighbour_officer"], 2)
    client.force_login(personas["commune_officer"])
    response = client.post(reverse("notices:read_all"), follow=True)
    assert "Đã đánh dấu đã đọc tất cả thông báo (3)" in response.content.decode()
    unread = Notice.objects.filter(read_at=None)
    assert sorted(unread.values_list("recipient__username", flat=True)) == [
        "neighbour_officer",
        "neighbour_officer",
    ]


def test_the_list_in_english(client, personas):
    [notice] = services.notify(
        NoticeKind.REPORT_SUBMITTED,
        [personas["province_approver"]],
        link="/reports/submissions/1/",
        name="Báo cáo năm 2025",
        unit="Xã Bình Sơn",
        state="submitted",
        reviewer="",
        comment="",
    ).notices
    client.force_login(personas["province_approver"])
    client.cookies["django_language"] = "en"
    # The request switches this thread to English; the override puts the language back after.
    with translation.override("vi"):
        page = client.get(reverse("notices:list")).content.decode()
    assert "Xã Bình Sơn has submitted its report for “Báo cáo năm 2025”" in page
    assert "Mark all read" in page and notice.kind == NoticeKind.REPORT_SUBMITTED


# --- Cleaning -------------------------------------------------------------------------------------


def test_old_read_notices_are_cleaned_unread_ones_stay(personas, settings):
    settings.NOTICE_KEEP_DAYS = 30
    old, recent, unread = _notices(personas["commune_officer"], 3)
    now = timezone.now()
    Notice.objects.filter(pk=old.pk).update(read_at=now - datetime.timedelta(days=31))
    Notice.objects.filter(pk=recent.pk).update(read_at=now - datetime.timedelta(days=29))
    Notice.objects.filter(pk=unread.pk).update(created_at=now - datetime.timedelta(days=400))
    out = io.StringIO()
    call_command("clean_notices", stdout=out)
    assert "Đã xóa 1 thông báo" in out.getvalue()
    assert set(Notice.objects.values_list("pk", flat=True)) == {recent.pk, unread.pk}
