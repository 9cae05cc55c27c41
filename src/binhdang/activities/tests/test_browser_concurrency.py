"""In a real browser, two tabs on one activity's edit page: no change is lost (issue 11)."""

import datetime

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role, User
from binhdang.activities import services
from binhdang.activities.models import Activity, Kind
from binhdang.conftest import log_in, make_user
from binhdang.orgunits.models import OrgUnit


@pytest.fixture
def activity(live_map):
    commune = OrgUnit.objects.get(code="P51").children.live().filter(level=4).first()
    make_user("xa.nhaplieu", commune, Role.DATA_OFFICER)
    return services.create_activity(
        User.objects.get(username="xa.nhaplieu"),
        services.ActivityData(
            title="Tập huấn lồng ghép giới",
            kind=Kind.TRAINING,
            start_date=datetime.date(2025, 9, 10),
            organiser=commune,
            venue="Hội trường xã",
            participants=100,
            women=60,
        ),
    )


def test_two_tabs_on_the_activity_edit_page(page, activity):
    log_in(page, "xa.nhaplieu")
    edit = f"/activities/{activity.pk}/edit/"
    tab_a = page
    tab_b = page.context.new_page()
    tab_a.goto(edit)
    tab_b.goto(edit)

    tab_a.locator("#id_title").fill("Tập huấn lồng ghép giới (đợt 2)")
    tab_a.get_by_role("button", name="Lưu").click()
    expect(tab_a.get_by_role("heading", level=1)).to_have_text("Tập huấn lồng ghép giới (đợt 2)")

    # Tab B, opened before that save, changes another field: both changes stand.
    tab_b.get_by_label("Địa điểm").fill("Nhà văn hoá thôn 3")
    tab_b.get_by_role("button", name="Lưu").click()
    expect(tab_b.get_by_role("heading", level=1)).to_have_text("Tập huấn lồng ghép giới (đợt 2)")
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.title, stored.venue) == ("Tập huấn lồng ghép giới (đợt 2)", "Nhà văn hoá thôn 3")

    # Tab A, now stale, changes the venue too: refused with both values, the typing kept.
    tab_a.goto(edit)
    tab_b.goto(edit)
    tab_b.get_by_label("Địa điểm").fill("Trường tiểu học xã")
    tab_b.get_by_role("button", name="Lưu").click()
    tab_a.get_by_label("Địa điểm").fill("Sân vận động xã")
    tab_a.get_by_role("button", name="Lưu").click()
    notice = tab_a.locator(".alert-warning")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Người khác đã lưu bản ghi này sau khi bạn mở trang")
    expect(notice).to_contain_text(
        "Người khác đã lưu: Trường tiểu học xã — Bạn nhập: Sân vận động xã"
    )
    expect(tab_a.get_by_label("Địa điểm")).to_have_value("Sân vận động xã")
    assert Activity.objects.get(pk=activity.pk).venue == "Trường tiểu học xã"

    # Saving again, knowingly, keeps what this user typed.
    tab_a.get_by_role("button", name="Lưu").click()
    expect(tab_a.get_by_role("heading", level=1)).to_have_text("Tập huấn lồng ghép giới (đợt 2)")
    assert Activity.objects.get(pk=activity.pk).venue == "Sân vận động xã"
