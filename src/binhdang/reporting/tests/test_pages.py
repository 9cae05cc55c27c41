"""Reporting pages: scope on every URL (404 outside, 403 for a too-low role), the forms and
buttons of each state, and refusals shown in Vietnamese with nothing changed."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.orgunits.models import Level
from binhdang.reporting import narrative, services
from binhdang.reporting.models import ReportingRound, SectionText, State, Submission

from .conftest import DEADLINE, OPENED, fresh, send_up

pytestmark = pytest.mark.django_db


def _url(name, obj):
    return reverse(f"reporting:{name}", args=[obj.pk])


@pytest.fixture
def outsider(tree):
    return make_user("hanoi_approver", tree["other_province"], Role.APPROVER)


def _form_data(submission, action, **texts):
    data = {"action": action, "version": submission.version, "pending_explanation": ""}
    for section in submission.round.sections.all():
        data[f"section_{section.pk}"] = texts.get(section.key, f"Nội dung {section.title}")
    return data


# ---------------------------------------------------------------------------------------------
# Scope of every page.


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("province_viewer", 200),
        ("province_approver", 200),
        ("commune_officer", 200),  # its unit is asked
        ("system_admin", 200),
        ("neighbour_officer", 200),  # also asked
        ("ministry_officer", 404),
        ("outsider", 404),
    ],
)
def test_round_pages_scope(client, personas, outsider, province_round, who, status):
    user = outsider if who == "outsider" else personas[who]
    client.force_login(user)
    assert client.get(_url("round", province_round)).status_code == status
    assert client.get(_url("missing", province_round)).status_code == status


def test_a_unit_sees_only_its_own_part_of_the_round(client, personas, province_round, tree):
    client.force_login(personas["commune_officer"])
    page = client.get(_url("round", province_round)).content.decode()
    assert tree["commune"].name in page
    assert tree["neighbour"].name not in page
    # Drilling into a unit outside the scope is a 404.
    response = client.get(_url("round", province_round) + f"?within={tree['province'].pk}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("commune_officer", 200),
        ("province_viewer", 200),
        ("province_approver", 200),
        ("neighbour_officer", 404),
        ("ministry_officer", 404),
        ("outsider", 404),
    ],
)
def test_submission_page_scope(client, personas, outsider, commune_submission, who, status):
    user = outsider if who == "outsider" else personas[who]
    client.force_login(user)
    assert client.get(_url("submission", commune_submission)).status_code == status


def test_open_round_page_scope(client, personas, outsider, tree, catalogue):
    url = reverse("reporting:open", args=[tree["province"].pk])
    client.force_login(personas["province_approver"])
    assert client.get(url).status_code == 200
    client.force_login(personas["province_viewer"])
    assert client.get(url).status_code == 403
    client.force_login(personas["commune_officer"])
    assert client.get(url).status_code == 404  # the province is above the commune's scope
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    # A commune does not open rounds.
    commune_approver = make_user("commune_approver", tree["commune"], Role.APPROVER)
    client.force_login(commune_approver)
    assert client.get(reverse("reporting:open", args=[tree["commune"].pk])).status_code == 403


def test_posting_as_a_viewer_is_forbidden(client, personas, commune_submission):
    client.force_login(personas["province_viewer"])
    response = client.post(
        _url("submission", commune_submission), _form_data(commune_submission, "save")
    )
    assert response.status_code == 403
    response = client.post(
        _url("submission", commune_submission),
        {"action": "return", "version": commune_submission.version, "comment": "x"},
    )
    assert response.status_code == 403
    assert not SectionText.objects.exists()


def test_the_commune_cannot_review_its_own_report(client, personas, commune_submission, tree):
    commune_approver = make_user("commune_approver", tree["commune"], Role.APPROVER)
    submitted = send_up(personas["commune_officer"], commune_submission)
    client.force_login(commune_approver)
    page = client.get(_url("submission", submitted)).content.decode()
    assert 'value="accept"' not in page
    response = client.post(
        _url("submission", submitted), {"action": "accept", "version": submitted.version}
    )
    assert response.status_code == 403
    assert fresh(submitted).state == State.SUBMITTED


# ---------------------------------------------------------------------------------------------
# Home and opening.


def test_home_lists_what_is_due_and_what_was_opened(client, personas, province_round):
    client.force_login(personas["commune_officer"])
    page = client.get(reverse("reporting:home")).content.decode()
    assert province_round.name in page and 'id="due"' in page
    client.force_login(personas["province_approver"])
    page = client.get(reverse("reporting:home")).content.decode()
    assert 'id="opened"' in page and "0/2" in page
    assert "Mở kỳ báo cáo" in page


def test_home_without_rounds_explains(client, personas):
    client.force_login(personas["commune_officer"])
    page = client.get(reverse("reporting:home")).content.decode()
    assert "Chưa có kỳ báo cáo nào" in page


def test_awaiting_review_on_the_reviewers_home(client, personas, commune_submission):
    send_up(personas["commune_officer"], commune_submission)
    client.force_login(personas["province_approver"])
    page = client.get(reverse("reporting:home")).content.decode()
    assert 'id="awaiting"' in page and commune_submission.unit.name in page


def test_opening_a_round_through_the_form(
    client, personas, tree, catalogue, mailoutbox, django_capture_on_commit_callbacks
):
    personas["commune_officer"].email = "xa@example.vn"
    personas["commune_officer"].save()
    client.force_login(personas["province_approver"])
    url = reverse("reporting:open", args=[tree["province"].pk])
    page = client.get(url).content.decode()
    assert "Kết quả đạt được" in page and "Phương hướng, nhiệm vụ năm tới" in page
    data = {
        "name": "Báo cáo sơ kết 6 tháng đầu năm 2026",
        "kind": "interim",
        "year": "2026",
        "period_start": "01/01/2026",
        "period_end": "30/06/2026",
        "deadline": "15/07/2026",
        "mode": "units",
        "units": [tree["commune"].pk, tree["neighbour"].pk],
        "indicators": [catalogue["1.1"].pk, catalogue["2.1"].pk],
        "section_1": "Kết quả đạt được",
        "limit_1": "5000",
        "section_2": "Kiến nghị",
        "limit_2": "",
    }
    with (
        time_machine.travel(datetime.datetime(2026, 7, 1, 8), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, data)
    round = ReportingRound.objects.get()
    assert response.status_code == 302 and response["Location"] == round.get_absolute_url()
    assert round.kind == "interim" and round.deadline == datetime.date(2026, 7, 15)
    assert [(s.title, s.max_length) for s in round.sections.all()] == [
        ("Kết quả đạt được", 5000),
        ("Kiến nghị", 20000),
    ]
    assert round.indicators.count() == 2 and round.submissions.count() == 2
    assert [m.to for m in mailoutbox] == [["xa@example.vn"]]
    assert "Báo cáo sơ kết 6 tháng đầu năm 2026" in mailoutbox[0].subject
    assert f"/reports/submissions/{round.submissions.get(unit=tree['commune']).pk}/" in (
        mailoutbox[0].body
    )


def test_opening_a_round_with_bad_input_shows_why(client, personas, tree, catalogue):
    client.force_login(personas["province_approver"])
    url = reverse("reporting:open", args=[tree["province"].pk])
    with time_machine.travel(OPENED, tick=False):
        response = client.post(
            url,
            {
                "name": "Báo cáo năm 2025",
                "kind": "annual",
                "year": "2025",
                "period_start": "01/01/2025",
                "period_end": "31/12/2025",
                "deadline": "30/11/2025",  # already past
                "mode": "levels",
                "levels": [Level.COMMUNE],
                "section_1": "Kết quả",
                "limit_1": "20000",
            },
        )
    assert response.status_code == 200
    assert "Hạn nộp đã qua" in response.content.decode()
    assert not ReportingRound.objects.exists()


# ---------------------------------------------------------------------------------------------
# Writing and reviewing through the page.


def test_the_submission_page_offers_the_states_buttons(client, personas, commune_submission):
    client.force_login(personas["commune_officer"])
    url = _url("submission", commune_submission)
    page = client.get(url).content.decode()
    assert "Lưu nháp" in page and "Đánh dấu hoàn thành" in page
    assert 'value="submit"' not in page
    response = client.post(url, _form_data(commune_submission, "complete"))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Gửi báo cáo" in page
    response = client.post(url, _form_data(fresh(commune_submission), "submit"))
    assert response.status_code == 302 and fresh(commune_submission).state == State.SUBMITTED
    page = client.get(url).content.decode()
    assert "Lưu nháp" not in page and 'value="submit"' not in page
    assert "Nội dung Kết quả đạt được" in page


def test_a_reviewer_returns_accepts_and_unlocks_through_the_page(
    client, personas, commune_submission
):
    submitted = send_up(personas["commune_officer"], commune_submission)
    url = _url("submission", submitted)
    client.force_login(personas["province_approver"])
    page = client.get(url).content.decode()
    assert "Trả lại" in page and "Tiếp nhận" in page
    response = client.post(url, {"action": "return", "version": submitted.version, "comment": ""})
    assert response.status_code == 200 and fresh(submitted).state == State.SUBMITTED
    response = client.post(
        url, {"action": "return", "version": submitted.version, "comment": "Thiếu số liệu 2.1"}
    )
    assert response.status_code == 302 and fresh(submitted).state == State.RETURNED

    client.force_login(personas["commune_officer"])
    page = client.get(url).content.decode()
    assert "Thiếu số liệu 2.1" in page
    client.post(url, _form_data(fresh(submitted), "save", **{"ket-qua": "Đã bổ sung 2.1"}))
    client.post(url, _form_data(fresh(submitted), "submit", **{"ket-qua": "Đã bổ sung 2.1"}))
    assert fresh(submitted).state == State.SUBMITTED
    page = client.get(url).content.decode()
    assert "sửa 1 lần sau khi gửi" in page

    client.force_login(personas["province_approver"])
    client.post(url, {"action": "accept", "version": fresh(submitted).version, "comment": ""})
    assert fresh(submitted).state == State.ACCEPTED
    page = client.get(url).content.decode()
    assert "Mở khóa" in page
    response = client.post(url, {"action": "unlock", "version": fresh(submitted).version})
    assert response.status_code == 200 and fresh(submitted).state == State.ACCEPTED
    client.post(
        url,
        {"action": "unlock", "version": fresh(submitted).version, "comment": "Điều chỉnh 1.1"},
    )
    assert fresh(submitted).state == State.RETURNED
    page = client.get(url).content.decode()
    assert "Điều chỉnh 1.1" in page and 'id="history"' in page


def test_a_stale_page_keeps_the_text_and_says_reload(client, personas, commune_submission):
    client.force_login(personas["commune_officer"])
    url = _url("submission", commune_submission)
    stale = _form_data(commune_submission, "save", **{"ket-qua": "Bản thứ hai"})
    client.post(url, _form_data(commune_submission, "save", **{"ket-qua": "Bản thứ nhất"}))
    response = client.post(url, stale)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Báo cáo đã được người khác cập nhật, vui lòng tải lại" in page
    assert "Bản thứ hai" in page  # what the user typed is still on the page
    saved = SectionText.objects.get(submission=commune_submission, section__key="ket-qua")
    assert saved.text == "Bản thứ nhất"


def test_a_section_over_the_limit_is_shown_and_not_saved(client, personas, commune_submission):
    client.force_login(personas["commune_officer"])
    response = client.post(
        _url("submission", commune_submission),
        _form_data(commune_submission, "save", **{"ket-qua": "x" * 20_001}),
    )
    assert response.status_code == 200
    assert "giới hạn là 20.000" in response.content.decode()
    assert not SectionText.objects.exists()
    assert fresh(commune_submission).version == commune_submission.version


def test_an_unknown_action_is_a_404(client, personas, commune_submission):
    client.force_login(personas["commune_officer"])
    response = client.post(_url("submission", commune_submission), {"action": "delete"})
    assert response.status_code == 404


def test_figures_come_from_the_indicator_data(
    client, personas, commune_submission, catalogue, tree
):
    from binhdang.indicators.services import record_value

    record_value(
        personas["commune_officer"],
        catalogue["1.1"],
        tree["commune"],
        2025,
        numerator=1,
        denominator=1,
    )
    client.force_login(personas["commune_officer"])
    page = client.get(_url("submission", commune_submission)).content.decode()
    assert 'id="figures"' in page and "Nhập số liệu" in page
    assert f"/indicators/units/{tree['commune'].pk}/enter/?year=2025" in page


# ---------------------------------------------------------------------------------------------
# Who has not reported, reminders, round management.


def test_who_has_not_reported_with_contacts_and_reminder(
    client, personas, province_round, tree, mailoutbox, django_capture_on_commit_callbacks
):
    officer = personas["neighbour_officer"]
    officer.email, officer.phone = "lang.gieng@example.vn", "0255 3822 111"
    officer.save()
    send_up(personas["commune_officer"], province_round.submissions.get(unit=tree["commune"]))
    client.force_login(personas["province_approver"])
    page = client.get(_url("missing", province_round)).content.decode()
    assert tree["neighbour"].name in page and tree["commune"].name not in page
    assert "lang.gieng@example.vn" in page and "0255 3822 111" in page
    neighbour = province_round.submissions.get(unit=tree["neighbour"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("remind", neighbour), follow=True)
    assert "Đã gửi lời nhắc" in response.content.decode()
    assert [m.to for m in mailoutbox] == [["lang.gieng@example.vn"]]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("remind", neighbour), follow=True)
    assert "đã được nhắc hôm nay" in response.content.decode()
    assert len(mailoutbox) == 1
    page = client.get(_url("missing", province_round)).content.decode()
    assert "đã nhắc hôm nay" in page


def test_reminding_is_for_those_above_the_unit(client, personas, outsider, commune_submission):
    client.force_login(personas["commune_officer"])
    assert client.post(_url("remind", commune_submission)).status_code == 403
    client.force_login(outsider)
    assert client.post(_url("remind", commune_submission)).status_code == 404
    client.force_login(personas["province_viewer"])
    assert client.post(_url("remind", commune_submission)).status_code == 403
    assert not commune_submission.reminders.exists()


def test_closing_reopening_and_extending_a_round(client, personas, province_round):
    client.force_login(personas["province_viewer"])
    assert client.post(_url("close", province_round)).status_code == 403
    client.force_login(personas["province_approver"])
    client.post(_url("close", province_round))
    assert not ReportingRound.objects.get().is_open
    client.post(_url("reopen", province_round))
    assert ReportingRound.objects.get().is_open
    with time_machine.travel(OPENED, tick=False):
        client.post(_url("deadline", province_round), {"deadline": "22/12/2025"})
        response = client.post(
            _url("deadline", province_round), {"deadline": "01/01/2020"}, follow=True
        )
    assert "Hạn nộp đã qua" in response.content.decode()
    assert ReportingRound.objects.get().deadline == datetime.date(2025, 12, 22) != DEADLINE


def test_the_round_page_filters_and_breaks_down(client, personas, province_round, tree):
    send_up(personas["commune_officer"], province_round.submissions.get(unit=tree["commune"]))
    client.force_login(personas["province_approver"])
    url = _url("round", province_round)
    page = client.get(url).content.decode()
    assert 'id="rates"' in page
    assert 'id="by-subunit"' not in page  # one row per commune would repeat the list
    page = client.get(url + "?state=missing").content.decode()
    table = page.split('id="submissions"')[1]
    assert tree["neighbour"].name in table and tree["commune"].name not in table
    page = client.get(url + "?state=submitted").content.decode()
    table = page.split('id="submissions"')[1]
    assert tree["commune"].name in table and tree["neighbour"].name not in table


def test_the_word_button_starts_the_consolidated_report(client, personas, province_round):
    client.force_login(personas["province_approver"])
    page = client.get(_url("round", province_round)).content.decode()
    assert "Tải báo cáo (Word)" in page
    response = client.post(_url("word", province_round))
    assert response.status_code == 302
    assert response["Location"].startswith("/jobs/")
    client.force_login(personas["neighbour_officer"])
    assert client.post(_url("word", province_round)).status_code == 404


def test_nothing_is_written_by_a_get(client, personas, commune_submission):
    client.force_login(personas["commune_officer"])
    client.get(_url("submission", commune_submission) + "?action=submit")
    assert Submission.objects.get(pk=commune_submission.pk).version == commune_submission.version
    assert services.allowed_actions(State.DRAFT) == [services.Action.SAVE, services.Action.COMPLETE]


def test_unit_ids_in_forms_and_links_are_not_written_as_numbers(client, personas, tree):
    """A unit's id past 999 must not reach a form as "1.234" (the Vietnamese number format)."""
    from binhdang.orgunits.models import OrgUnit

    commune = OrgUnit.objects.subtree(tree["province"]).filter(pk__gt=999).live().first()
    client.force_login(personas["province_viewer"])
    page = client.get(reverse("activities:calendar") + f"?unit={commune.pk}").content.decode()
    assert f'name="unit" value="{commune.pk}"' in page


def test_unwritten_sections_open_with_a_draft_from_the_data(client, personas, commune_submission):
    """The unit's officer finds a first draft in each section it has not written, marked as
    not saved; a written section keeps its text; a reader who cannot write sees no draft."""
    officer = personas["commune_officer"]
    services.act(
        officer,
        commune_submission,
        services.Action.SAVE,
        version=commune_submission.version,
        texts={"ket-qua": "Chúng tôi đã tổ chức 3 hội nghị."},
    )
    url = _url("submission", commune_submission)
    client.force_login(officer)
    page = client.get(url).content.decode()
    drafts = narrative.draft_sections(commune_submission.round, commune_submission.unit)
    limits = next(text for title, text in drafts.items() if title.startswith("Hạn chế"))
    assert limits and html.escape(limits) in page
    assert 'id="drafted-han-che"' in page and 'id="drafted-ket-qua"' not in page
    assert "Chúng tôi đã tổ chức 3 hội nghị." in page
    # Nothing is written by showing a draft.
    assert SectionText.objects.filter(submission=commune_submission).count() == 1

    client.force_login(personas["province_viewer"])
    page = client.get(url).content.decode()
    assert 'id="drafted-' not in page and html.escape(limits) not in page
