"""In a browser: a commune officer types 1.250 and 2.400 the Vietnamese way; the province sees
52,1% made of 1.250/2.400, and the entry form shows the figures back as typed."""

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import Indicator
from binhdang.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db(transaction=True)


def test_vietnamese_thousands_typed_in_a_commune_reach_the_province(page, live_map):
    load_catalogue()
    province = OrgUnit.objects.get(code="P51")
    commune = province.children.live().filter(level=4).order_by("official_code").first()
    make_user("xa.nhaplieu", commune, Role.DATA_OFFICER)
    make_user("tinh.xem", province, Role.VIEWER)
    wage = Indicator.objects.get(number="2.1", owner_unit=None)

    log_in(page, "xa.nhaplieu")
    page.goto(f"/indicators/units/{commune.pk}/enter/?year=2025")
    page.locator(f"#id_{wage.pk}-numerator").fill("1.250")
    page.locator(f"#id_{wage.pk}-denominator").fill("2.400")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#figures")).to_contain_text("52,1%")

    page.goto(f"/indicators/units/{commune.pk}/enter/?year=2025")
    expect(page.locator(f"#id_{wage.pk}-numerator")).to_have_value("1.250")
    expect(page.locator(f"#id_{wage.pk}-denominator")).to_have_value("2.400")

    page.context.clear_cookies()
    log_in(page, "tinh.xem")
    page.goto(f"/indicators/units/{province.pk}/?year=2025")
    row = page.locator("#figures tr", has_text="2.1")
    expect(row).to_contain_text("52,1%")
    expect(row).to_contain_text("1.250/2.400")
