"""The round's DHIS2 page in a real browser: the province's approver runs a dry run, reads what
DHIS2 would do, then pushes for real from the summary (against the local DHIS2 stand-in)."""

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import Indicator
from binhdang.indicators.services import record_value
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.reporting import services

from .conftest import open_round, send_up
from .dhis2_standin import DATA_SET, TOKEN, StandIn


@pytest.fixture
def standin(settings):
    server = StandIn().start()
    settings.DHIS2_URL = server.url
    settings.DHIS2_TOKEN = TOKEN
    settings.DHIS2_DATA_SET = DATA_SET
    yield server
    server.stop()


def test_a_dry_run_then_a_push_from_the_rounds_dhis2_page(page, live_map, standin):
    load_catalogue()
    province = OrgUnit.objects.get(code="P51")
    commune = province.children.live().filter(level=Level.COMMUNE).order_by("official_code")[0]
    approver = make_user("qngai.pheduyet", province, Role.APPROVER)
    officer = make_user("xa.nhaplieu", commune, Role.DATA_OFFICER)
    indicator = Indicator.objects.get(number="1.1", owner_unit__isnull=True)
    round = open_round(approver, province, units=[commune], indicators=[indicator])
    record_value(officer, indicator, commune, 2025, numerator=3, denominator=10)
    submitted = send_up(officer, round.submissions.get())
    services.accept(approver, submitted, version=submitted.version)

    log_in(page, "qngai.pheduyet")
    page.goto(round.get_absolute_url())
    page.get_by_role("link", name="DHIS2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trao đổi với DHIS2")
    page.get_by_role("button", name="Chạy thử").first.click()
    expect(page.locator("#job-status")).to_contain_text("DHIS2 sẽ nhập 2")
    expect(page.locator("#dhis2-summary")).to_contain_text("Nhập mới")
    assert standin.stored == {}

    page.get_by_role("button", name="Gửi lên DHIS2 ngay").click()
    expect(page.locator("#job-status")).to_contain_text("DHIS2 đã nhập 2")
    assert len(standin.stored) == 2 and standin.violations == []
