"""In a real browser: a commune officer records an activity; the province counts it."""

import datetime

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.orgunits.models import OrgUnit


@pytest.fixture
def people(live_map):
    province = OrgUnit.objects.get(code="P51")
    commune = province.children.live().filter(level=4).order_by("official_code").first()
    make_user("xa.nhaplieu", commune, Role.DATA_OFFICER)
    make_user("tinh.xem", province, Role.VIEWER)
    return {"province": province, "commune": commune}


def test_commune_records_an_activity_and_the_province_counts_it(page, people):
    commune = people["commune"]
    log_in(page, "xa.nhaplieu")
    page.get_by_role("link", name="Hoạt động", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hoạt động: {commune.name}")
    page.get_by_role("link", name="Ghi nhận hoạt động").click()

    page.locator("#id_title").fill("Tập huấn lồng ghép giới cho cán bộ xã")
    page.get_by_label("Loại hoạt động").select_option("training")
    page.get_by_label("Ngày bắt đầu").fill(datetime.date.today().strftime("%d/%m/%Y"))
    page.get_by_label("Tổng số người tham gia").fill("120")
    page.get_by_label("Số nữ tham gia").fill("150")
    page.get_by_label("Lồng ghép giới").check()
    page.get_by_role("button", name="Lưu").click()
    # Too many women: refused with the field named, nothing saved.
    expect(page.locator(".alert-danger")).to_contain_text(
        "Số nữ tham gia (150) không được lớn hơn tổng số người tham gia (120)."
    )
    page.get_by_label("Số nữ tham gia").fill("75")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Tập huấn lồng ghép giới cho cán bộ xã"
    )
    expect(page.locator("body")).to_contain_text("62,5%")

    page.context.clear_cookies()
    log_in(page, "tinh.xem")
    page.goto("/activities/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoạt động: Tỉnh Quảng Ngãi")
    expect(page.locator("#stat-activities")).to_have_text("1")
    expect(page.locator("#by-unit")).to_contain_text(commune.name)
    expect(page.locator("#summary")).to_contain_text(
        "tỉnh Quảng Ngãi tổ chức 1 lớp tập huấn cho 120 lượt người tham gia, 62,5% là nữ."
    )
    expect(page.locator("#activity-list")).to_contain_text("Tập huấn lồng ghép giới cho cán bộ xã")
