"""Issue 12's browser journey: a system administrator finds the former Ministry of Natural
Resources and Environment, records its 2019 committee with members known only by role and unit,
and finds it again from the ministry it became."""

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.orgunits.models import OrgUnit


@pytest.fixture
def system_admin(live_map):
    return make_user("quantri.he.thong", OrgUnit.objects.get(code="VN"), Role.SYSTEM_ADMIN)


def test_a_2019_committee_of_a_former_ministry_is_found_from_its_successor(page, system_admin):
    log_in(page, "quantri.he.thong")
    page.get_by_role("searchbox", name="Tìm đơn vị").first.fill("tai nguyen moi truong")
    page.get_by_role("searchbox", name="Tìm đơn vị").first.press("Enter")
    result = page.locator(".list-group-item", has_text="Bộ Tài nguyên và Môi trường")
    expect(result.first).to_contain_text("đơn vị cũ")
    result.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bộ Tài nguyên và Môi trường")

    page.locator("main a.btn", has_text="Ban VSTBPN").first.click()
    page.get_by_role("link", name="Ghi nhận Ban VSTBPN").click()
    page.get_by_label("Tên").fill("Ban Vì sự tiến bộ của phụ nữ Bộ Tài nguyên và Môi trường")
    page.get_by_role("button", name="Lưu").click()

    page.get_by_label("Số, ký hiệu").fill("2967/QĐ-BTNMT")
    page.get_by_label("Ngày ban hành").fill("20/11/2019")
    rows = page.locator("#members tbody tr")
    rows.nth(0).locator("input[name$='-full_name']").fill("Trần Quý Kiên")
    rows.nth(0).locator("select[name$='-sex']").select_option("male")
    rows.nth(0).locator("select[name$='-role']").select_option("head")
    # The vice-chair and a member as the news names them: by role and the unit they represent.
    rows.nth(1).locator("input[name$='-represented_text']").fill("Vụ Tổ chức cán bộ")
    rows.nth(1).locator("select[name$='-role']").select_option("vice_chair")
    page.get_by_role("button", name="Thêm dòng").click()
    rows.nth(2).locator("input[name$='-represented_text']").fill("Vụ Pháp chế")
    rows.nth(2).locator("select[name$='-role']").select_option("member")
    page.get_by_role("button", name="Kiểm tra thay đổi").click()
    expect(page.locator("#diff")).to_contain_text("Trần Quý Kiên")
    page.get_by_role("button", name="Lưu quyết định").click()
    expect(page.locator("table").first).to_contain_text("Vụ Tổ chức cán bộ")
    expect(page.locator("body")).to_contain_text("2967/QĐ-BTNMT")

    # From the ministry it became: its committee page lists the former ministry's committee.
    successor = OrgUnit.objects.get(code="BNNMT")
    page.goto(f"/committees/units/{successor.pk}/committee/")
    former = page.get_by_role(
        "link", name="Ban Vì sự tiến bộ của phụ nữ Bộ Tài nguyên và Môi trường"
    )
    expect(former).to_be_visible()
    expect(page.locator("body")).to_contain_text("(đến 28/02/2025)")
    former.click()
    expect(page.locator("body")).to_contain_text("Trần Quý Kiên")
