"""Uploaded files cannot attack whoever opens them: the type comes from the content, pages and
scripts are refused whatever their first bytes, the stored name is the platform's, and the file
is served with its exact type, `nosniff` and a sandbox."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binhdang.committees import services as committees
from binhdang.core import uploads
from binhdang.plans import services as plans
from binhdang.plans.models import TaskUpdate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
HTML_IN_PDF = b"%PDF-1.4\n<script>window.pwned = 1; alert(document.cookie)</script>\n"
HTML_IN_JPEG = JPEG + b"<html><body><script>fetch('/accounts/calendar/')</script></body></html>"


def _zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


DOCX = _zip("[Content_Types].xml", "word/document.xml")
XLSX = _zip("[Content_Types].xml", "xl/workbook.xml")


@pytest.mark.parametrize(
    "content",
    [
        HTML_IN_PDF,
        HTML_IN_JPEG,
        PNG + b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        PDF + b"<!DOCTYPE html><p>hi</p>",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"<html><script>alert(1)</script></html>",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32,  # an old .doc: macros, refused
        _zip("payload.exe"),
        b"",
    ],
)
def test_pages_scripts_and_unknown_types_are_refused(content):
    assert uploads.detect(io.BytesIO(content)) is None
    with pytest.raises(ValidationError):
        uploads.check(SimpleUploadedFile("x.pdf", content))


@pytest.mark.parametrize(
    ("content", "kind"),
    [(PDF, uploads.PDF), (PNG, uploads.PNG), (JPEG, uploads.JPEG), (DOCX, uploads.DOCX)]
    + [(XLSX, uploads.XLSX)],
)
def test_accepted_types_are_read_from_content(content, kind):
    assert uploads.detect(io.BytesIO(content)) == kind


def test_html_evidence_behind_pdf_bytes_is_refused(personas, province_task):
    """The reported attack: task evidence `minh-chung.html` starting with %PDF-1.4 then a script."""
    with pytest.raises(ValidationError) as error:
        plans.add_update(
            personas["commune_officer"],
            province_task,
            text="Đã tập huấn",
            file=SimpleUploadedFile("minh-chung.html", HTML_IN_PDF, content_type="text/html"),
        )
    assert error.value.message_dict["file"] == [
        "Chỉ nhận tệp PDF, Word (DOCX) hoặc ảnh (PNG, JPEG)."
    ]
    assert not TaskUpdate.objects.exists()


def test_htm_scan_behind_jpeg_bytes_is_refused(personas, province_decision):
    """The reported attack: a decision "scan" `.htm` starting with JPEG bytes."""
    with pytest.raises(ValidationError) as error:
        committees.attach_decision_file(
            personas["province_admin"],
            province_decision,
            SimpleUploadedFile("scan.htm", HTML_IN_JPEG, content_type="text/html"),
        )
    assert error.value.message_dict["file"] == ["Chỉ chấp nhận tệp PDF hoặc ảnh (PNG, JPEG)."]
    province_decision.refresh_from_db()
    assert not province_decision.file


def test_the_page_refuses_the_evidence_in_vietnamese(client, personas, province_task):
    client.force_login(personas["commune_officer"])
    url = reverse("plans:task_update", args=[province_task.pk])
    page = client.post(
        url,
        {
            "date": "10/03/2026",
            "text": "Đã tập huấn",
            "file": SimpleUploadedFile("minh-chung.html", HTML_IN_PDF),
        },
    )
    assert "Chỉ nhận tệp PDF, Word (DOCX) hoặc ảnh (PNG, JPEG)." in page.content.decode()
    assert not TaskUpdate.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("minh-chung.html", PDF, uploads.PDF),  # a real PDF under a page's name
        ("anh.svg", PNG, uploads.PNG),
        ("bao-cao.exe", DOCX, uploads.DOCX),
    ],
)
def test_stored_name_and_served_type_come_from_the_content(
    client, personas, province_task, name, content, kind
):
    update = plans.add_update(
        personas["commune_officer"],
        province_task,
        text="Đã tập huấn",
        file=SimpleUploadedFile(name, content, content_type="text/html"),
    )
    assert update.file.name.startswith(f"task-evidence/{province_task.lead_unit_id}/")
    assert update.file.name.endswith(f".{kind.extension}")
    assert name.rsplit(".", 1)[0] not in update.file.name

    client.force_login(personas["province_approver"])
    response = client.get(reverse("plans:update_file", args=[update.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == kind.content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline" if kind.inline else "attachment")
    assert f'.{kind.extension}"' in disposition
    assert b"".join(response.streaming_content) == content


def test_a_decision_scan_is_served_inline_as_its_type(client, personas, province_decision):
    committees.attach_decision_file(
        personas["province_admin"], province_decision, SimpleUploadedFile("qd.htm", JPEG)
    )
    province_decision.refresh_from_db()
    assert province_decision.file.name.endswith(".jpg")
    client.force_login(personas["province_viewer"])
    response = client.get(reverse("committees:decision_file", args=[province_decision.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_a_file_stored_before_the_check_is_served_by_its_content(client, personas, province_task):
    """Files stored under the uploader's extension keep working, typed by what they hold; one
    that turns out to be a page is only ever downloaded, as an opaque file."""
    from django.core.files.base import ContentFile

    update = plans.add_update(personas["commune_officer"], province_task, text="Cũ")
    update.file.save("old.html", ContentFile(HTML_IN_PDF), save=True)
    client.force_login(personas["province_approver"])
    response = client.get(reverse("plans:update_file", args=[update.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"

    update.file.save("old.pdf", ContentFile(PDF), save=True)
    response = client.get(reverse("plans:update_file", args=[update.pk]))
    assert response["Content-Type"] == "application/pdf"

    # An old Word file, accepted before: still downloaded as one.
    update.file.save("old.doc", ContentFile(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 32))
    response = client.get(reverse("plans:update_file", args=[update.pk]))
    assert response["Content-Type"] == "application/msword"
    assert response["Content-Disposition"].startswith("attachment")
    assert f'minh-chung-{update.pk}.doc"' in response["Content-Disposition"]


def test_a_missing_file_is_a_vietnamese_404(client, personas, province_task, province_decision):
    update = plans.add_update(
        personas["commune_officer"],
        province_task,
        text="Đã tập huấn",
        file=SimpleUploadedFile("a.pdf", PDF),
    )
    committees.attach_decision_file(
        personas["province_admin"], province_decision, SimpleUploadedFile("qd.pdf", PDF)
    )
    province_decision.refresh_from_db()
    update.file.storage.delete(update.file.name)
    province_decision.file.storage.delete(province_decision.file.name)
    client.force_login(personas["province_admin"])
    for url in (
        reverse("plans:update_file", args=[update.pk]),
        reverse("committees:decision_file", args=[province_decision.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert "Tệp này không còn trên máy chủ." in response.content.decode()
