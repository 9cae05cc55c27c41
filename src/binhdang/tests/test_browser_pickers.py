"""Pickers of many units filter as one types, with or without diacritics, and need no
Ctrl-click; the committee grid shows its choices whole (issue 13, item 7)."""

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.orgunits.models import OrgUnit
from binhdang.plans.models import Task


@pytest.fixture
def province_admin(live_map):
    return make_user("qngai.quantri", OrgUnit.objects.get(code="P51"), Role.UNIT_ADMIN)


def test_a_task_picks_its_units_by_typing_without_diacritics(page, province_admin):
    province = province_admin.unit
    communes = province.children.live().filter(level=4).order_by("name")
    lead, partner = communes[0], communes[1]
    log_in(page, "qngai.quantri")
    page.goto(f"/plans/units/{province.pk}/tasks/new/")
    page.locator("#id_title").fill("Tập huấn lồng ghép giới")
    page.locator("#id_deadline").fill("30/06/2027")

    page.locator(".ts-wrapper:has(#id_lead_unit-ts-control) .ts-control").click()
    # Typed into the search box itself: a keystroke sent before the box has the focus is lost.
    lead_search = page.locator("#id_lead_unit-ts-control")
    lead_search.press_sequentially(lead.search_name.split(" ", 1)[1])  # "cam thanh": "Cẩm Thành"
    lead_options = page.locator("#id_lead_unit-ts-dropdown .option")
    expect(lead_options).to_have_count(1)  # nothing else matches the typed words
    lead_options.first.click()

    control = page.locator("#id_collaborating_units-ts-control")
    dropdown = page.locator("#id_collaborating_units-ts-dropdown")
    control.click()
    control.press_sequentially("khong co xa nao ten nay")
    expect(dropdown).to_contain_text("Không có kết quả phù hợp")
    control.fill("")
    control.press_sequentially(partner.search_name.split(" ", 1)[1])
    dropdown.locator(".option", has_text=partner.name).first.click()
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Lưu").first.click()
    task = Task.objects.get(title="Tập huấn lồng ghép giới")
    assert task.lead_unit == lead
    assert list(task.collaborating_units.all()) == [partner]


def test_the_member_grid_shows_its_choices_whole(page, province_admin):
    from binhdang.committees import services

    province = province_admin.unit
    committee = services.create_committee(province_admin, province, name="Ban VSTBPN tỉnh")
    log_in(page, "qngai.quantri")
    page.goto(f"/committees/{committee.pk}/reconstitute/")
    row = page.locator("#members tbody tr").first
    row.locator("select[name$='-sex']").select_option("male")
    sex = row.locator("select[name$='-sex']")
    # "Nam" once showed as "Na": the column is as wide as its longest choice and its padding.
    width, text = sex.evaluate(
        "s => [s.clientWidth, (() => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = getComputedStyle(s).font; return c.measureText('Nam').width; })()]"
    )
    assert width >= text + 40
    represented = row.locator(".ts-wrapper:has([id$='-represented_unit-ts-control'])")
    assert represented.bounding_box()["width"] >= 200
