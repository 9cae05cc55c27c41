"""The submission state machine: every allowed and every refused transition, locks, the upward
rule, concurrency and bad input. Refusals are checked to change nothing."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.indicators import services as indicator_services
from binhdang.indicators.models import DataValue
from binhdang.orgunits.models import Level
from binhdang.reporting import services
from binhdang.reporting.models import (
    EventKind,
    SectionText,
    State,
    Submission,
    SubmissionEvent,
)
from binhdang.reporting.services import TRANSITIONS, Action

from .conftest import FIRST_LATE, complete, fresh, open_round, send_up, texts

pytestmark = pytest.mark.django_db


def _snapshot(submission):
    s = fresh(submission)
    return (
        s.state,
        s.version,
        s.first_submitted_at,
        s.edits_after_submission,
        s.pending_explanation,
        sorted(SectionText.objects.filter(submission=s).values_list("section__key", "text")),
        SubmissionEvent.objects.filter(submission=s).count(),
    )


def _put_in_state(submission, state, reviewer):
    """Bring a submission to `state` directly (texts written; a lock when accepted)."""
    for section in submission.round.sections.all():
        SectionText.objects.update_or_create(
            submission=submission, section=section, defaults={"text": f"Viết {section.title}"}
        )
    submitted = state in (State.SUBMITTED, State.RETURNED, State.ACCEPTED)
    Submission.objects.filter(pk=submission.pk).update(
        state=state,
        first_submitted_at=submission.round.cutoff - datetime.timedelta(days=1)
        if submitted
        else None,
    )
    if state == State.ACCEPTED:
        indicator_services.lock_year(reviewer, submission.unit, submission.round.year, "test")
    return fresh(submission)


def _actor(action, personas):
    return (
        personas["province_approver"]
        if action in services.REVIEW_ACTIONS
        else personas["commune_officer"]
    )


def _kwargs(action, submission):
    if action in services.UNIT_ACTIONS:
        return {"texts": texts(submission, "Sửa")}
    return {"comment": "Ý kiến của người duyệt"}


@pytest.mark.parametrize(("action", "before"), list(TRANSITIONS))
def test_every_allowed_transition(action, before, commune_submission, personas):
    submission = _put_in_state(commune_submission, before, personas["province_approver"])
    result = services.act(
        _actor(action, personas),
        submission,
        action,
        version=submission.version,
        **_kwargs(action, submission),
    )
    assert result.state == TRANSITIONS[(action, before)]
    assert fresh(submission).state == TRANSITIONS[(action, before)]
    assert fresh(submission).version == submission.version + 1


REFUSED = [
    (action, state)
    for action, state in itertools.product(Action, State)
    if (action, state) not in TRANSITIONS
]


@pytest.mark.parametrize(("action", "before"), REFUSED)
def test_every_refused_transition_changes_nothing(action, before, commune_submission, personas):
    submission = _put_in_state(commune_submission, before, personas["province_approver"])
    was = _snapshot(submission)
    with pytest.raises(ValidationError) as error:
        services.act(
            _actor(action, personas),
            submission,
            action,
            version=submission.version,
            **_kwargs(action, submission),
        )
    assert error.value.messages[0]  # a sentence for the user
    assert _snapshot(submission) == was


def test_the_whole_round_trip(commune_submission, personas, province_round):
    officer, approver = personas["commune_officer"], personas["province_approver"]
    draft = services.save_draft(
        officer,
        commune_submission,
        version=commune_submission.version,
        texts={"ket-qua": "Tổ chức 3 hội nghị tuyên truyền."},
    )
    assert draft.state == State.DRAFT and draft.edits_after_submission == 0
    submitted = send_up(officer, draft)
    assert submitted.state == State.SUBMITTED and submitted.first_submitted_at
    returned = services.return_submission(
        approver, submitted, version=submitted.version, comment="Bổ sung số liệu tập huấn."
    )
    assert returned.state == State.RETURNED
    corrected = services.save_draft(
        officer,
        returned,
        version=returned.version,
        texts={"ket-qua": "Tổ chức 3 hội nghị và 2 lớp tập huấn."},
    )
    assert corrected.edits_after_submission == 1
    resubmitted = services.submit(officer, corrected, version=corrected.version)
    assert resubmitted.first_submitted_at == submitted.first_submitted_at
    assert resubmitted.submitted_at >= submitted.submitted_at
    accepted = services.accept(approver, resubmitted, version=resubmitted.version)
    assert accepted.state == State.ACCEPTED and accepted.accepted_at
    kinds = list(
        SubmissionEvent.objects.filter(submission=accepted)
        .order_by("at", "pk")
        .values_list("kind", "comment")
    )
    assert kinds == [
        (EventKind.COMPLETED, ""),
        (EventKind.SUBMITTED, ""),
        (EventKind.RETURNED, "Bổ sung số liệu tập huấn."),
        (EventKind.SAVED, ""),
        (EventKind.SUBMITTED, ""),
        (EventKind.ACCEPTED, ""),
    ]


def test_accepting_locks_the_figures_and_unlocking_reopens_them(
    commune_submission, personas, catalogue, tree
):
    officer, approver = personas["commune_officer"], personas["province_approver"]
    milestone = catalogue["1.1"]
    indicator_services.record_value(
        officer, milestone, tree["commune"], 2025, numerator=1, denominator=1
    )
    submitted = send_up(officer, commune_submission)
    accepted = services.accept(approver, submitted, version=submitted.version)
    assert indicator_services.active_lock(tree["commune"], 2025)
    with pytest.raises(ValidationError):
        indicator_services.record_value(
            officer, milestone, tree["commune"], 2025, numerator=0, denominator=1
        )
    assert (
        DataValue.objects.get(indicator=milestone, unit=tree["commune"], year=2025).numerator == 1
    )

    # Editing the accepted report is refused too.
    with pytest.raises(ValidationError, match="tiếp nhận"):
        services.save_draft(officer, accepted, version=accepted.version, texts={"ket-qua": "x"})

    # Unlocking needs a reason, and only a superior gives it.
    with pytest.raises(ValidationError):
        services.unlock(approver, accepted, version=accepted.version, reason="  ")
    with pytest.raises(PermissionDenied):
        services.unlock(officer, accepted, version=accepted.version, reason="Sửa số liệu")
    assert fresh(accepted).state == State.ACCEPTED
    unlocked = services.unlock(
        approver, accepted, version=accepted.version, reason="Số liệu 1.1 cần điều chỉnh"
    )
    assert unlocked.state == State.RETURNED
    assert indicator_services.active_lock(tree["commune"], 2025) is None
    event = SubmissionEvent.objects.filter(submission=unlocked).first()
    assert (event.kind, event.comment) == (EventKind.UNLOCKED, "Số liệu 1.1 cần điều chỉnh")
    indicator_services.record_value(
        officer, milestone, tree["commune"], 2025, numerator=0, denominator=1
    )
    assert (
        DataValue.objects.get(indicator=milestone, unit=tree["commune"], year=2025).numerator == 0
    )
    # Corrected, sent back and accepted again: locked again.
    again = services.submit(officer, unlocked, version=unlocked.version)
    services.accept(approver, again, version=again.version)
    assert indicator_services.active_lock(tree["commune"], 2025)


def test_a_stale_page_is_refused_and_the_first_change_kept(commune_submission, personas):
    officer = personas["commune_officer"]
    submitted = send_up(officer, commune_submission)
    other = make_user("province_approver_2", submitted.round.opener, Role.APPROVER)
    page_version = submitted.version  # both reviewers opened the page at this version
    services.return_submission(
        personas["province_approver"], submitted, version=page_version, comment="Bổ sung mục 2."
    )
    with pytest.raises(ValidationError) as error:
        services.accept(other, submitted, version=page_version)
    assert error.value.messages == ["Báo cáo đã được người khác cập nhật, vui lòng tải lại"]
    now = fresh(submitted)
    assert now.state == State.RETURNED
    assert SubmissionEvent.objects.filter(submission=now).first().comment == "Bổ sung mục 2."

    # The same for two officers saving the same draft: the second is told, nothing overwritten.
    services.save_draft(officer, now, version=now.version, texts={"ket-qua": "Bản của người 1"})
    with pytest.raises(ValidationError, match="người khác"):
        services.save_draft(officer, now, version=now.version, texts={"ket-qua": "Bản của người 2"})
    assert SectionText.objects.get(submission=now, section__key="ket-qua").text == "Bản của người 1"
    with pytest.raises(ValidationError, match="người khác"):
        services.save_draft(officer, now, version="not a number", texts={"ket-qua": "x"})


def test_submitting_twice_is_refused(commune_submission, personas):
    submitted = send_up(personas["commune_officer"], commune_submission)
    with pytest.raises(ValidationError, match="đã được gửi"):
        services.submit(personas["commune_officer"], submitted, version=submitted.version)


def test_a_closed_round_takes_no_report_but_a_returned_one_may_be_corrected(
    province_round, personas, tree
):
    officer, approver = personas["commune_officer"], personas["province_approver"]
    neighbour = province_round.submissions.get(unit=tree["neighbour"])
    commune = send_up(officer, province_round.submissions.get(unit=tree["commune"]))
    commune = services.return_submission(approver, commune, version=commune.version, comment="Sửa")
    neighbour = complete(personas["neighbour_officer"], neighbour)
    services.close_round(approver, province_round)
    was = _snapshot(neighbour)
    with pytest.raises(ValidationError, match="đã đóng"):
        services.submit(personas["neighbour_officer"], neighbour, version=neighbour.version)
    with pytest.raises(ValidationError, match="đã đóng"):
        services.save_draft(
            personas["neighbour_officer"], neighbour, version=neighbour.version, texts={}
        )
    assert _snapshot(neighbour) == was
    corrected = services.submit(officer, commune, version=commune.version)
    assert corrected.state == State.SUBMITTED


def test_a_late_report_is_taken_while_the_round_is_open(commune_submission, personas):
    submitted = send_up(personas["commune_officer"], commune_submission, at=FIRST_LATE)
    assert submitted.state == State.SUBMITTED and submitted.is_late


def test_a_section_over_its_limit_is_refused_and_nothing_saved(commune_submission, personas):
    officer = personas["commune_officer"]
    limit = commune_submission.round.sections.get(key="ket-qua").max_length
    assert limit == 20_000
    services.save_draft(
        officer, commune_submission, version=commune_submission.version, texts={"han-che": "Cũ"}
    )
    current = fresh(commune_submission)
    was = _snapshot(current)
    with pytest.raises(ValidationError) as error:
        services.save_draft(
            officer,
            current,
            version=current.version,
            texts={"han-che": "Mới", "ket-qua": "a" * 20_001},
        )
    assert "20.001" in str(error.value) and "20.000" in str(error.value)
    assert _snapshot(current) == was
    # Exactly at the limit is fine; Windows line ends count as one character.
    services.save_draft(
        officer, current, version=current.version, texts={"ket-qua": "a\r\n" * 10_000}
    )


def test_completing_needs_every_section(commune_submission, personas):
    with pytest.raises(ValidationError, match="Hạn chế, nguyên nhân"):
        services.mark_complete(
            personas["commune_officer"],
            commune_submission,
            version=commune_submission.version,
            texts={"ket-qua": "Chỉ viết một mục"},
        )
    assert fresh(commune_submission).state == State.DRAFT


def test_reviewers_outside_the_scope_and_the_unit_itself_are_refused(
    commune_submission, personas, tree
):
    submitted = send_up(personas["commune_officer"], commune_submission)
    was = _snapshot(submitted)
    hanoi_approver = make_user("hanoi_approver", tree["other_province"], Role.APPROVER)
    commune_approver = make_user("commune_approver", tree["commune"], Role.APPROVER)
    for outsider in (
        hanoi_approver,
        commune_approver,  # accepting one's own unit's report
        personas["province_viewer"],
        personas["neighbour_officer"],
    ):
        with pytest.raises(PermissionDenied):
            services.accept(outsider, submitted, version=submitted.version)
    with pytest.raises(PermissionDenied, match="chính đơn vị"):
        services.accept(commune_approver, submitted, version=submitted.version)
    # And nobody outside the unit writes its report.
    with pytest.raises(PermissionDenied):
        services.save_draft(
            personas["neighbour_officer"], submitted, version=submitted.version, texts={}
        )
    assert _snapshot(submitted) == was


def test_returning_needs_a_comment(commune_submission, personas):
    submitted = send_up(personas["commune_officer"], commune_submission)
    with pytest.raises(ValidationError):
        services.return_submission(
            personas["province_approver"], submitted, version=submitted.version, comment=" "
        )
    assert fresh(submitted).state == State.SUBMITTED


# ---------------------------------------------------------------------------------------------
# Upward approval.


@pytest.fixture
def national_round(nation_approver, catalogue):
    """The nation asks every province for its 2025 report."""
    return open_round(
        nation_approver,
        nation_approver.unit,
        name="Báo cáo công tác bình đẳng giới năm 2025 (cấp tỉnh)",
        levels=[Level.PROVINCE],
    )


def test_a_province_reports_up_only_when_its_communes_are_accepted(
    national_round, province_round, personas, nation_approver, tree
):
    assert national_round.submissions.count() == 34
    province_officer = make_user("province_officer", tree["province"], Role.DATA_OFFICER)
    own = complete(province_officer, national_round.submissions.get(unit=tree["province"]))
    was = _snapshot(own)
    with pytest.raises(ValidationError) as error:
        services.submit(province_officer, own, version=own.version)
    assert "0/2" in str(error.value)
    assert _snapshot(own) == was

    # The communes report and are accepted: now it goes up.
    approver = personas["province_approver"]
    for unit, officer in (
        (tree["commune"], "commune_officer"),
        (tree["neighbour"], "neighbour_officer"),
    ):
        s = send_up(personas[officer], province_round.submissions.get(unit=unit))
        services.accept(approver, s, version=s.version)
    submitted = services.submit(province_officer, own, version=own.version)
    assert submitted.state == State.SUBMITTED
    services.accept(nation_approver, submitted, version=submitted.version)
    assert indicator_services.active_lock(tree["province"], 2025)


def test_a_written_explanation_lets_the_report_go_up(
    national_round, province_round, personas, nation_approver, tree
):
    province_officer = make_user("province_officer", tree["province"], Role.DATA_OFFICER)
    own = complete(province_officer, national_round.submissions.get(unit=tree["province"]))
    submitted = services.submit(
        province_officer,
        own,
        version=own.version,
        explanation="Xã Tịnh Khê chưa nộp do sáp nhập; sẽ bổ sung.",
    )
    assert submitted.pending_explanation.startswith("Xã Tịnh Khê")
    accepted = services.accept(nation_approver, submitted, version=submitted.version)
    assert accepted.state == State.ACCEPTED


def test_accepting_out_of_order_is_refused_unless_the_reviewer_says_why(
    national_round, personas, nation_approver, tree
):
    # The province sent its report before it opened a round for its communes.
    province_officer = make_user("province_officer", tree["province"], Role.DATA_OFFICER)
    own = send_up(province_officer, national_round.submissions.get(unit=tree["province"]))
    open_round(
        personas["province_approver"],
        tree["province"],
        at=datetime.datetime(2025, 12, 2, 9, tzinfo=FIRST_LATE.tzinfo),
        units=[tree["commune"]],
    )
    was = _snapshot(own)
    with pytest.raises(ValidationError, match="0/1"):
        services.accept(nation_approver, own, version=own.version)
    assert _snapshot(own) == was
    accepted = services.accept(
        nation_approver, own, version=own.version, note="Xã chưa báo cáo; tiếp nhận để tổng hợp."
    )
    assert accepted.pending_explanation == "Xã chưa báo cáo; tiếp nhận để tổng hợp."


# ---------------------------------------------------------------------------------------------
# Opening rounds.


def test_opening_a_round_creates_one_submission_per_required_unit(personas, tree, catalogue):
    round = open_round(personas["province_approver"], tree["province"], levels=[Level.COMMUNE])
    communes = tree["province"].children.live().filter(level=Level.COMMUNE).count()
    assert round.submissions.count() == communes > 50
    assert [s.title for s in round.sections.all()] == [
        "Kết quả đạt được",
        "Hạn chế, nguyên nhân",
        "Phương hướng, nhiệm vụ năm tới",
    ]
    assert all(s.max_length == 20_000 for s in round.sections.all())
    assert round.indicators.count() == len(catalogue)
    assert set(round.submissions.values_list("state", flat=True)) == {State.DRAFT}


@pytest.mark.parametrize(
    ("who", "changes", "error"),
    [
        ("province_approver", {"name": "  "}, ValidationError),
        ("province_approver", {"year": 2019}, ValidationError),
        ("province_approver", {"deadline": datetime.date(2025, 11, 30)}, ValidationError),
        ("province_approver", {"period_end": datetime.date(2024, 12, 31)}, ValidationError),
        ("province_approver", {"kind": "weekly"}, ValidationError),
        ("province_approver", {"sections": [("A", 10)]}, ValidationError),
        ("province_approver", {"sections": [("A", 1000), ("A", 1000)]}, ValidationError),
        ("commune_officer", {}, PermissionDenied),
        ("province_viewer", {}, PermissionDenied),
        (
            "province_admin",
            {"levels": [Level.COMMUNE], "units": None, "far": True},
            ValidationError,
        ),
    ],
)
def test_opening_a_round_refuses_bad_input(who, changes, error, personas, tree, catalogue):
    from binhdang.reporting.models import ReportingRound

    changes = dict(changes)
    units = [tree["commune"]]
    if changes.pop("far", False):
        units = [tree["far_commune"]]
        changes["levels"] = None
    kwargs = {"units": units, **changes}
    with pytest.raises(error):
        open_round(personas[who], tree["province"], **kwargs)
    assert not ReportingRound.objects.exists()


def test_a_commune_cannot_open_a_round(personas, tree, catalogue):
    commune_approver = make_user("commune_approver", tree["commune"], Role.APPROVER)
    with pytest.raises(ValidationError):
        open_round(commune_approver, tree["commune"], units=[tree["commune"]])
