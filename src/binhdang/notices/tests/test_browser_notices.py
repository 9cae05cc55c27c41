"""The bell in a real browser, on a phone's width: its name says how many notices are unread,
the list opens from it, and opening a notice marks it read and goes where to act."""

import os
import re

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.notices.models import Notice, NoticeKind
from binhdang.orgunits.models import OrgUnit


@pytest.fixture
def officer(live_map):
    commune = OrgUnit.objects.get(code="P51").children.live().order_by("name").first()
    user = make_user("xa.nhaplieu", commune, Role.DATA_OFFICER)
    Notice.objects.create(
        recipient=user,
        kind=NoticeKind.REPORT_RETURNED,
        params={
            "name": "Báo cáo năm 2025",
            "unit": commune.name,
            "reviewer": "Nguyễn Thị Lan (Tỉnh Quảng Ngãi)",
            "state": "returned",
            "comment": "Thiếu số liệu chỉ tiêu 1.1.",
        },
        link=f"/units/{commune.pk}/",
    )
    return user


def test_the_bell_on_a_phone(page, officer):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "xa.nhaplieu")
    bell = page.get_by_role("link", name="Thông báo 1 thông báo chưa đọc")
    expect(bell).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    if os.environ.get("BINHDANG_SCREENSHOTS"):
        page.screenshot(path=os.environ["BINHDANG_SCREENSHOTS"] + "/bell-390.png")
    bell.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    expect(page.get_by_text("Thiếu số liệu chỉ tiêu 1.1.")).to_be_visible()
    page.get_by_role("button", name="đã trả lại báo cáo", exact=False).click()
    expect(page).to_have_url(re.compile(rf"/units/{officer.unit_id}/$"))
    expect(page.get_by_role("link", name="Thông báo không có thông báo chưa đọc")).to_be_visible()
    assert Notice.objects.get().read_at is not None
