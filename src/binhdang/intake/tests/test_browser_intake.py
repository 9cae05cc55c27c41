"""In a real browser, with the real extractor: a provincial data officer pastes a training
report from the portal, corrects the number of participants the Vietnamese way, confirms, and
finds the activity with its dates and participants, and its history saying it came from a news
report."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.activities.models import Activity
from binhdang.conftest import log_in, make_user
from binhdang.intake.models import Draft
from binhdang.orgunits.models import OrgUnit

REPORT = """Trang chủ > Tin tức - Sự kiện > Bình đẳng giới
Tập huấn kỹ năng lồng ghép giới cho cán bộ cấp xã
Thứ Ba, 23/05/2023 08:30 (GMT+7)
Lượt xem: 1.234
Trong 02 ngày, từ 21-22/5/2023, Ban VSTBPN tỉnh Quảng Ngãi phối hợp với Hội LHPN tỉnh tổ chức \
lớp tập huấn "Kỹ năng lồng ghép giới trong xây dựng chính sách" tại TP. Quảng Ngãi.
Tham dự lớp tập huấn có 120 học viên là cán bộ, công chức cấp xã. Các học viên được trang bị \
kiến thức về Luật Bình đẳng giới.
Quang cảnh lớp tập huấn. (Ảnh: Hồng Nhung)
Chia sẻ | In bài | Gửi email
Tin liên quan
Hội nghị tổng kết công tác bình đẳng giới năm 2022
"""


@pytest.fixture
def officer(live_map):
    province = OrgUnit.objects.get(code="P51")
    make_user("tinh.nhaplieu", province, Role.DATA_OFFICER)
    return province


def test_a_training_report_becomes_an_activity_marked_as_imported(page, officer):
    province = officer
    log_in(page, "tinh.nhaplieu")
    page.goto(reverse("activities:unit", args=[province.pk]))
    page.get_by_role("link", name="Nhập từ bài viết").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nhập từ bài viết: {province.label}")

    # Bad input first: nothing pasted is refused in Vietnamese, and nothing is kept.
    page.get_by_role("button", name="Đọc bài viết").click()
    expect(page.locator(".alert-danger")).to_contain_text("Hãy dán nội dung bài viết")
    assert not Draft.objects.exists()

    page.get_by_label("Nội dung bài viết").fill(REPORT)
    page.get_by_role("button", name="Đọc bài viết").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đề xuất từ bài viết")
    expect(page.locator("body")).to_contain_text("Đăng ngày 23/05/2023.")
    # The portal's chrome is gone from the report shown; the sentence is highlighted.
    article = page.locator("#intake-article")
    expect(article).not_to_contain_text("Lượt xem")
    expect(article).not_to_contain_text("Tin liên quan")
    expect(article.locator("mark").first).to_contain_text("Trong 02 ngày, từ 21-22/5/2023")

    training = page.locator('[data-kind="activity"]').first
    expect(training.locator(".intake-sentence")).to_contain_text("Ban VSTBPN tỉnh Quảng Ngãi")
    expect(training).to_contain_text("Độ tin cậy")
    expect(training.get_by_label("Ngày bắt đầu")).to_have_value("21/05/2023")
    expect(training.get_by_label("Ngày kết thúc")).to_have_value("22/05/2023")
    expect(training.get_by_label("Tổng số người tham gia")).to_have_value("120")
    # Nothing is saved before the confirmation.
    assert not Activity.objects.exists()

    # The officer knows better: 1.250 took part (typed the Vietnamese way).
    training.get_by_label("Tổng số người tham gia").fill("1.250")
    training.get_by_label("Lưu mục này").check()
    page.get_by_role("button", name="Lưu các đề xuất đã đánh dấu").click()
    expect(page.locator("#intake-saved")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Đã lưu 1 bản ghi từ bài viết.")

    page.locator("#intake-saved a").first.click()
    body = page.locator("body")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kỹ năng lồng ghép giới")
    expect(body).to_contain_text("21/05/2023")
    expect(body).to_contain_text("22/05/2023")
    expect(body).to_contain_text("1.250")
    activity = Activity.objects.get()
    assert activity.participants == 1250

    page.goto(reverse("orgunits:history", args=[province.pk]))
    row = page.locator("tr", has_text="Kỹ năng lồng ghép giới").first
    expect(row).to_contain_text("Nhập từ bài viết")
    expect(row).to_contain_text("tinh.nhaplieu")
