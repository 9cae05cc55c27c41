"""Main journeys in a real browser: Debian's chromium driven by Playwright."""

import os
import shutil

import pytest

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.orgunits.loading import load_reference_map
from binhdang.orgunits.models import OrgUnit

CHROMIUM = os.environ.get("BINHDANG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

if not shutil.which(CHROMIUM):
    if os.environ.get("BINHDANG_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"Browser tests are required but {CHROMIUM} is missing.")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture
def page(live_server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(base_url=live_server.url, locale="vi-VN")
        yield context.new_page()
        browser.close()


@pytest.fixture
def province_officer(transactional_db):
    # Transactional tests start from an emptied database once another one has run.
    if not OrgUnit.objects.filter(code="P51").exists():
        load_reference_map()
    return make_user("qngai.nhaplieu", OrgUnit.objects.get(code="P51"), Role.DATA_OFFICER)


def log_in(page, username: str, password: str = "pw-binhdang-2026") -> None:
    page.goto("/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_officer_logs_in_sees_home_and_finds_a_unit(page, province_officer):
    log_in(page, "qngai.nhaplieu")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh Quảng Ngãi")
    breadcrumb = page.get_by_role("navigation", name="Vị trí trong cây đơn vị")
    expect(breadcrumb).to_contain_text("Việt Nam")
    expect(page.locator(".stat").first).to_be_visible()

    # Live search without diacritics, inside the officer's own province.
    commune = OrgUnit.objects.get(code="P51").children.live().order_by("name").first()
    search_box = page.get_by_placeholder("Tìm đơn vị theo tên", exact=False).first
    search_box.fill(commune.search_name.split(" ", 1)[1])
    result = page.locator("#search-results").get_by_role("link", name=commune.name, exact=False)
    expect(result.first).to_be_visible()
    result.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(commune.name)

    # Another province's page is outside the scope.
    hanoi = OrgUnit.objects.get(code="P01")
    response = page.goto(f"/units/{hanoi.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Không tìm thấy")


def test_wrong_passwords_lock_the_login(page, province_officer, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        log_in(page, "qngai.nhaplieu", "sai-mat-khau")
    log_in(page, "qngai.nhaplieu")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đăng nhập sai")
