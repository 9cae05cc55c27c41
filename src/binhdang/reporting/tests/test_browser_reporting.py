"""A reporting round end to end in a real browser: the province opens it for a commune, the
commune submits, the province returns it with a comment, the commune corrects and resubmits,
the province accepts and downloads its consolidated report."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.reporting.models import ReportingRound, State

NAME = "Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025"


@pytest.fixture
def people(live_map):
    from binhdang.indicators.loading import load_catalogue

    load_catalogue()
    province = OrgUnit.objects.get(code="P51")
    commune = province.children.live().filter(level=Level.COMMUNE).order_by("official_code").first()
    return {
        "province": province,
        "commune": commune,
        "approver": make_user("qngai.pheduyet", province, Role.APPROVER),
        "officer": make_user("xa.nhaplieu", commune, Role.DATA_OFFICER),
    }


def _switch(page, username):
    page.context.clear_cookies()
    log_in(page, username)


def test_a_round_from_opening_to_acceptance(page, people):
    commune = people["commune"]
    deadline = datetime.date.today() + datetime.timedelta(days=10)

    # The province opens the round for one of its communes.
    log_in(page, "qngai.pheduyet")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.get_by_role("link", name="Mở kỳ báo cáo").click()
    page.get_by_label("Tên").fill(NAME)
    page.get_by_label("Năm báo cáo").select_option("2025")
    page.get_by_label("Kỳ báo cáo từ ngày").fill("01/01/2025")
    page.get_by_label("Đến ngày").fill("31/12/2025")
    page.get_by_label("Hạn nộp").fill(deadline.strftime("%d/%m/%Y"))
    page.get_by_label("Danh sách chọn").check()
    page.get_by_text("Chọn đơn vị").click()
    page.get_by_label(commune.name, exact=True).check()
    page.get_by_role("button", name="Mở kỳ báo cáo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator("#rates")).to_contain_text("Phải nộp")
    round = ReportingRound.objects.get()
    assert round.submissions.count() == 1

    # The commune writes, marks complete and submits.
    _switch(page, "xa.nhaplieu")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    page.locator("#due").get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(commune.name)
    page.get_by_label("Kết quả đạt được").fill("Tổ chức 2 hội nghị tuyên truyền.")
    page.get_by_label("Hạn chế, nguyên nhân").fill("Kinh phí còn hạn chế.")
    page.get_by_label("Phương hướng, nhiệm vụ năm tới").fill("Tăng cường tập huấn.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu nháp")
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#state")).to_contain_text("Đã gửi")
    submission_url = page.url

    # The province returns it with a comment.
    _switch(page, "qngai.pheduyet")
    page.goto(submission_url)
    page.get_by_label("Ý kiến", exact=False).fill("Đề nghị bổ sung số người tham dự.")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.locator("#state")).to_contain_text("Bị trả lại")

    # The commune sees the comment, corrects and resubmits.
    _switch(page, "xa.nhaplieu")
    page.goto(submission_url)
    expect(page.locator("#return-comment")).to_contain_text("bổ sung số người tham dự")
    page.get_by_label("Kết quả đạt được").fill("Tổ chức 2 hội nghị tuyên truyền cho 150 người.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#state")).to_contain_text("Đã gửi")
    expect(page.locator("#edits")).to_contain_text("sửa 1 lần sau khi gửi")

    # The province accepts: the commune's figures are locked.
    _switch(page, "qngai.pheduyet")
    page.goto(submission_url)
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page.locator("#state")).to_contain_text("Đã tiếp nhận")
    expect(page.locator("#history")).to_contain_text("Bị trả lại")
    assert round.submissions.get().state == State.ACCEPTED

    page.goto(f"/reports/rounds/{round.pk}/")
    expect(page.locator("#rates")).to_contain_text("100,0%")
    # The province downloads its consolidated report.
    page.get_by_role("button", name="Tải báo cáo (Word)").click()
    download_link = page.get_by_role("link", name=re.compile(r"\.docx"))
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".docx")
