"""The rules of an activity: each bad input is refused with a Vietnamese message naming the
field, and nothing is written."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from binhdang.activities import services
from binhdang.activities.models import Activity, ActivityOutput, ActivityTopic, Kind, Topic

from .conftest import activity_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def refused(actor, data) -> dict[str, list[str]]:
    """The service's refusal, by field; and check nothing was written."""
    before = (
        Activity.objects.count(),
        ActivityTopic.objects.count(),
        ActivityOutput.objects.count(),
    )
    with pytest.raises(ValidationError) as caught:
        services.create_activity(actor, data)
    after = (
        Activity.objects.count(),
        ActivityTopic.objects.count(),
        ActivityOutput.objects.count(),
    )
    assert after == before
    return caught.value.message_dict


def test_a_full_activity_is_recorded_with_topics_outputs_and_co_organisers(personas, tree):
    officer = personas["commune_officer"]
    data = activity_data(
        tree["commune"],
        end_date=datetime.date(2025, 9, 11),
        co_organisers=[tree["province"], tree["commune"]],
        partners="  Hội   LHPN tỉnh ",
        venue="Hội trường UBND xã",
        online_sites="Điểm cầu UBND xã\n\n  Điểm cầu thôn 3 ",
        leaders=10,
        officers=40,
        public=50,
        topics=[Topic.MAINSTREAMING, Topic.GBV, Topic.GBV],
        outputs=services.parse_links(
            "Tin bài trên Cổng TTĐT - https://quangngai.gov.vn/tin/1\nhttps://example.org/tai-lieu.pdf"
        )[0],
        cost=15_000_000,
        note="Số liệu minh họa",
    )
    activity = services.create_activity(officer, data)
    activity.refresh_from_db()
    assert activity.end_date == datetime.date(2025, 9, 11)
    assert activity.partners == "Hội LHPN tỉnh"
    # The organiser is not its own co-organiser; a repeated topic is recorded once.
    assert list(activity.co_organisers.all()) == [tree["province"]]
    assert sorted(t.topic for t in activity.topics.all()) == ["gbv", "mainstreaming"]
    assert activity.online_sites == "Điểm cầu UBND xã\nĐiểm cầu thôn 3"
    assert activity.online_site_count == 2  # counted from the list
    assert [(o.title, o.url) for o in activity.outputs.all()] == [
        ("Tin bài trên Cổng TTĐT", "https://quangngai.gov.vn/tin/1"),
        ("", "https://example.org/tai-lieu.pdf"),
    ]
    assert activity.created_by == officer
    # Audited, in the organiser's history.
    entry = LogEntry.objects.get_for_object(activity).get()
    assert entry.additional_data == {"unit_id": tree["commune"].pk}


def test_one_day_activity_ends_on_its_start(record, tree):
    activity = record(tree["commune"])
    assert activity.end_date == activity.start_date
    assert activity.dates_label == "10/09/2025"


def test_end_before_start_is_refused(personas, tree):
    errors = refused(
        personas["commune_officer"],
        activity_data(tree["commune"], end_date=datetime.date(2025, 9, 9)),
    )
    assert errors == {"end_date": ["Ngày kết thúc không được trước ngày bắt đầu."]}


def test_more_women_than_participants_is_refused(personas, tree):
    errors = refused(
        personas["commune_officer"], activity_data(tree["commune"], participants=1340, women=1341)
    )
    assert errors == {
        "women": ["Số nữ tham gia (1.341) không được lớn hơn tổng số người tham gia (1.340)."]
    }


def test_women_without_a_total_is_refused(personas, tree):
    errors = refused(
        personas["commune_officer"], activity_data(tree["commune"], participants=None, women=5)
    )
    assert list(errors) == ["women"]
    assert "tổng số người tham gia" in errors["women"][0]


def test_groups_above_the_total_are_refused(personas, tree):
    errors = refused(
        personas["commune_officer"],
        activity_data(tree["commune"], participants=100, leaders=20, officers=50, public=31),
    )
    assert errors == {
        "leaders": [
            "Lãnh đạo, cán bộ và người dân cộng lại (101) không được lớn hơn tổng số người tham "
            "gia (100)."
        ]
    }


def test_groups_up_to_the_total_are_accepted(record, tree):
    activity = record(tree["commune"], participants=100, leaders=20, officers=50, public=30)
    assert activity.public == 30


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("participants", "Tổng số người tham gia"),
        ("women", "Số nữ tham gia"),
        ("leaders", "Lãnh đạo, quản lý"),
        ("officers", "Cán bộ, công chức, viên chức"),
        ("public", "Người dân"),
        ("online_site_count", "Số điểm cầu"),
        ("cost", "Kinh phí (đồng)"),
    ],
)
def test_negative_numbers_are_refused(personas, tree, field, label):
    errors = refused(personas["commune_officer"], activity_data(tree["commune"], **{field: -1}))
    assert errors[field] == [f"{label} không được là số âm."]


def test_online_site_count_without_sites_is_refused(personas, tree):
    errors = refused(
        personas["commune_officer"], activity_data(tree["commune"], online_site_count=12)
    )
    assert list(errors) == ["online_site_count"]
    assert errors["online_site_count"][0].startswith("Có 12 điểm cầu nhưng chưa ghi điểm cầu nào")


def test_organiser_outside_the_editable_scope_is_refused(personas, tree):
    errors = refused(personas["commune_officer"], activity_data(tree["neighbour"]))
    assert errors == {
        "organiser": [
            f"Bạn không thể ghi hoạt động của “{tree['neighbour'].name}”: đơn vị này nằm ngoài "
            "các đơn vị bạn được nhập số liệu."
        ]
    }
    # A viewer may not record activities even of their own unit.
    errors = refused(personas["province_viewer"], activity_data(tree["province"]))
    assert list(errors) == ["organiser"]


def test_missing_title_kind_date_and_organiser(personas):
    data = services.ActivityData(title="  ", kind="party", start_date=None, organiser=None)
    errors = refused(personas["commune_officer"], data)
    assert set(errors) == {"title", "kind", "start_date", "organiser"}
    assert errors["start_date"] == ["Nhập ngày bắt đầu."]


def test_several_problems_are_reported_together(personas, tree):
    errors = refused(
        personas["commune_officer"],
        activity_data(
            tree["commune"],
            end_date=datetime.date(2025, 1, 1),
            women=200,
            online_site_count=3,
        ),
    )
    assert set(errors) == {"end_date", "women", "online_site_count"}


def test_a_province_officer_records_for_a_commune_below(record, tree):
    activity = record(tree["commune"], actor="province_approver")
    assert activity.organiser == tree["commune"]


def test_update_rules_and_scope(record, personas, tree):
    activity = record(tree["commune"])
    data = activity_data(tree["commune"], title="Tập huấn (đã sửa)", kind=Kind.WORKSHOP)
    services.update_activity(personas["commune_officer"], activity, data)
    activity.refresh_from_db()
    assert (activity.title, activity.kind) == ("Tập huấn (đã sửa)", Kind.WORKSHOP)

    with pytest.raises(ValidationError):
        services.update_activity(
            personas["commune_officer"], activity, activity_data(tree["commune"], women=101)
        )
    activity.refresh_from_db()
    assert activity.women == 60

    # Moving it to a unit outside the scope, or changing it from outside, is refused.
    with pytest.raises(ValidationError):
        services.update_activity(
            personas["commune_officer"], activity, activity_data(tree["neighbour"])
        )
    with pytest.raises(PermissionDenied):
        services.update_activity(
            personas["neighbour_officer"], activity, activity_data(tree["neighbour"])
        )
    with pytest.raises(PermissionDenied):
        services.delete_activity(personas["province_viewer"], activity)
    assert Activity.objects.filter(pk=activity.pk).exists()
    services.delete_activity(personas["province_approver"], activity)
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_update_replaces_topics_and_outputs(record, personas, tree):
    activity = record(
        tree["commune"],
        topics=[Topic.GBV],
        outputs=[services.Link("https://a.example/1", "A")],
    )
    data = activity_data(
        tree["commune"],
        topics=[Topic.LEGAL_EDUCATION],
        outputs=[services.Link("https://b.example/2")],
    )
    services.update_activity(personas["commune_officer"], activity, data)
    assert [t.topic for t in activity.topics.all()] == ["legal_education"]
    assert [o.url for o in activity.outputs.all()] == ["https://b.example/2"]


def test_links_are_read_one_per_line():
    links, bad = services.parse_links(
        "Tin bài: https://baoquangngai.vn/tin-1.htm.\n\nkhông có đường dẫn\nhttps://"
    )
    assert [(link.title, link.url) for link in links] == [
        ("Tin bài", "https://baoquangngai.vn/tin-1.htm")
    ]
    assert bad == [
        "dòng 3 không có đường dẫn (http://… hoặc https://…)",
        "dòng 4 không có đường dẫn (http://… hoặc https://…)",
    ]
    assert services.links_text(links) == "Tin bài - https://baoquangngai.vn/tin-1.htm"
