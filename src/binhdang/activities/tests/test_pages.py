"""Activity pages: scope by URL, the form and its refusals, the counts page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from binhdang.activities.models import Activity, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2025, 12, 1, 9, 0), tick=False):
        yield


def form_data(unit, **overrides) -> dict:
    data = {
        "title": "Tập huấn kỹ năng phòng, chống bạo lực gia đình",
        "kind": "training",
        "start_date": "10/09/2025",
        "end_date": "",
        "organiser": unit.pk,
        "participants": "80",
        "women": "50",
        "topics": ["domestic_violence", "legal_education"],
        "outputs": "Tin bài - https://quangngai.gov.vn/tin/3",
    }
    data.update(overrides)
    return data


def test_menu_and_home_lead_to_the_users_unit(client, personas, tree):
    client.force_login(personas["commune_officer"])
    response = client.get(reverse("activities:home"))
    assert response.status_code == 302
    assert response.url == reverse("activities:unit", args=[tree["commune"].pk])
    page = client.get(response.url).content.decode()
    assert f'href="{reverse("activities:home")}"' in page  # the section is in the menu
    assert "Chưa có hoạt động nào theo bộ lọc này." in page  # the empty state


def test_record_through_the_form(client, personas, tree):
    client.force_login(personas["commune_officer"])
    url = reverse("activities:create", args=[tree["commune"].pk])
    page = client.get(url).content.decode()
    assert "Ghi nhận hoạt động" in page and "Lồng ghép giới" in page
    response = client.post(url, form_data(tree["commune"]))
    activity = Activity.objects.get()
    assert response.status_code == 302 and response.url == activity.get_absolute_url()
    assert activity.end_date == datetime.date(2025, 9, 10)
    assert sorted(activity.topic_labels) == [
        "Phòng, chống bạo lực gia đình",
        "Tuyên truyền, phổ biến, giáo dục pháp luật",
    ]
    detail = client.get(activity.get_absolute_url()).content.decode()
    assert "https://quangngai.gov.vn/tin/3" in detail and "62,5%" in detail


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "09/09/2025"}, "Ngày kết thúc không được trước ngày bắt đầu."),
        ({"women": "81"}, "Số nữ tham gia (81) không được lớn hơn tổng số người tham gia (80)."),
        (
            {"leaders": "50", "public": "31"},
            "Lãnh đạo, cán bộ và người dân cộng lại (81) không được lớn hơn",
        ),
        ({"cost": "-5"}, "Kinh phí (đồng) không được là số âm."),
        ({"online_site_count": "3"}, "Có 3 điểm cầu nhưng chưa ghi điểm cầu nào"),
        ({"outputs": "Bài báo không có đường dẫn"}, "dòng 1 không có đường dẫn"),
    ],
)
def test_form_refusals_name_the_field_and_save_nothing(client, personas, tree, overrides, message):
    client.force_login(personas["commune_officer"])
    response = client.post(
        reverse("activities:create", args=[tree["commune"].pk]),
        form_data(tree["commune"], **overrides),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "is-invalid" in html
    assert not Activity.objects.exists()


def test_organiser_outside_scope_is_not_offered(client, personas, tree):
    client.force_login(personas["commune_officer"])
    response = client.post(
        reverse("activities:create", args=[tree["commune"].pk]),
        form_data(tree["commune"], organiser=tree["neighbour"].pk),
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_scope_of_activity_pages(client, personas, tree, record):
    activity = record(tree["commune"], co_organisers=[tree["neighbour"]])
    hidden = record(tree["far_commune"], actor="system_admin")
    client.force_login(personas["neighbour_officer"])
    # A co-organising unit sees the activity but cannot change it.
    assert client.get(activity.get_absolute_url()).status_code == 200
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 403
    assert client.post(reverse("activities:delete", args=[activity.pk])).status_code == 403
    # Another province's activity and unit pages: 404.
    client.force_login(personas["province_approver"])
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("activities:edit", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("activities:unit", args=[tree["far_commune"].pk])).status_code == 404
    assert (
        client.get(reverse("activities:create", args=[tree["other_province"].pk])).status_code
        == 404
    )
    # A viewer may look but not record.
    client.force_login(personas["province_viewer"])
    assert client.get(reverse("activities:unit", args=[tree["province"].pk])).status_code == 200
    assert client.get(reverse("activities:create", args=[tree["province"].pk])).status_code == 403


def test_edit_and_delete(client, personas, tree, record):
    activity = record(tree["commune"])
    client.force_login(personas["province_approver"])
    url = reverse("activities:edit", args=[activity.pk])
    page = client.get(url).content.decode()
    assert activity.title in page
    response = client.post(
        url, form_data(tree["commune"], title="Tập huấn (đã sửa)", kind="workshop")
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.kind) == ("Tập huấn (đã sửa)", Kind.WORKSHOP)
    response = client.post(reverse("activities:delete", args=[activity.pk]))
    assert response.status_code == 302 and not Activity.objects.exists()


def test_province_page_counts_its_communes(client, personas, tree, record):
    record(tree["commune"], participants=100, women=60)
    record(
        tree["neighbour"],
        actor="neighbour_officer",
        kind=Kind.CONFERENCE,
        participants=40,
        women=10,
    )
    record(tree["commune"], title="Năm trước", start_date=datetime.date(2024, 5, 5))
    client.force_login(personas["province_viewer"])
    html = client.get(reverse("activities:unit", args=[tree["province"].pk])).content.decode()
    # The current year by default.
    assert 'id="stat-activities">2<' in html
    assert 'id="stat-participants">140<' in html
    summary = html[html.index('id="summary"') :]
    assert "Năm 2025, tỉnh Quảng Ngãi tổ chức 2 hoạt động cho 140 lượt người tham gia" in summary
    by_unit = html[html.index('id="by-unit"') : html.index("</table>", html.index('id="by-unit"'))]
    assert tree["commune"].name in by_unit and tree["neighbour"].name in by_unit
    # Filters: all years, then a kind.
    html = client.get(
        reverse("activities:unit", args=[tree["province"].pk]), {"year": ""}
    ).content.decode()
    assert 'id="stat-activities">3<' in html
    html = client.get(
        reverse("activities:unit", args=[tree["province"].pk]),
        {"year": "2025", "kind": "conference"},
    ).content.decode()
    assert 'id="stat-activities">1<' in html
    # The neighbour's page does not count the commune's.
    client.force_login(personas["neighbour_officer"])
    html = client.get(reverse("activities:unit", args=[tree["neighbour"].pk])).content.decode()
    assert 'id="stat-activities">1<' in html
