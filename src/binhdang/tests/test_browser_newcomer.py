"""Issue 13's journey: the whole year as a newcomer meets it, from the home page only (no typed
addresses after signing in). The province opens a round; the commune finds it on its home page,
enters figures on a phone, loses the connection and finishes after a reload without typing again,
and submits; the province sees the notice and returns the report; the commune corrects it; the
province accepts it and downloads the report. Every click is counted: the README states it."""

import re

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.indicators.models import DataValue, Indicator
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.reporting.models import State, Submission

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "pw-binhdang-2026"


class Journey:
    """The browser page, with each click, tick and choice counted."""

    def __init__(self, page):
        self.page = page
        self.clicks = 0

    def click(self, locator) -> None:
        self.clicks += 1
        locator.click()

    def sign_in(self, username: str, viewport=DESKTOP) -> None:
        """Sign out whoever was in, open the platform and sign in (one click: the button)."""
        page = self.page
        page.context.clear_cookies()
        page.set_viewport_size(viewport)
        page.goto("/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.click(page.get_by_role("button", name="Đăng nhập"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Việc cần làm")

    def open_newest_notice(self) -> None:
        """From any page: the bell, then the newest notice."""
        page = self.page
        self.click(page.get_by_role("link", name=re.compile(r"^Thông báo")).first)
        self.click(page.locator(".notices-open").first)


@pytest.fixture
def people(live_map):
    from binhdang.indicators.loading import load_catalogue

    load_catalogue()
    province = OrgUnit.objects.get(code="P51")
    commune = province.children.live().filter(level=Level.COMMUNE).order_by("name").first()
    return {
        "province": province,
        "commune": commune,
        "approver": make_user("tinh.pheduyet", province, Role.APPROVER),
        "officer": make_user("xa.nhaplieu", commune, Role.DATA_OFFICER),
    }


def test_the_year_as_a_newcomer_meets_it(page, people):
    journey = Journey(page)
    commune = people["commune"]

    # The province opens the round: name and period follow the year it picks.
    journey.sign_in("tinh.pheduyet")
    journey.click(page.get_by_role("link", name="Báo cáo", exact=True))
    journey.click(page.get_by_role("link", name="Mở kỳ báo cáo"))
    journey.click(page.get_by_label("Năm báo cáo"))
    page.get_by_label("Năm báo cáo").select_option("2025")
    expect(page.get_by_label("Tên")).to_have_value(
        "Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025"
    )
    page.get_by_label("Hạn nộp").fill("31/12/2026")
    journey.click(page.get_by_label("Danh sách chọn"))
    journey.click(page.get_by_text("Chọn đơn vị"))
    journey.click(page.get_by_label(commune.name, exact=True))
    journey.click(page.get_by_role("button", name="Mở kỳ báo cáo"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("năm 2025")

    # The commune finds it on its home page and enters figures on a phone.
    journey.sign_in("xa.nhaplieu", PHONE)
    report = page.locator("#to-write").get_by_role("link", name=re.compile("năm 2025"))
    journey.click(report.first)
    journey.click(page.get_by_role("link", name="Nhập số liệu"))
    wage = Indicator.objects.get(number="2.1", owner_unit=None)  # objective 2
    ratio = Indicator.objects.get(number="4.1", owner_unit=None)  # objective 4
    page.locator(f"#id_{wage.pk}-numerator").fill("1.234,5")
    page.locator(f"#id_{wage.pk}-denominator").fill("2.000")
    journey.click(page.get_by_role("button", name="Lưu Mục tiêu 2"))
    expect(page.locator(".alert-success")).to_contain_text("Mục tiêu 2")
    page.locator(f"#id_{ratio.pk}-numerator").fill("7")
    page.locator(f"#id_{ratio.pk}-denominator").fill("10")
    # The connection drops as the officer saves; after a reload nothing is typed again.
    page.context.set_offline(True)
    journey.click(page.get_by_role("button", name="Lưu Mục tiêu 4"))
    expect(page.locator("#entry-offline")).to_be_visible()
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#entry-restored")).to_contain_text("Đã khôi phục 2 giá trị")
    journey.click(page.get_by_role("button", name="Lưu", exact=True))
    # Saved, and back at the report being written.
    expect(page.get_by_role("heading", level=1)).to_have_text(commune.name)
    assert DataValue.objects.get(unit=commune, indicator=ratio, year=2025).numerator == 7
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("Kết quả đạt được").fill("Tổ chức 2 hội nghị tuyên truyền.")
    page.get_by_label("Hạn chế, nguyên nhân").fill("Kinh phí còn hạn chế.")
    page.get_by_label("Phương hướng, nhiệm vụ năm tới").fill("Tăng cường tập huấn.")
    journey.click(page.get_by_role("button", name="Đánh dấu hoàn thành"))
    journey.click(page.get_by_role("button", name="Gửi báo cáo"))
    expect(page.locator("#state")).to_contain_text("Đã gửi")

    # The province sees the notice and returns the report with a comment.
    journey.sign_in("tinh.pheduyet")
    journey.open_newest_notice()
    expect(page.get_by_role("heading", level=1)).to_have_text(commune.name)
    page.get_by_label("Ý kiến", exact=False).fill("Đề nghị bổ sung số người tham dự.")
    journey.click(page.get_by_role("button", name="Trả lại"))
    expect(page.locator("#state")).to_contain_text("Bị trả lại")

    # The commune finds it returned on its home page, with the comment, and corrects it.
    journey.sign_in("xa.nhaplieu", PHONE)
    returned = page.locator("#returned")
    expect(returned).to_contain_text("bổ sung số người tham dự")
    journey.click(returned.get_by_role("link").first)
    page.get_by_label("Kết quả đạt được").fill("Tổ chức 2 hội nghị tuyên truyền cho 150 người.")
    journey.click(page.get_by_role("button", name="Gửi báo cáo"))
    expect(page.locator("#state")).to_contain_text("Đã gửi")

    # The province accepts it and downloads the province's report.
    journey.sign_in("tinh.pheduyet")
    journey.open_newest_notice()
    journey.click(page.get_by_role("button", name="Tiếp nhận"))
    expect(page.locator("#state")).to_contain_text("Đã tiếp nhận")
    assert Submission.objects.get(unit=commune).state == State.ACCEPTED
    journey.click(page.get_by_role("link", name=re.compile("năm 2025")).first)
    journey.click(page.get_by_role("button", name="Tải báo cáo (Word)"))
    download_link = page.get_by_role("link", name=re.compile(r"\.docx"))
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        journey.click(download_link)
    assert download.value.suggested_filename.endswith(".docx")

    # The README states this count ("Getting started"): change both together.
    assert journey.clicks == 30, journey.clicks
