"""In a real browser: the HTML-in-PDF evidence is refused at upload, and a file that got in before
the check (or hides its script past what is read) runs no script when the province's approver
opens it."""

import datetime

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from binhdang.accounts.models import Role
from binhdang.conftest import log_in, make_user
from binhdang.orgunits.models import OrgUnit
from binhdang.plans import services
from binhdang.plans.models import TaskUpdate

SCRIPT = b"<html><body><script>window.pwned = 1; alert(document.cookie)</script></body></html>"
HTML_IN_PDF = b"%PDF-1.4\n" + SCRIPT
# A JPEG whose script starts beyond the part read for detection: served as an image, it cannot run.
LATE_SCRIPT_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 70_000 + SCRIPT


@pytest.fixture
def people(live_map):
    province = OrgUnit.objects.get(code="P51")
    commune = province.children.live().filter(level=4).order_by("official_code").first()
    admin = make_user("qngai.quantri", province, Role.UNIT_ADMIN)
    task = services.create_task(
        admin,
        assigned_by=province,
        lead_unit=commune,
        title="Tập huấn lồng ghép giới cho cán bộ xã",
        deadline=datetime.date(2030, 3, 31),
    )
    return {
        "officer": make_user("xa.nhaplieu", commune, Role.DATA_OFFICER),
        "approver": make_user("qngai.pheduyet", province, Role.APPROVER),
        "task": task,
    }


def _planted(people, name: str, content: bytes) -> TaskUpdate:
    """An update whose file was stored before uploads were checked (as the old code allowed)."""
    update = services.add_update(people["officer"], people["task"], text="Báo cáo cũ")
    update.file.save(name, ContentFile(content), save=True)
    return update


def test_html_in_pdf_evidence_runs_no_script_for_the_approver(page, people):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    task = people["task"]

    # The officer tries to report progress with `minh-chung.html` (PDF bytes, then a script).
    log_in(page, "xa.nhaplieu")
    page.goto(f"/plans/tasks/{task.pk}/update/")
    page.get_by_label("Kết quả thực hiện").fill("Đã tập huấn 40 cán bộ")
    page.locator("input[type=file]").set_input_files(
        {"name": "minh-chung.html", "mimeType": "text/html", "buffer": HTML_IN_PDF}
    )
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".invalid-feedback")).to_contain_text(
        "Chỉ nhận tệp PDF, Word (DOCX) hoặc ảnh (PNG, JPEG)."
    )
    assert not TaskUpdate.objects.filter(task=task).exists()

    # Files stored before the check: the approver opens them from the task page.
    old = _planted(people, "minh-chung.html", HTML_IN_PDF)
    late = _planted(people, "anh.htm", LATE_SCRIPT_JPEG)
    page.context.clear_cookies()
    log_in(page, "qngai.pheduyet")
    page.goto(f"/plans/tasks/{task.pk}/")
    with page.expect_download() as download:
        page.locator(f"a[href='/plans/updates/{old.pk}/file/']").click()
    assert download.value.suggested_filename.endswith(".bin")  # opaque, never a page

    response = page.goto(f"/plans/updates/{late.pk}/file/")
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.pwned") == "undefined"

    page.goto(f"/plans/tasks/{task.pk}/")
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert dialogs == []
