"""Issue 11's journey in a browser: a commune officer of Quảng Ngãi (96 communes and wards) types
1.250 and 2.400 the Vietnamese way, with the women's and the men's parts; the province's approver
sees 52,1% with "1/96 đơn vị đã nhập" and the women/men lines under it, and the province's Word
report writes the same digits and the same lines."""

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import Indicator
from binhdang.indicators.tests.test_issue11_seen import word_targets_table
from binhdang.orgunits.models import Level, OrgUnit

pytestmark = pytest.mark.django_db(transaction=True)


def test_vietnamese_thousands_typed_in_a_commune_reach_the_province_and_its_word_report(
    page, live_map
):
    load_catalogue()
    province = OrgUnit.objects.get(code="P51")
    communes = province.children.live().filter(level=Level.COMMUNE)
    assert communes.count() == 96  # the map's count, which the coverage line must state
    commune = communes.order_by("official_code").first()
    make_user("xa.nhaplieu", commune, Role.DATA_OFFICER)
    make_user("tinh.pheduyet", province, Role.APPROVER)
    # 3.2b: a share (target ≥ 50% in 2025) broken down by sex.
    share = Indicator.objects.get(number="3.2b", owner_unit=None)
    assert [key for key, _label in share.categories()] == ["sex:female", "sex:male"]

    log_in(page, "xa.nhaplieu")
    page.goto(f"/indicators/units/{commune.pk}/enter/?year=2025")
    typed = {
        f"{share.pk}-numerator": "1.250",
        f"{share.pk}-denominator": "2.400",
        f"{share.pk}-sex:female-numerator": "700",
        f"{share.pk}-sex:female-denominator": "1.300",
        f"{share.pk}-sex:male-numerator": "550",
        f"{share.pk}-sex:male-denominator": "1.100",
    }
    for name, text in typed.items():
        page.locator(f'[name="{name}"]').fill(text)
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("#figures")).to_contain_text("52,1%")

    # Reopened, the form shows the figures as typed, never 1,25 or 1.25E+3.
    page.goto(f"/indicators/units/{commune.pk}/enter/?year=2025")
    for name, text in typed.items():
        expect(page.locator(f'[name="{name}"]')).to_have_value(text)

    page.context.clear_cookies()
    log_in(page, "tinh.pheduyet")
    page.goto(f"/indicators/units/{province.pk}/?year=2025")
    row = page.locator("#figures tr", has_text="3.2b")
    expect(row).to_contain_text("52,1%")
    expect(row).to_contain_text("1.250/2.400")
    expect(row.locator(".provenance-coverage")).to_contain_text("1/96 đơn vị đã nhập")
    parts = row.locator(".figure-parts li")
    expect(parts.nth(0)).to_have_text("Nữ: 53,8% (700/1.300)")
    expect(parts.nth(1)).to_have_text("Nam: 50,0% (550/1.100)")

    # The province's consolidated Word report, made by the service the download button runs.
    table = word_targets_table(province)
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    line = next(i for i, r in enumerate(rows) if r[0] == "3.2b")
    assert rows[line][3] == "52,1% (1.250/2.400)"
    assert rows[line + 1][1:4] == ["– Nữ", "—", "53,8% (700/1.300)"]
    assert rows[line + 2][1:4] == ["– Nam", "—", "50,0% (550/1.100)"]
