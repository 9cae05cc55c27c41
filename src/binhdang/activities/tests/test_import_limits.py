"""The activity import through the one pipeline (core.imports): text and date limits, the preview
as a rehearsal of the save, and a confirm step without a false "required" message."""

import pytest
from django.urls import reverse

from binhdang.activities import spreadsheets
from binhdang.activities.models import Activity
from binhdang.activities.views import SESSION_KEY

from .test_spreadsheets import good_row, problems, upload, workbook_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.security]


def test_a_100000_character_note_is_refused(personas, tree):
    found = problems(
        [good_row(tree["commune"], **{spreadsheets.NOTE: "x" * 100_000})],
        personas["commune_officer"],
    )
    assert found == ["Dòng 2, cột “Ghi chú”: dài quá 2000 ký tự."]


@pytest.mark.parametrize("start", ["15/03/1890", "01/01/2199"])
def test_a_start_date_far_in_the_past_or_future_is_refused(personas, tree, start):
    found = problems(
        [good_row(tree["commune"], **{spreadsheets.START: start})], personas["commune_officer"]
    )
    assert found[0].startswith(f"Dòng 2, cột “Ngày bắt đầu (dd/mm/yyyy)”: ngày {start} nằm ngoài")


def _page(client, unit, content):
    url = reverse("activities:import", args=[unit.pk])
    return client.post(url, {"file": upload(content)}).content.decode()


def test_what_the_preview_shows_as_new_the_save_takes(client, personas, tree):
    client.force_login(personas["commune_officer"])
    content = workbook_bytes(
        [good_row(tree["commune"]), good_row(tree["commune"], **{spreadsheets.TITLE: "Hội thảo"})]
    )
    page = _page(client, tree["commune"], content)
    assert 'id="preview"' in page and Activity.objects.count() == 0  # the rehearsal rolled back
    response = client.post(
        reverse("activities:import", args=[tree["commune"].pk]), {"confirm": "1"}
    )
    assert response.status_code == 302
    assert Activity.objects.count() == 2


def test_the_confirm_step_shows_no_false_required_message(client, personas, tree):
    client.force_login(personas["commune_officer"])
    _page(client, tree["commune"], workbook_bytes([good_row(tree["commune"])]))
    # The rows waiting in the session no longer pass the rules (as if they had changed since).
    session = client.session
    session[SESSION_KEY]["rows"][0]["women"] = 5000
    session.save()
    page = client.post(
        reverse("activities:import", args=[tree["commune"].pk]), {"confirm": "1"}
    ).content.decode()
    assert "Dòng 2" in page and 'id="problems"' in page
    assert "Trường này là bắt buộc" not in page
    assert Activity.objects.count() == 0
