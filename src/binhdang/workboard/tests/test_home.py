"""The work board: each persona lands on it after sign-in and sees exactly their own items,
within their scope, with empty states that say what comes next; its query count does not grow
with the number of units, reports or tasks."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.plans.models import Task, TaskStatus
from binhdang.reporting import services
from binhdang.reporting.tests.conftest import fresh, open_round, send_up
from binhdang.workboard import queries
from binhdang.workboard.models import IntroSeen

pytestmark = pytest.mark.django_db
PASSWORD = "pw-binhdang-2026"


def home(client, user):
    client.force_login(user)
    return client.get(reverse("workboard:home")).content.decode()


def section(page: str, anchor: str) -> str:
    """The HTML of one card of the board (empty when the card is not there)."""
    start = page.find(f'id="{anchor}"')
    if start < 0:
        return ""
    end = page.find("</section>", start)
    return page[start:end]


def task(assigned_by, lead_unit, title, days, status=TaskStatus.NOT_STARTED):
    return Task.objects.create(
        title=title,
        assigned_by=assigned_by,
        lead_unit=lead_unit,
        deadline=datetime.date.today() + datetime.timedelta(days=days),
        status=status,
    )


@pytest.fixture
def year(personas, tree, catalogue):
    """Quảng Ngãi's round to two communes: the commune's report submitted, the neighbour's
    returned with a comment; and Hà Nội's round and task, which nobody in Quảng Ngãi may see."""
    approver = personas["province_approver"]
    round = open_round(approver, tree["province"], units=[tree["commune"], tree["neighbour"]])
    commune = round.submissions.get(unit=tree["commune"])
    neighbour = send_up(
        personas["neighbour_officer"], round.submissions.get(unit=tree["neighbour"])
    )
    services.return_submission(
        approver, fresh(neighbour), version=neighbour.version, comment="Thiếu số lớp tập huấn."
    )
    task(tree["province"], tree["commune"], "Tổ chức tập huấn cho xã", -3)
    task(tree["province"], tree["neighbour"], "Nhiệm vụ của xã bên", -3)
    task(tree["other_province"], tree["far_commune"], "Nhiệm vụ của Hà Nội", -3)
    return {"round": round, "commune": commune, "neighbour": neighbour}


def test_each_persona_lands_on_the_board_after_signing_in(client, personas):
    for name, user in personas.items():
        client.logout()
        response = client.post(
            reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
        )
        assert response.redirect_chain[-1][0] == reverse("workboard:home"), name
        assert 'id="tasks"' in response.content.decode(), name


def test_commune_officer_sees_the_report_to_write_and_no_review_queue(client, personas, year):
    page = home(client, personas["commune_officer"])
    to_write = section(page, "to-write")
    assert reverse("reporting:submission", args=[year["commune"].pk]) in to_write
    entry = reverse("indicators:enter", args=[year["commune"].unit_id]) + "?year=2025"
    assert entry in to_write
    client.force_login(personas["commune_officer"])
    assert client.get(entry).status_code == 200
    assert reverse("reporting:submission", args=[year["neighbour"].pk]) not in page
    assert section(page, "to-review") == ""
    tasks = section(page, "tasks")
    assert "Tổ chức tập huấn cho xã" in tasks
    assert "Nhiệm vụ của xã bên" not in page and "Nhiệm vụ của Hà Nội" not in page


def test_returned_report_shows_the_reviewers_comment(client, personas, year):
    page = home(client, personas["neighbour_officer"])
    returned = section(page, "to-write")
    assert 'id="returned"' in returned and "Thiếu số lớp tập huấn." in returned
    assert reverse("reporting:submission", args=[year["neighbour"].pk]) in returned


def test_province_approver_sees_submitted_reports_waiting(client, personas, year):
    submitted = send_up(personas["commune_officer"], year["commune"])
    page = home(client, personas["province_approver"])
    review = section(page, "to-review")
    assert reverse("reporting:submission", args=[submitted.pk]) in review
    # The returned one is the commune's to correct, not the province's to review.
    assert reverse("reporting:submission", args=[year["neighbour"].pk]) not in review
    tasks = section(page, "tasks")
    assert "Tổ chức tập huấn cho xã" in tasks and "Nhiệm vụ của xã bên" in tasks
    assert "Nhiệm vụ của Hà Nội" not in page


def test_another_provinces_reports_never_reach_the_review_queue(client, personas, tree, year):
    hanoi = make_user("hanoi_approver", tree["other_province"], Role.APPROVER)
    far = make_user("far_officer", tree["far_commune"], Role.DATA_OFFICER)
    round = open_round(hanoi, tree["other_province"], units=[tree["far_commune"]])
    submitted = send_up(far, round.submissions.get())
    send_up(personas["commune_officer"], year["commune"])
    mine = section(home(client, personas["province_approver"]), "to-review")
    assert reverse("reporting:submission", args=[submitted.pk]) not in mine
    assert reverse("reporting:submission", args=[year["commune"].pk]) in mine
    theirs = section(home(client, hanoi), "to-review")
    assert reverse("reporting:submission", args=[submitted.pk]) in theirs
    assert reverse("reporting:submission", args=[year["commune"].pk]) not in theirs


def test_viewer_and_data_officer_have_no_review_queue_and_viewer_writes_nothing(
    client, personas, year
):
    page = home(client, personas["province_viewer"])
    assert section(page, "to-review") == "" and section(page, "to-write") == ""
    # The nation is asked for no report; its administrator reviews.
    page = home(client, personas["system_admin"])
    assert section(page, "to-write") == "" and section(page, "to-review")


def test_empty_states_say_what_comes_next(client, personas, settings):
    settings.LANGUAGE_CODE = "vi"
    page = home(client, personas["commune_officer"])
    assert "Chưa có báo cáo nào cần viết" in section(page, "to-write")
    assert 'id="all-done"' in page
    page = home(client, personas["province_approver"])
    assert "Chưa có báo cáo nào chờ" in section(page, "to-review")


def test_english_board(client, personas, year):
    client.force_login(personas["commune_officer"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("workboard:home")).content.decode()
    assert "Reports to write" in page and "Tasks given to or by your unit" in page


def test_intro_is_shown_on_the_first_visit_only(client, personas):
    user = personas["commune_officer"]
    first = home(client, user)
    assert 'id="intro"' in first and first.count("<li>", first.find('id="intro"')) >= 3
    assert IntroSeen.objects.filter(user=user).exists()
    assert 'id="intro"' not in home(client, user)
    # Each role reads its own year.
    assert queries.intro_lines(user) != queries.intro_lines(personas["province_approver"])
    assert queries.intro_lines(personas["system_admin"]) != queries.intro_lines(
        personas["province_approver"]
    )


def test_targets_at_risk_load_after_the_page_and_are_kept(client, personas, tree, catalogue):
    cache.clear()
    client.force_login(personas["commune_officer"])
    url = reverse("workboard:at_risk")
    assert url in client.get(reverse("workboard:home")).content.decode()
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(warm) < len(cold)


def _count(client, user) -> int:
    client.force_login(user)
    client.get(reverse("workboard:home"))  # the first visit records the introduction
    with CaptureQueriesContext(connection) as queries_run:
        assert client.get(reverse("workboard:home")).status_code == 200
    return len(queries_run)


def test_query_count_does_not_grow_with_units_reports_or_tasks(client, personas, tree, catalogue):
    approver, admin = personas["province_approver"], personas["system_admin"]
    officer = personas["commune_officer"]
    province, commune = tree["province"], tree["commune"]
    communes = list(province.children.live().filter(level=4).order_by("official_code"))
    round = open_round(approver, province, units=communes[:3])
    for submission in round.submissions.exclude(unit=commune):
        send_up(admin, submission)
    task(province, commune, "Một", -1)
    task(province, commune, "Hai", 2)
    small = {name: _count(client, user) for name, user in personas.items()}
    # Many more: every commune of the province asked and submitting, many tasks both ways.
    open_round(approver, province, units=communes, name="Đợt thứ hai", allow_overlap=True)
    second = open_round(approver, province, units=communes, name="Đợt thứ ba", allow_overlap=True)
    for submission in second.submissions.exclude(unit=commune)[:30]:
        send_up(admin, submission)
    for index, unit in enumerate(communes[:40]):
        task(province, unit, f"Quá hạn {index}", -5 - index)
        task(province, commune, f"Sắp đến hạn {index}", 1 + index % 10)
        task(commune, commune, f"Tự giao {index}", -1)
    large = {name: _count(client, user) for name, user in personas.items()}
    assert large == small
    # Long lists show their first rows and say how many more wait on their own page.
    review = section(home(client, approver), "to-review")
    assert review.count('href="/reports/submissions/') == queries.SHOWN
    assert reverse("reporting:home") in review
    assert large["system_admin"] <= 40 and large["province_approver"] <= 40
    assert officer.pk  # the commune officer's count is compared above, like every persona's


def test_targets_at_risk_list_links_to_the_outlook(tree):
    rows = [
        {"number": "2.1", "name": "Tỷ lệ nữ", "outlook": "off_track", "milestone": 2030},
        {"number": "3.2a", "name": "Tỷ lệ nữ lãnh đạo", "outlook": "at_risk", "milestone": 2030},
    ]
    for row in rows:
        row["label"] = "x"
    with translation.override("vi"):
        html = render_to_string("workboard/_at_risk.html", {"unit": tree["province"], "rows": rows})
    assert "Tổng cộng 2 chỉ tiêu có nguy cơ không đạt." in html
    assert reverse("indicators:forecast", args=[tree["province"].pk]) in html
    assert "text-bg-danger" in html and "text-bg-warning" in html
