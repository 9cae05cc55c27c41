"""Reporting rounds' and tasks' deadlines on the month calendar and in the iCalendar feed: the
rounds a user reports for or reviews, the tasks given to or by their unit, each linking to the
place to act; a deadline said in words shows its words on the day it falls on."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from binhdang.activities.tests.test_calendar import cell, events, feed_url
from binhdang.plans import services as plans
from binhdang.plans.deadlines import DeadlineKind
from binhdang.reporting import services as reporting

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 11, 10, 2, 0, tzinfo=datetime.UTC)  # 09:00 in Vietnam


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _round(actor, opener, name, deadline, units):
    return reporting.open_round(
        actor,
        opener,
        name=name,
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=deadline,
        units=units,
    )


@pytest.fixture
def deadlines(personas, tree, catalogue):
    """A province round asking the commune, a national round asking the province, a round of
    another province; tasks to the commune, by the province, between other units."""
    province_round = _round(
        personas["province_approver"],
        tree["province"],
        "Báo cáo công tác bình đẳng giới năm 2025 của xã",
        datetime.date(2025, 11, 20),
        [tree["commune"]],
    )
    nation_round = _round(
        personas["system_admin"],
        tree["nation"],
        "Báo cáo quốc gia năm 2025",
        datetime.date(2025, 11, 27),
        [tree["province"]],
    )
    elsewhere = _round(
        personas["system_admin"],
        tree["other_province"],
        "Báo cáo của Hà Nội",
        datetime.date(2025, 11, 21),
        [tree["far_commune"]],
    )
    admin = personas["province_admin"]
    to_commune = plans.create_task(
        admin,
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        title="Tổng kết Tháng hành động",
        deadline=datetime.date(2025, 11, 30),
        deadline_kind=DeadlineKind.BEFORE_MONTH,
    )
    to_neighbour = plans.create_task(
        admin,
        assigned_by=tree["province"],
        lead_unit=tree["neighbour"],
        title="Nhiệm vụ của xã bên cạnh",
        deadline=datetime.date(2025, 11, 25),
    )
    return {
        "province_round": province_round,
        "nation_round": nation_round,
        "elsewhere": elsewhere,
        "to_commune": to_commune,
        "to_neighbour": to_neighbour,
        "commune_report": province_round.submissions.get(unit=tree["commune"]),
        "province_report": nation_round.submissions.get(unit=tree["province"]),
    }


def test_the_commune_sees_its_report_due_and_its_task_in_words(client, personas, deadlines):
    client.force_login(personas["commune_officer"])
    html = client.get(reverse("activities:calendar"), {"month": "2025-11"}).content.decode()
    day = cell(html, "2025-11-20")
    assert "Hạn nộp báo cáo: Báo cáo công tác bình đẳng giới năm 2025 của xã · Bản nháp" in day
    # The link goes to the commune's own report, where it is written.
    assert f'href="{deadlines["commune_report"].get_absolute_url()}"' in day
    # "Before December" falls on 30 November and says so.
    last = cell(html, "2025-11-30")
    assert "Tổng kết Tháng hành động (Trước tháng 12/2025)" in last
    assert f'href="{deadlines["to_commune"].get_absolute_url()}"' in last
    # Neither another province's round, nor the national round (asks the province only), nor
    # the neighbour's task.
    assert "Báo cáo của Hà Nội" not in html and "Báo cáo quốc gia" not in html
    assert "Nhiệm vụ của xã bên cạnh" not in html
    assert "1 hạn nộp báo cáo" in html


def test_the_province_sees_its_own_report_and_the_round_it_reviews(client, personas, deadlines):
    client.force_login(personas["province_approver"])
    html = client.get(reverse("activities:calendar"), {"month": "2025-11"}).content.decode()
    # The round it opened links to the round's page, to follow and review.
    reviewed = cell(html, "2025-11-20")
    assert f'href="{deadlines["province_round"].get_absolute_url()}"' in reviewed
    assert "Bản nháp" not in reviewed
    # The national round asks the province: the link is its own report.
    own = cell(html, "2025-11-27")
    assert f'href="{deadlines["province_report"].get_absolute_url()}"' in own
    # Tasks the province gave are on its calendar; another province's round is not.
    assert "Nhiệm vụ của xã bên cạnh" in cell(html, "2025-11-25")
    assert "Báo cáo của Hà Nội" not in html
    assert "2 hạn nộp báo cáo" in html


def test_an_unsubmitted_report_past_its_deadline_is_marked(client, personas, deadlines):
    with time_machine.travel(datetime.datetime(2025, 11, 21, 2, 0, tzinfo=datetime.UTC)):
        client.force_login(personas["commune_officer"])
        html = client.get(reverse("activities:calendar"), {"month": "2025-11"}).content.decode()
    day = cell(html, "2025-11-20")
    assert 'class="badge text-bg-danger' in day and "Báo cáo công tác bình đẳng giới" in day


def test_the_feed_holds_round_and_task_deadlines(client, personas, deadlines):
    found = events(client.get(feed_url(personas["commune_officer"])).content)
    report = found[f"round-{deadlines['province_round'].pk}@binhdang"]
    assert report["summary"] == ("Hạn nộp báo cáo: Báo cáo công tác bình đẳng giới năm 2025 của xã")
    assert (report["start"], report["end"]) == (
        datetime.date(2025, 11, 20),
        datetime.date(2025, 11, 21),
    )
    task = found[f"task-{deadlines['to_commune'].pk}@binhdang"]
    assert task["summary"] == "Hạn nộp: Tổng kết Tháng hành động (Trước tháng 12/2025)"
    assert task["start"] == datetime.date(2025, 11, 30)
    assert f"round-{deadlines['nation_round'].pk}@binhdang" not in found
    assert f"round-{deadlines['elsewhere'].pk}@binhdang" not in found
    assert f"task-{deadlines['to_neighbour'].pk}@binhdang" not in found

    province = events(client.get(feed_url(personas["province_approver"])).content)
    assert f"round-{deadlines['nation_round'].pk}@binhdang" in province
    assert f"round-{deadlines['province_round'].pk}@binhdang" in province
    assert f"round-{deadlines['elsewhere'].pk}@binhdang" not in province


def test_feed_links_lead_to_the_place_to_act(client, personas, deadlines):
    content = client.get(feed_url(personas["commune_officer"])).content
    feed = Calendar.from_ical(content).walk("VEVENT")
    urls = {str(event["UID"]): str(event.get("URL")) for event in feed}
    report = urls[f"round-{deadlines['province_round'].pk}@binhdang"]
    assert report.endswith(deadlines["commune_report"].get_absolute_url())
    task = urls[f"task-{deadlines['to_commune'].pk}@binhdang"]
    assert task.endswith(deadlines["to_commune"].get_absolute_url())
