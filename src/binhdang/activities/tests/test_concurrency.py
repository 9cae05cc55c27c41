"""No lost update on activity and proposal edits (issue 11, item 3): two tabs, re-saves."""

import datetime
import threading
import time

import pytest
from auditlog.models import LogEntry
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binhdang.activities import services
from binhdang.activities.models import Activity, AwardForm, AwardLevel, NomineeKind, Topic
from binhdang.core.concurrency import StaleEdit, fingerprints
from binhdang.core.tests.pages import posted_form

from .conftest import activity_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(record, tree):
    return record(tree["commune"], venue="Hội trường xã", cost=45_000_000)


def open_tab(client, url) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    return posted_form(response.content.decode())


def test_two_tabs_changing_different_fields_both_saved(client, personas, activity):
    client.force_login(personas["commune_officer"])
    url = reverse("activities:edit", args=[activity.pk])
    tab_a, tab_b = open_tab(client, url), open_tab(client, url)
    assert tab_a["cost"] and tab_a["seen"]

    tab_a["title"] = "Tập huấn lồng ghép giới (đợt 2)"
    assert client.post(url, tab_a).status_code == 302
    tab_b["venue"] = "Nhà văn hoá thôn 3"
    tab_b["women"] = "70"
    assert client.post(url, tab_b).status_code == 302

    activity.refresh_from_db()
    assert activity.title == "Tập huấn lồng ghép giới (đợt 2)"  # tab B did not undo it
    assert activity.venue == "Nhà văn hoá thôn 3"
    assert activity.women == 70


def test_stale_tab_changing_the_same_field_is_refused_with_both_values(client, personas, activity):
    client.force_login(personas["commune_officer"])
    url = reverse("activities:edit", args=[activity.pk])
    tab_a, tab_b = open_tab(client, url), open_tab(client, url)
    tab_a["venue"] = "Nhà văn hoá thôn 3"
    assert client.post(url, tab_a).status_code == 302
    stamp = Activity.objects.get(pk=activity.pk).updated_at
    entries = LogEntry.objects.count()

    tab_b["venue"] = "Trường tiểu học xã"
    tab_b["participants"] = "120"  # a change nobody else made: not saved either this time
    response = client.post(url, tab_b)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Người khác đã lưu bản ghi này sau khi bạn mở trang") == 1
    assert "Người khác đã lưu: Nhà văn hoá thôn 3 — Bạn nhập: Trường tiểu học xã" in page
    again = posted_form(page)
    assert again["venue"] == "Trường tiểu học xã"  # what the user typed is kept
    assert again["participants"] == "120"
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.venue, stored.participants, stored.updated_at) == (
        "Nhà văn hoá thôn 3",
        100,
        stamp,
    )
    assert LogEntry.objects.count() == entries

    # Saving again after seeing both values keeps what the user typed, knowingly.
    assert client.post(url, again).status_code == 302
    stored.refresh_from_db()
    assert (stored.venue, stored.participants) == ("Trường tiểu học xã", 120)


def test_both_typing_the_same_change_is_no_conflict(client, personas, activity):
    client.force_login(personas["commune_officer"])
    url = reverse("activities:edit", args=[activity.pk])
    tab_a, tab_b = open_tab(client, url), open_tab(client, url)
    tab_a["cost"] = tab_b["cost"] = "50000000"
    assert client.post(url, tab_a).status_code == 302
    assert client.post(url, tab_b).status_code == 302
    assert Activity.objects.get(pk=activity.pk).cost == 50_000_000


def test_resaving_an_unchanged_page_writes_nothing(client, personas, tree, record):
    activity = record(
        tree["commune"],
        end_date=datetime.date(2025, 9, 11),
        co_organisers=[tree["neighbour"]],
        topics=["domestic_violence", "legal_education"],
        outputs=[services.Link("https://quangngai.gov.vn/tin/3", "Tin bài")],
        online_sites="Điểm cầu xã\nĐiểm cầu thôn 2",
        note="Dòng một\nDòng hai",
        cost=45_000_000,
    )
    client.force_login(personas["commune_officer"])
    url = reverse("activities:edit", args=[activity.pk])
    stamp, entries = activity.updated_at, LogEntry.objects.count()
    for _ in range(2):
        assert client.post(url, open_tab(client, url)).status_code == 302
    activity.refresh_from_db()
    assert activity.updated_at == stamp
    assert LogEntry.objects.count() == entries


def test_service_keeps_what_others_saved_and_refuses_a_double_change(personas, tree, activity):
    officer = personas["commune_officer"]
    seen = fingerprints(services.activity_values(activity))
    services.update_activity(
        officer, activity, activity_data(tree["commune"], venue="Hội trường xã", cost=1), seen=seen
    )
    # A stale copy that only changes the note: the cost saved meanwhile stays.
    stale = activity_data(tree["commune"], venue="Hội trường xã", cost=45_000_000, note="Ghi chú")
    services.update_activity(officer, activity, stale, seen=seen)
    activity.refresh_from_db()
    assert (activity.cost, activity.note) == (1, "Ghi chú")
    with pytest.raises(StaleEdit) as refused:
        services.update_activity(
            officer, activity, activity_data(tree["commune"], cost=2, venue="Sân UBND"), seen=seen
        )
    assert [(c.name, c.theirs, c.mine) for c in refused.value.conflicts] == [("cost", 1, 2)]
    activity.refresh_from_db()
    assert (activity.cost, activity.venue) == (1, "Hội trường xã")


def test_stale_proposal_edit(client, personas, tree):
    item = services.propose(
        personas["commune_officer"],
        services.ProposalData(
            year=2025,
            nominee_kind=NomineeKind.INDIVIDUAL,
            nominee="Nguyễn Thị Hoa",
            sex="female",
            position="Chủ tịch Hội LHPN xã",
            award_form=AwardForm.CERTIFICATE,
            award_level=AwardLevel.PROVINCE_CHAIR,
            reason="Thành tích xuất sắc",
            proposing_unit=tree["commune"],
        ),
    )
    client.force_login(personas["commune_officer"])
    url = reverse("activities:commendation_edit", args=[item.pk])
    tab_a, tab_b = open_tab(client, url), open_tab(client, url)
    tab_a["position"] = "Phó Chủ tịch UBND xã"
    assert client.post(url, tab_a).status_code == 302
    tab_b["reason"] = "Hoàn thành xuất sắc nhiệm vụ năm 2025"
    assert client.post(url, tab_b).status_code == 302
    item.refresh_from_db()
    assert item.position == "Phó Chủ tịch UBND xã"
    assert item.reason == "Hoàn thành xuất sắc nhiệm vụ năm 2025"

    tab_b["position"] = "Cán bộ văn hoá"
    page = client.post(url, tab_b).content.decode()
    assert "Người khác đã lưu: Phó Chủ tịch UBND xã — Bạn nhập: Cán bộ văn hoá" in page
    item.refresh_from_db()
    assert item.position == "Phó Chủ tịch UBND xã"


def _race(first, second) -> list:
    """Run `first` in one session holding its row lock a while after writing, and `second` in
    another session meanwhile; return each one's result or exception, in order."""
    wrote = threading.Event()
    results = [None, None]

    def run(index, work, before=None, after=None):
        try:
            if before:
                before.wait(10)
            with transaction.atomic():
                results[index] = work()
                if after:
                    after.set()
                    time.sleep(0.5)  # the second session is now waiting on the row
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(0, first, None, wrote)),
        threading.Thread(target=run, args=(1, second, wrote, None)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL's row locks (SQLite serialises whole write transactions)",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sessions_lose_no_update_on_postgresql(live_map, personas, tree):
    """Two real database sessions save the same activity at the same moment from pages opened
    before either save: the second waits for the first's row lock, then merges."""
    officer, commune = personas["commune_officer"], tree["commune"]
    activity = services.create_activity(officer, activity_data(commune, venue="Hội trường xã"))
    seen = fingerprints(services.activity_values(activity))

    def change(**fields):
        return lambda: services.update_activity(
            officer,
            activity,
            activity_data(commune, **{"venue": "Hội trường xã", **fields}),
            seen=seen,
        )

    results = _race(change(title="Tập huấn (đợt 2)"), change(venue="Nhà văn hoá thôn 3"))
    assert not any(isinstance(result, Exception) for result in results), results
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.venue) == ("Tập huấn (đợt 2)", "Nhà văn hoá thôn 3")

    # Both change the same field: the first stands, the second is refused with both values.
    seen = fingerprints(services.activity_values(stored))
    first, second = _race(
        change(title="Tập huấn A", venue="Nhà văn hoá thôn 3"),
        change(title="Tập huấn B", venue="Nhà văn hoá thôn 3"),
    )
    assert isinstance(first, Activity) and isinstance(second, StaleEdit)
    assert [(c.theirs, c.mine) for c in second.conflicts] == [("Tập huấn A", "Tập huấn B")]
    assert Activity.objects.get(pk=activity.pk).title == "Tập huấn A"


TEXT = st.text(alphabet="aăâbcdđeêghiklmnoôơuưyÁÀẢÃẠ ,.-–\n\t", max_size=30)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=TEXT.filter(lambda text: text.strip()),
    venue=TEXT,
    note=TEXT,
    online_sites=TEXT,
    participants=st.none() | st.integers(0, 10**6),
    cost=st.none() | st.integers(0, 10**12),
    topics=st.lists(st.sampled_from(Topic.values), unique=True),
)
def test_any_activity_resaved_unchanged_writes_nothing(
    client, personas, tree, title, venue, note, online_sites, participants, cost, topics
):
    officer = personas["commune_officer"]
    activity = services.create_activity(
        officer,
        activity_data(
            tree["commune"],
            title=title,
            venue=venue.replace("\n", " "),
            note=note,
            online_sites=online_sites,
            participants=participants,
            women=None,
            cost=cost,
            topics=topics,
        ),
    )
    client.force_login(officer)
    url = reverse("activities:edit", args=[activity.pk])
    entries = LogEntry.objects.count()
    assert client.post(url, open_tab(client, url)).status_code == 302
    assert Activity.objects.get(pk=activity.pk).updated_at == activity.updated_at
    assert LogEntry.objects.count() == entries
