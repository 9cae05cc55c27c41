"""Reports through the API: read, and moved only along the state machine's table
(`reporting.services.act`), by the unit (save, complete, submit) and by the unit above (return,
accept), with the submission's version guarding against a stale read."""

import pytest

from binhdang.indicators.services import active_lock
from binhdang.reporting.models import State
from binhdang.reporting.tests.conftest import open_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(personas, tree, catalogue):
    round = open_round(
        personas["province_approver"], tree["province"], units=[tree["commune"], tree["neighbour"]]
    )
    return round.submissions.get(unit=tree["commune"])


def _act(api, submission_id, **body):
    return api.post(f"/api/v1/reports/submissions/{submission_id}/actions", body)


def test_a_report_goes_up_and_is_accepted_through_the_api(personas, tree, submission, token_for):
    officer = token_for(personas["commune_officer"])
    approver = token_for(personas["province_approver"])
    read = officer.get(f"/api/v1/reports/submissions/{submission.pk}").json()
    assert read["state"] == State.DRAFT and "complete" in read["allowed_actions"]
    texts = {key: f"Nội dung {key}" for key in read["texts"]} or {
        s.key: f"Nội dung {s.title}" for s in submission.round.sections.all()
    }
    done = _act(officer, submission.pk, action="complete", version=read["version"], texts=texts)
    assert done.status_code == 200, done.content
    sent = _act(officer, submission.pk, action="submit", version=done.json()["version"])
    assert sent.status_code == 200 and sent.json()["state"] == State.SUBMITTED

    # The commune cannot accept its own report; the province approver can.
    refused = _act(officer, submission.pk, action="accept", version=sent.json()["version"])
    assert refused.status_code == 403
    accepted = _act(approver, submission.pk, action="accept", version=sent.json()["version"])
    assert accepted.status_code == 200 and accepted.json()["state"] == State.ACCEPTED
    assert active_lock(tree["commune"], 2025) is not None  # as on the page: figures locked


def test_a_stale_version_is_409_and_a_move_the_table_refuses_is_422(
    personas, submission, token_for
):
    officer = token_for(personas["commune_officer"])
    stale = _act(officer, submission.pk, action="save", version=submission.version + 5)
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    wrong = _act(officer, submission.pk, action="submit", version=submission.version)
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == "Hãy đánh dấu hoàn thành trước khi gửi báo cáo."
    returned = _act(
        token_for(personas["province_approver"]),
        submission.pk,
        action="return",
        version=submission.version,
        comment="",
    )
    assert returned.status_code == 422  # only a submitted report can be returned


def test_reports_outside_the_scope_are_404_and_lists_filter_by_unit_and_year(
    personas, tree, submission, token_for
):
    neighbour = token_for(personas["neighbour_officer"])
    assert neighbour.get(f"/api/v1/reports/submissions/{submission.pk}").status_code == 404
    assert _act(neighbour, submission.pk, action="save", version=1).status_code == 404
    listed = neighbour.get("/api/v1/reports/submissions").json()["items"]
    assert [s["unit_id"] for s in listed] == [tree["neighbour"].pk]
    approver = token_for(personas["province_approver"])
    assert approver.get("/api/v1/reports/submissions", {"year": 2025}).json()["count"] == 2
    assert approver.get("/api/v1/reports/submissions", {"year": 2024}).json()["count"] == 0
    only = approver.get("/api/v1/reports/submissions", {"unit": tree["commune"].pk}).json()
    assert [s["unit_id"] for s in only["items"]] == [tree["commune"].pk]
    rounds = approver.get("/api/v1/reports/rounds", {"unit": tree["province"].pk}).json()
    assert rounds["count"] == 1
