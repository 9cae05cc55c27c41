"""Shared fixtures: the real map loaded once per test session, the persona accounts, and a
browser (Debian's chromium driven by Playwright) for the journeys."""

import os
import shutil

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, settings
from pytest_django.plugin import blocking_manager_key

from binhdang.accounts.models import Role, User
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import Indicator
from binhdang.orgunits.loading import load_reference_map
from binhdang.orgunits.models import OrgUnit

MAP_FLUSHED = pytest.StashKey[bool]()

# Property tests assert what is computed, never how fast (speed is measured under bench/): on a
# machine busy with the parallel suite, Hypothesis's timing checks (a 200 ms deadline per
# example, "data generation too slow") failed tests whose every example was right.
settings.register_profile("binhdang", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("binhdang")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real administrative map into the test database once."""
    with django_db_blocker.unblock():
        load_reference_map()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return "transactional_db" in item.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    """Put the map back before a test that expects it, when a transactional test (a browser
    journey) emptied the database on this worker: with tests spread over workers, those no longer
    run last."""
    if item.config.stash.get(MAP_FLUSHED, False) and not _transactional(item):
        with item.config.stash[blocking_manager_key].unblock():
            load_reference_map()
        item.config.stash[MAP_FLUSHED] = False
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if _transactional(item):
        item.config.stash[MAP_FLUSHED] = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: every test's database starts from the same state,
    so what an earlier test cached (the same ids, the same figures' revision) would be found."""
    cache.clear()


@pytest.fixture
def tree(db):
    """Named units of the real map that the tests reason about."""
    province = OrgUnit.objects.get(code="P51")  # Tỉnh Quảng Ngãi
    communes = list(province.children.live().filter(level=4).order_by("official_code")[:2])
    neighbour = communes[1]
    old_commune = communes[0].predecessors.exclude(successors=neighbour).first()
    return {
        "nation": OrgUnit.objects.get(code="VN"),
        "province": province,
        "other_province": OrgUnit.objects.get(code="P01"),  # Thành phố Hà Nội
        "commune": communes[0],
        "neighbour": neighbour,
        "far_commune": OrgUnit.objects.get(code="P01").children.live().filter(level=4).first(),
        "ministry": OrgUnit.objects.get(code="BNV"),
        "other_ministry": OrgUnit.objects.get(code="BYT"),
        "legacy_province": OrgUnit.objects.get(code="LP51"),  # merged into P51
        "legacy_commune": old_commune,  # merged into "commune"
        "other_legacy_province": OrgUnit.objects.get(code="LP01"),
    }


def make_user(username: str, unit: OrgUnit | None, role: Role) -> User:
    """An active account with the password "pw-binhdang-2026"."""
    user = User(username=username, unit=unit, role=role, first_name=username)
    user.set_password("pw-binhdang-2026")
    user.save()
    return user


@pytest.fixture
def catalogue(db):
    """The NSGE catalogue loaded, as {indicator number: Indicator}."""
    load_catalogue()
    return {i.number: i for i in Indicator.objects.all()}


@pytest.fixture
def personas(tree):
    """The permission matrix's people."""
    return {
        "commune_officer": make_user("commune_officer", tree["commune"], Role.DATA_OFFICER),
        "neighbour_officer": make_user("neighbour_officer", tree["neighbour"], Role.DATA_OFFICER),
        "province_viewer": make_user("province_viewer", tree["province"], Role.VIEWER),
        "province_approver": make_user("province_approver", tree["province"], Role.APPROVER),
        "province_admin": make_user("province_admin", tree["province"], Role.UNIT_ADMIN),
        "ministry_officer": make_user("ministry_officer", tree["ministry"], Role.DATA_OFFICER),
        "system_admin": make_user("system_admin", tree["nation"], Role.SYSTEM_ADMIN),
    }


CHROMIUM = os.environ.get("BINHDANG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def page(live_server):
    """A browser page on the live server, in Vietnamese; skipped where chromium is missing,
    unless BINHDANG_REQUIRE_BROWSER=1 (CI) makes that an error."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("BINHDANG_REQUIRE_BROWSER") == "1":
            raise RuntimeError(f"Browser tests are required but {CHROMIUM} is missing.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url, locale="vi-VN")
        yield context.new_page()
        browser.close()


@pytest.fixture
def live_map(transactional_db):
    """The real map in a transactional test (those start from an emptied database)."""
    if not OrgUnit.objects.filter(code="P51").exists():
        load_reference_map()


def log_in(page, username: str, password: str = "pw-binhdang-2026") -> None:
    """Log in through the login form, and wait for the page it leads to (a test that opens
    another address at once would otherwise cut the sign-in short, session cookie unset)."""
    page.goto("/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
