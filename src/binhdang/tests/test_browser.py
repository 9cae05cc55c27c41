"""Main journeys in a real browser: Debian's chromium driven by Playwright."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.orgunits.models import Level, OrgUnit


@pytest.fixture
def province_officer(live_map):
    return make_user("qngai.nhaplieu", OrgUnit.objects.get(code="P51"), Role.DATA_OFFICER)


def test_officer_logs_in_sees_home_and_finds_a_unit(page, province_officer):
    log_in(page, "qngai.nhaplieu")
    expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")
    expect(page.locator("#intro")).to_be_visible()  # the year in three lines, first visit
    page.get_by_role("link", name="Đơn vị", exact=True).click()
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


def test_unit_admin_reconstitutes_a_committee(page, province_officer):
    from binhdang.committees import services
    from binhdang.committees.models import Person
    from binhdang.committees.models import Role as CommitteeRole
    from binhdang.committees.services import MemberSpec

    province = province_officer.unit
    admin = make_user("qngai.quantri", province, Role.UNIT_ADMIN)
    committee = services.create_committee(admin, province, name="Ban VSTBPN tỉnh Quảng Ngãi")
    services.reconstitute(
        admin,
        committee,
        number="12/QĐ-UBND",
        date=datetime.date(2021, 3, 15),
        members=[
            MemberSpec(Person(full_name="Nguyễn Thị An", sex="female"), CommitteeRole.HEAD),
            MemberSpec(Person(full_name="Trần Văn Bình", sex="male"), CommitteeRole.MEMBER),
        ],
    )
    log_in(page, "qngai.quantri")
    page.goto(f"/committees/{committee.pk}/")
    page.get_by_role("link", name="Kiện toàn").click()
    page.get_by_label("Số, ký hiệu").fill("45/QĐ-UBND")
    page.get_by_label("Ngày ban hành").fill("01/06/2024")
    rows = page.locator("#members tbody tr")
    rows.nth(1).locator("select[name$='-role']").select_option("vice_chair")
    rows.nth(2).locator("input[name$='-full_name']").fill("Võ Thị Em")
    rows.nth(2).locator("select[name$='-sex']").select_option("female")
    rows.nth(2).locator("select[name$='-role']").select_option("secretary")
    page.get_by_role("button", name="Kiểm tra thay đổi").click()
    diff = page.locator("#diff")
    expect(diff).to_contain_text("Võ Thị Em")
    expect(diff).to_contain_text("Trần Văn Bình")
    page.get_by_role("button", name="Lưu quyết định").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ban VSTBPN tỉnh Quảng Ngãi")
    expect(page.locator("table")).to_contain_text("Võ Thị Em")
    expect(page.locator("table")).to_contain_text("45/QĐ-UBND")
    page.get_by_label("Thành viên tại ngày").fill("01/01/2022")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("table")).not_to_contain_text("Võ Thị Em")
    # A committee larger than the form's spare rows: "Thêm dòng" adds one.
    page.get_by_role("link", name="Kiện toàn").click()
    page.wait_for_url("**/reconstitute/")  # counted on the form, not on the page it leaves
    before = int(page.locator("#id_form-TOTAL_FORMS").input_value())
    expect(page.locator("#form-rows tr")).to_have_count(before)
    page.get_by_role("button", name="Thêm dòng").click()
    expect(page.locator("#form-rows tr")).to_have_count(before + 1)
    assert page.locator("#id_form-TOTAL_FORMS").input_value() == str(before + 1)
    added = page.locator("#form-rows tr").last
    added.locator("input[name$='-full_name']").fill("Đinh Thị Lụa")
    added.locator("select[name$='-sex']").select_option("female")
    added.locator("select[name$='-role']").select_option("member")
    page.get_by_label("Số, ký hiệu").fill("77/QĐ-UBND")
    page.get_by_label("Ngày ban hành").fill("02/06/2025")
    page.get_by_role("button", name="Kiểm tra thay đổi").click()
    expect(page.locator("#diff")).to_contain_text("Đinh Thị Lụa")


def test_commune_officer_enters_figures_seen_in_the_province_rollup(page, province_officer):
    from binhdang.indicators.loading import load_catalogue
    from binhdang.indicators.models import Indicator

    load_catalogue()
    province = province_officer.unit
    commune = province.children.live().filter(level=4).order_by("official_code").first()
    make_user("xa.nhaplieu", commune, Role.DATA_OFFICER)
    wage = Indicator.objects.get(number="2.1")

    log_in(page, "xa.nhaplieu")
    page.get_by_role("link", name="Chỉ tiêu").click()
    page.get_by_label("Năm").select_option("2025")
    page.get_by_role("link", name="Nhập số liệu").click()
    page.locator(f"#id_{wage.pk}-numerator").fill("45")
    page.locator(f"#id_{wage.pk}-denominator").fill("120")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("#figures")).to_contain_text("37,5%")

    page.context.clear_cookies()  # sign out, and in again as the province's officer
    log_in(page, "qngai.nhaplieu")
    page.goto(f"/indicators/units/{province.pk}/?year=2025")
    row = page.locator("#figures tr", has_text="2.1")
    expect(row).to_contain_text("37,5%")
    expect(row).to_contain_text("45/120")
    expect(page.locator("#summary")).to_contain_text("chỉ tiêu đạt và vượt")


# Issue 13: a phone (390 px wide) and a bad connection.
PHONE = {"width": 390, "height": 844}


def test_no_main_page_scrolls_sideways_on_a_390px_phone(page, live_map):
    """The main pages fit a phone's width: wide tables scroll inside their own box, the entry
    form shows one card per indicator, the calendar a list of days. One test visits them all
    (one database set-up instead of one per page)."""
    from binhdang.indicators.loading import load_catalogue
    from binhdang.reporting.services import open_round

    load_catalogue()
    province = OrgUnit.objects.get(code="P51")
    approver = make_user("tinh.pheduyet", province, Role.APPROVER)
    round = open_round(
        approver,
        province,
        name="Báo cáo năm 2025",
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=datetime.date(2026, 12, 17),
        levels=[Level.COMMUNE],
    )
    page.set_viewport_size(PHONE)
    log_in(page, "tinh.pheduyet")
    pages = {
        "entry form": f"/indicators/units/{province.pk}/enter/?year=2025",
        "unit page": f"/units/{province.pk}/",
        "round page": f"/reports/rounds/{round.pk}/",
        "activities list": f"/activities/units/{province.pk}/",
        "calendar": "/activities/calendar/",
    }
    wide = {}
    for name, address in pages.items():
        assert page.goto(address).status == 200, name
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.evaluate("window.innerWidth"):
            wide[name] = width
        if name == "calendar":  # a list of days, not a week of 7 columns 55 px wide
            expect(page.locator("#calendar thead")).to_be_hidden()
    assert not wide, f"pages wider than 390 px: {wide}"


def test_phone_entry_saved_by_section_and_restored_after_a_lost_connection(page, live_map):
    from binhdang.indicators.loading import load_catalogue
    from binhdang.indicators.models import DataValue, Indicator

    load_catalogue()
    commune = OrgUnit.objects.get(code="P51").children.live().filter(level=4).first()
    make_user("xa.nhaplieu", commune, Role.DATA_OFFICER)
    wage = Indicator.objects.get(number="2.1", owner_unit=None)  # objective 2
    ratio = Indicator.objects.get(number="4.1", owner_unit=None)  # objective 4
    page.set_viewport_size(PHONE)
    log_in(page, "xa.nhaplieu")
    page.goto(f"/indicators/units/{commune.pk}/enter/?year=2025")
    wage_field = page.locator(f"#id_{wage.pk}-numerator")
    expect(wage_field).to_have_attribute("inputmode", "decimal")
    wage_field.fill("1.234,5")
    page.locator(f"#id_{wage.pk}-denominator").fill("2.000")
    page.locator(f"#id_{ratio.pk}-numerator").fill("7")
    page.locator(f"#id_{ratio.pk}-denominator").fill("10")

    # Objective 2 is saved alone; objective 4's values come back from the browser.
    page.get_by_role("button", name="Lưu Mục tiêu 2").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu 1 số liệu của “Mục tiêu 2”")
    restored = page.locator("#entry-restored")
    expect(restored).to_have_text(
        "Đã khôi phục 2 giá trị bạn đã nhập nhưng chưa lưu. Kiểm tra rồi bấm Lưu."
    )
    assert DataValue.objects.filter(unit=commune, indicator=wage).count() == 1
    assert not DataValue.objects.filter(unit=commune, indicator=ratio).exists()

    # The connection drops: the save is not sent, and says so.
    page.locator(f"#id_{ratio.pk}-numerator").fill("8")
    page.context.set_offline(True)
    page.get_by_role("button", name="Lưu Mục tiêu 4").click()
    expect(page.locator("#entry-offline")).to_be_visible()
    page.context.set_offline(False)

    # After a reload the typed values are back, with the notice; nothing to type again.
    page.reload()
    expect(restored).to_contain_text("Đã khôi phục 2 giá trị")
    expect(page.locator(f"#id_{ratio.pk}-numerator")).to_have_value("8")
    expect(page.locator(f"#id_{ratio.pk}-denominator")).to_have_value("10")
    expect(page.locator(f"#id_{wage.pk}-numerator")).to_have_value("1.234,5")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("#figures")).to_be_visible()
    assert DataValue.objects.get(unit=commune, indicator=ratio, category="").numerator == 8

    # Saved: nothing is restored any more, and the browser keeps nothing for this form.
    page.goto(f"/indicators/units/{commune.pk}/enter/?year=2025")
    expect(page.locator(f"#id_{ratio.pk}-numerator")).to_have_value("8")
    expect(restored).to_be_hidden()
    assert page.evaluate("window.localStorage.length") == 0


# WCAG 2.1 AA, checked by axe-core (vendored, test-only: see docs/dependencies.md) -------------

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def _axe_violations(page) -> list[str]:
    """The WCAG 2.1 A/AA rules the page breaks, as "rule: where" lines."""
    # Evaluated through the driver: the Content-Security-Policy rightly refuses an injected tag.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
             values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})"""
    )
    assert result["passes"], "axe-core checked nothing"
    return [
        f"{page.url} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def test_axe_sign_in_page_has_no_violations(page, live_map):
    page.goto("/")
    assert _axe_violations(page) == []


def test_axe_main_pages_have_no_violations(page, province_officer):
    """One sign-in, then the pages every officer uses: any WCAG 2.1 AA violation fails."""
    from binhdang.activities import services as activities
    from binhdang.activities.models import Kind
    from binhdang.committees import services as committees
    from binhdang.committees.models import Person
    from binhdang.committees.models import Role as CommitteeRole
    from binhdang.committees.services import MemberSpec
    from binhdang.indicators.loading import load_catalogue
    from binhdang.reporting import services as reporting

    load_catalogue()
    province = province_officer.unit
    commune = province.children.live().filter(level=4).order_by("official_code").first()
    approver = make_user("qngai.pheduyet", province, Role.UNIT_ADMIN)
    round = reporting.open_round(
        approver,
        province,
        name="Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025",
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=datetime.date(2099, 12, 15),
        units=[commune],
    )
    committee = committees.create_committee(approver, province, name="Ban VSTBPN tỉnh")
    committees.reconstitute(
        approver,
        committee,
        number="12/QĐ-UBND",
        date=datetime.date(2021, 3, 15),
        members=[MemberSpec(Person(full_name="Nguyễn Thị An", sex="female"), CommitteeRole.HEAD)],
    )
    activities.create_activity(
        approver,
        activities.ActivityData(
            title="Tập huấn lồng ghép giới",
            kind=Kind.TRAINING,
            start_date=datetime.date(2025, 9, 10),
            organiser=province,
            participants=100,
            women=60,
        ),
    )
    log_in(page, "qngai.pheduyet")
    violations = _axe_violations(page)  # the home page
    for url in (
        f"/indicators/units/{province.pk}/enter/?year=2025",
        f"/reports/rounds/{round.pk}/",
        f"/activities/units/{province.pk}/",
        f"/committees/{committee.pk}/",
    ):
        page.goto(url)
        violations += _axe_violations(page)
    assert violations == [], "\n".join(violations)
