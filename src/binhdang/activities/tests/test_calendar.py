"""The month calendar and the per-user iCalendar feed, parsed by a real iCalendar library."""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from binhdang.activities import observances, services
from binhdang.activities.models import CalendarFeed, Kind
from binhdang.plans.models import Task, TaskStatus

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 11, 10, 9, 0)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agenda(record, tree):
    """Activities and tasks around November 2025."""
    own = record(
        tree["commune"],
        title="Mít tinh hưởng ứng Tháng hành động",
        kind=Kind.COMMEMORATION,
        start_date=datetime.date(2025, 11, 20),
        end_date=datetime.date(2025, 11, 21),
        venue="Nhà văn hóa xã",
    )
    shared = record(
        tree["province"],
        actor="province_approver",
        title="Hội nghị tỉnh có xã phối hợp",
        kind=Kind.CONFERENCE,
        start_date=datetime.date(2025, 11, 25),
        co_organisers=[tree["commune"]],
    )
    province_only = record(
        tree["province"],
        actor="province_approver",
        title="Hội thảo riêng của tỉnh",
        kind=Kind.WORKSHOP,
        start_date=datetime.date(2025, 11, 26),
    )
    neighbour = record(
        tree["neighbour"],
        actor="neighbour_officer",
        title="Tập huấn của xã bên cạnh",
        start_date=datetime.date(2025, 11, 20),
    )
    old = record(
        tree["commune"], title="Tập huấn năm ngoái", start_date=datetime.date(2024, 11, 20)
    )
    task = Task.objects.create(
        title="Gửi báo cáo Tháng hành động",
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        deadline=datetime.date(2025, 11, 28),
    )
    late = Task.objects.create(
        title="Báo cáo quý III",
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        deadline=datetime.date(2025, 11, 5),
        status=TaskStatus.IN_PROGRESS,
    )
    other = Task.objects.create(
        title="Nhiệm vụ của xã bên cạnh",
        assigned_by=tree["province"],
        lead_unit=tree["neighbour"],
        deadline=datetime.date(2025, 11, 28),
    )
    return {
        "own": own,
        "shared": shared,
        "province_only": province_only,
        "neighbour": neighbour,
        "old": old,
        "task": task,
        "late": late,
        "other_task": other,
    }


# The data file ----------------------------------------------------------------------------------


def test_observance_file_has_the_required_days_with_sources():
    version, items = observances.catalogue()
    assert version
    by_id = {o.id: o for o in items}
    expected = {
        "womens-day": ((3, 8), None),
        "children-action-month": ((6, 1), (6, 30)),
        "family-day": ((6, 28), None),
        "trade-union-day": ((7, 28), None),
        "vietnamese-womens-day": ((10, 20), None),
        "gender-equality-action-month": ((11, 15), (12, 15)),
        "elimination-of-violence-against-women": ((11, 25), None),
    }
    for key, (start, end) in expected.items():
        assert (by_id[key].start, by_id[key].end) == (start, end)
    for item in items:
        assert item.sources and all(s.startswith("http") for s in item.sources), item.id
        assert item.name_vi and item.name_en
    # Every source is one cited in the domain research, where that file is at hand.
    raw = json.loads(observances.DATA_FILE.read_text(encoding="utf-8"))
    assert "sources.md" in raw["compiled_from"]


def test_occurrences_between_dates():
    found = observances.between(datetime.date(2025, 11, 1), datetime.date(2025, 11, 30))
    ids = [o.observance.id for o in found]
    assert "gender-equality-action-month" in ids and "elimination-of-violence-against-women" in ids
    assert "vietnamese-womens-day" not in ids
    month = next(o for o in found if o.observance.id == "gender-equality-action-month")
    assert (month.start, month.end, month.days) == (
        datetime.date(2025, 11, 15),
        datetime.date(2025, 12, 15),
        31,
    )
    # Nothing falls in January.
    january = observances.between(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    assert january == []


# The month page ---------------------------------------------------------------------------------


def cell(html: str, day: str) -> str:
    start = html.index(f'data-date="{day}"')
    return html[start : html.index("</td>", start)]


def test_month_page_shows_observances_activities_and_deadlines(client, personas, agenda):
    client.force_login(personas["commune_officer"])
    response = client.get(reverse("activities:calendar"), {"month": "2025-11"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lịch: Tháng 11/2025" in html
    # Month-long periods in the banner, single days in their cell.
    banner = html[html.index('id="periods"') : html.index('id="calendar"')]
    assert "Tháng hành động vì bình đẳng giới" in banner and "15/11/2025" in banner
    assert "Ngày Quốc tế xóa bỏ bạo lực đối với phụ nữ" in cell(html, "2025-11-25")
    # The unit's own activity on each of its days; the one it co-organises; not the neighbour's.
    assert "Mít tinh hưởng ứng" in cell(html, "2025-11-20")
    assert "Mít tinh hưởng ứng" in cell(html, "2025-11-21")
    assert "Hội nghị tỉnh có xã phối hợp" in cell(html, "2025-11-25")
    assert "Tập huấn của xã bên cạnh" not in html
    assert "Hội thảo riêng của tỉnh" not in html
    # Task deadlines, the overdue one marked.
    assert "Gửi báo cáo Tháng hành động" in cell(html, "2025-11-28")
    assert "text-bg-danger" in cell(html, "2025-11-05")
    assert "Nhiệm vụ của xã bên cạnh" not in html
    # Previous and next month.
    assert "?month=2025-10" in html and "?month=2025-12" in html


def test_province_sees_units_below_on_request(client, personas, agenda, tree):
    client.force_login(personas["province_viewer"])
    url = reverse("activities:calendar")
    html = client.get(url, {"month": "2025-11"}).content.decode()
    assert "Hội thảo riêng của tỉnh" in html and "Mít tinh hưởng ứng" not in html
    html = client.get(url, {"month": "2025-11", "sub": "1"}).content.decode()
    assert "Mít tinh hưởng ứng" in html and "Tập huấn của xã bên cạnh" in html
    # Another province's calendar is out of scope; a bad month falls back to this month.
    other = client.get(url, {"unit": tree["other_province"].pk})
    assert other.status_code == 404
    assert "Tháng 11/2025" in client.get(url, {"month": "2025-13"}).content.decode()


def test_june_has_the_family_day_and_the_action_months(client, personas):
    client.force_login(personas["commune_officer"])
    html = client.get(reverse("activities:calendar"), {"month": "2026-06"}).content.decode()
    assert "Tháng hành động vì trẻ em" in html
    assert "Ngày Gia đình Việt Nam" in cell(html, "2026-06-28")


# The feed ---------------------------------------------------------------------------------------


def feed_url(user) -> str:
    return reverse("activities:feed", args=[services.feed_for(user).token])


def events(content: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(content)
    found = {}
    for event in calendar.walk("VEVENT"):
        found[str(event["UID"])] = {
            "summary": str(event["SUMMARY"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
        }
    return found


def test_feed_holds_tasks_activities_and_observances(client, personas, agenda):
    officer = personas["commune_officer"]
    response = client.get(feed_url(officer))  # not logged in: calendar apps cannot log in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    found = events(response.content)

    task = found[f"task-{agenda['task'].pk}@binhdang"]
    assert task["summary"] == "Hạn nộp: Gửi báo cáo Tháng hành động"
    assert (task["start"], task["end"]) == (
        datetime.date(2025, 11, 28),
        datetime.date(2025, 11, 29),
    )
    assert f"task-{agenda['late'].pk}@binhdang" in found
    assert f"task-{agenda['other_task'].pk}@binhdang" not in found

    own = found[f"activity-{agenda['own'].pk}@binhdang"]
    # All-day events end the day after their last day.
    assert (own["start"], own["end"]) == (datetime.date(2025, 11, 20), datetime.date(2025, 11, 22))
    assert f"activity-{agenda['shared'].pk}@binhdang" in found
    for absent in ("neighbour", "province_only", "old"):
        assert f"activity-{agenda[absent].pk}@binhdang" not in found

    month = found["observance-gender-equality-action-month-2025@binhdang"]
    assert (month["start"], month["end"]) == (
        datetime.date(2025, 11, 15),
        datetime.date(2025, 12, 16),
    )
    assert month["summary"].startswith("Tháng hành động vì bình đẳng giới")
    women = found["observance-vietnamese-womens-day-2026@binhdang"]
    assert women["start"] == datetime.date(2026, 10, 20)
    # The window: three months back (from 1 August 2025), twelve ahead (to 30 November 2026).
    assert "observance-womens-day-2026@binhdang" in found
    assert "observance-trade-union-day-2025@binhdang" not in found
    assert "observance-family-day-2025@binhdang" not in found
    assert "observance-gender-equality-action-month-2026@binhdang" in found


def test_feed_uids_are_stable(client, personas, agenda):
    url = feed_url(personas["commune_officer"])
    first = events(client.get(url).content)
    second = events(client.get(url).content)
    assert set(first) == set(second) and len(first) > 10


def test_bad_token_is_404(client, personas):
    services.feed_for(personas["commune_officer"])
    assert client.get("/activities/calendar/khong-co-that.ics").status_code == 404
    assert client.get(reverse("activities:feed", args=["x" * 43])).status_code == 404


def test_regenerated_token_replaces_the_old_address(client, personas):
    officer = personas["commune_officer"]
    old = feed_url(officer)
    client.force_login(officer)
    page = client.get(reverse("activities:feed_page")).content.decode()
    assert old in page and "webcal://" in page
    assert client.post(reverse("activities:feed_regenerate")).status_code == 302
    client.logout()
    new = feed_url(officer)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_inactive_users_feed_is_404(client, personas):
    officer = personas["commune_officer"]
    url = feed_url(officer)
    officer.is_active = False
    officer.save()
    assert client.get(url).status_code == 404


def test_tokens_are_long_and_distinct(personas):
    tokens = {services.feed_for(user).token for user in personas.values()}
    assert len(tokens) == len(personas)
    assert all(len(token) >= 40 for token in tokens)
    assert CalendarFeed.objects.count() == len(personas)
