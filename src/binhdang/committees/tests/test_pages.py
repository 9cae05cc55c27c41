"""Committee pages: scope by URL, the reconstitution flow, files and downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from binhdang.committees.models import Committee, Decision, Role

from .conftest import D2

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _rows(committee):
    """The reconstitution form's POST data, as the page pre-fills it, with a new date."""
    client_rows = []
    for m in committee.memberships.current().select_related("person").order_by("pk"):
        client_rows.append(
            {
                "person_id": m.person_id,
                "full_name": m.person.full_name,
                "sex": m.person.sex,
                "role": m.role,
            }
        )
    return client_rows


def _post_data(rows, **decision):
    data = {
        "number": "45/QĐ-UBND",
        "date": D2.strftime("%d/%m/%Y"),
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        **decision,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def test_reconstitution_preview_then_confirm(client, personas, committee, tree):
    client.force_login(personas["province_admin"])
    url = reverse("committees:reconstitute", args=[committee.pk])
    page = client.get(url).content.decode()
    assert "Nguyễn Thị An" in page  # starts from the current members

    rows = _rows(committee)
    rows = [r for r in rows if r["full_name"] != "Phạm Văn Dũng"]
    next(r for r in rows if r["full_name"] == "Lê Thị Chi")["role"] = Role.VICE_CHAIR
    rows.append(
        {
            "full_name": "Võ Thị Em",
            "sex": "female",
            "role": Role.SECRETARY,
            "workplace": tree["commune"].pk,
        }
    )
    preview = client.post(url, _post_data(rows, preview="1")).content.decode()
    assert 'id="diff"' in preview and "Võ Thị Em" in preview and "Phạm Văn Dũng" in preview
    assert committee.decisions.count() == 1  # a preview writes nothing

    scan = SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf")
    data = _post_data(rows, confirm="1", issuing_unit=tree["province"].pk)
    done = client.post(url, {**data, "file": scan})
    assert done.status_code == 302
    decision = Decision.objects.get(number="45/QĐ-UBND")
    assert decision.file and decision.memberships.count() == 4
    assert decision.issuing_unit == tree["province"]
    assert decision.memberships.get(person__full_name="Võ Thị Em").person.unit == tree["commune"]


def test_rule_violation_is_shown_and_nothing_saved(client, personas, committee):
    client.force_login(personas["province_admin"])
    rows = _rows(committee)
    next(r for r in rows if r["full_name"] == "Lê Thị Chi")["role"] = Role.HEAD
    page = client.post(
        reverse("committees:reconstitute", args=[committee.pk]), _post_data(rows, confirm="1")
    )
    assert page.status_code == 200
    assert "Nguyễn Thị An" in page.content.decode()
    assert committee.decisions.count() == 1


def test_wrong_file_type_is_refused(client, personas, committee):
    client.force_login(personas["province_admin"])
    fake = SimpleUploadedFile("qd.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    decision = committee.decisions.get()
    client.post(reverse("committees:attach_file", args=[decision.pk]), {"file": fake})
    decision.refresh_from_db()
    assert not decision.file


def test_decision_file_served_only_within_scope(client, personas, committee, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(personas["province_admin"])
    decision = committee.decisions.get()
    client.post(
        reverse("committees:attach_file", args=[decision.pk]),
        {"file": SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf")},
    )
    decision.refresh_from_db()
    assert decision.file.name.startswith("decisions/")
    url = reverse("committees:decision_file", args=[decision.pk])
    assert b"".join(client.get(url).streaming_content) == PDF
    client.force_login(personas["ministry_officer"])
    assert client.get(url).status_code == 404
    client.force_login(personas["commune_officer"])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "view_status", "edit_status"),
    [
        ("province_viewer", 200, 403),
        ("province_admin", 200, 200),
        ("commune_officer", 404, 404),
        ("ministry_officer", 404, 404),
        ("system_admin", 200, 200),
    ],
)
def test_committee_pages_by_url(client, personas, committee, persona, view_status, edit_status):
    client.force_login(personas[persona])
    for name in ("detail", "handover", "export_xlsx", "export_docx", "template"):
        assert client.get(reverse(f"committees:{name}", args=[committee.pk])).status_code == (
            view_status
        ), name
    for name in ("reconstitute", "edit", "import"):
        assert client.get(reverse(f"committees:{name}", args=[committee.pk])).status_code == (
            edit_status
        ), name


def test_committee_page_shows_members_on_a_date_and_warnings(client, personas, committee):
    client.force_login(personas["province_viewer"])
    url = reverse("committees:detail", args=[committee.pk])
    page = client.get(url).content.decode()
    assert "Nguyễn Thị An" in page and "12/QĐ-UBND" in page
    assert "không có tệp" in page.lower() or "chưa có tệp" in page.lower()
    before = client.get(url, {"on": "01/01/2020"}).content.decode()
    assert "Nguyễn Thị An" not in before
    bad = client.get(url, {"on": "31/02/2024"})
    assert bad.status_code == 200


def test_record_a_committee_from_the_unit_page(client, personas, tree):
    client.force_login(personas["commune_officer"])
    page = client.get(reverse("committees:unit", args=[tree["commune"].pk])).content.decode()
    assert reverse("committees:create", args=[tree["commune"].pk]) in page
    response = client.post(
        reverse("committees:create", args=[tree["commune"].pk]),
        {"name": "Ban VSTBPN xã", "standing_unit": ""},
    )
    committee = Committee.objects.get(unit=tree["commune"])
    assert response["Location"] == reverse("committees:reconstitute", args=[committee.pk])
    assert (
        client.post(
            reverse("committees:create", args=[tree["neighbour"].pk]), {"name": "X"}
        ).status_code
        == 404
    )


def test_coverage_lists_units_with_and_without_committee(client, personas, committee, tree):
    client.force_login(personas["province_viewer"])
    page = client.get(reverse("committees:coverage", args=[tree["nation"].pk]))
    assert page.status_code == 404
    page = client.get(
        reverse("committees:coverage", args=[tree["province"].pk]), {"level": 4}
    ).content.decode()
    assert tree["commune"].name in page and "chưa có Ban" in page
    assert (
        reverse("committees:detail", args=[committee.pk])
        in client.get(
            reverse("committees:coverage", args=[tree["province"].pk]), {"level": 2}
        ).content.decode()
    )


def _xlsx(rows) -> bytes:
    import io

    from openpyxl import Workbook

    from binhdang.committees.spreadsheets import HEADERS

    book = Workbook()
    sheet = book.active
    sheet.title = "Thành viên"
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row + [None] * (len(HEADERS) - len(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_page_all_or_nothing(client, personas, committee):
    client.force_login(personas["province_admin"])
    url = reverse("committees:import", args=[committee.pk])
    before = committee.memberships.count()
    bad = _xlsx(
        [["Võ Thị Em", "Nữ", "", "", "Ủy viên"], ["Hồ Văn Phong", "Nam", "", "", "Chủ tịch"]]
    )
    page = client.post(url, {"file": SimpleUploadedFile("ds.xlsx", bad)}).content.decode()
    assert "Dòng 3" in page and "Chủ tịch" in page
    assert committee.memberships.count() == before
    good = _xlsx(
        [["Võ Thị Em", "Nữ", "", "", "Ủy viên"], ["Hồ Văn Phong", "Nam", "", "", "Ủy viên"]]
    )
    response = client.post(url, {"file": SimpleUploadedFile("ds.xlsx", good)})
    assert response.status_code == 302
    assert committee.memberships.count() == before + 2
    not_excel = client.post(url, {"file": SimpleUploadedFile("ds.xlsx", PDF)}).content.decode()
    assert "Excel" in not_excel and committee.memberships.count() == before + 2


def test_oversized_or_wrong_type_scans_are_refused_in_vietnamese(personas, committee, settings):
    from django.core.exceptions import ValidationError

    from binhdang.committees import services

    settings.DECISION_FILE_MAX_MB = 1
    decision = committee.decisions.get()
    big = SimpleUploadedFile("qd.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.attach_decision_file(personas["province_admin"], decision, big)
    assert "lớn hơn 1 MB" in " ".join(error.value.messages)
    exe = SimpleUploadedFile("qd.png", b"MZ\x90\x00", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.attach_decision_file(personas["province_admin"], decision, exe)
    assert "PDF" in " ".join(error.value.messages)
    png = SimpleUploadedFile("qd.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10, content_type="image/png")
    services.attach_decision_file(personas["province_admin"], decision, png)
    decision.refresh_from_db()
    assert decision.file.name.endswith(".png")
