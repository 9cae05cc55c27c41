"""Reporting rates: on time / late at the deadline's edge (frozen clock), missing, returned,
accepted; by sub-unit for a national round; and what the consolidated report reads."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.orgunits.models import Level
from binhdang.reporting import queries, services
from binhdang.reporting.models import SectionText, State, Submission

from .conftest import FIRST_LATE, LAST_MOMENT, VN, open_round, send_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def four(personas, tree, catalogue):
    """Quảng Ngãi asks four communes; each has its own data officer."""
    communes = list(
        tree["province"].children.live().filter(level=Level.COMMUNE).order_by("official_code")[:4]
    )
    round = open_round(personas["province_approver"], tree["province"], units=communes)
    officers = [
        make_user(f"officer{i}", unit, Role.DATA_OFFICER) for i, unit in enumerate(communes)
    ]
    return round, communes, officers


def test_on_time_and_late_at_the_edge_of_the_deadline(four, personas):
    round, communes, officers = four
    approver = personas["province_approver"]
    sub = {unit.pk: round.submissions.get(unit=unit) for unit in communes}
    on_time = send_up(officers[0], sub[communes[0].pk], at=LAST_MOMENT)  # 23:59:59 on the day
    late = send_up(officers[1], sub[communes[1].pk], at=FIRST_LATE)  # 00:00:00 the day after
    early = send_up(
        officers[2], sub[communes[2].pk], at=datetime.datetime(2025, 12, 10, 8, tzinfo=VN)
    )
    services.return_submission(approver, early, version=early.version, comment="Bổ sung")
    rates = queries.rates(round)
    assert (rates.expected, rates.submitted, rates.on_time, rates.late, rates.missing) == (
        4,
        3,
        2,
        1,
        1,
    )
    assert (rates.returned, rates.accepted, rates.awaiting_review) == (1, 0, 2)
    assert rates.submitted_share == "75,0%" and rates.on_time_share == "50,0%"
    assert not on_time.is_late and late.is_late

    # The returned report, corrected after the deadline, stays on time (first submission).
    returned = Submission.objects.get(pk=early.pk)
    with time_machine.travel(datetime.datetime(2025, 12, 20, 9, tzinfo=VN), tick=False):
        services.submit(officers[2], returned, version=returned.version)
    services.accept(approver, Submission.objects.get(pk=on_time.pk), version=on_time.version)
    rates = queries.rates(round)
    assert (rates.on_time, rates.late, rates.returned, rates.accepted) == (2, 1, 0, 1)

    def listed(state):
        return {
            s.unit_id for s in queries.filter_submissions(round.submissions.all(), round, state)
        }

    assert listed("late") == {communes[1].pk}
    assert listed("on_time") == {communes[0].pk, communes[2].pk}
    assert listed("missing") == {communes[3].pk}
    assert listed("accepted") == {communes[0].pk}


def test_rates_are_one_query(four, django_assert_num_queries):
    round = four[0]
    with django_assert_num_queries(1):
        queries.rates(round)
    with django_assert_num_queries(2):
        queries.rates_by_subunit(round, round.opener)


@pytest.fixture
def national(nation_approver, catalogue, tree):
    """The nation asks every commune (3,321) directly; a few have submitted."""
    round = open_round(nation_approver, nation_approver.unit, levels=[Level.COMMUNE])
    quang_ngai = list(round.submissions.filter(unit__parent=tree["province"])[:3])
    hanoi = round.submissions.filter(unit__parent=tree["other_province"]).first()
    on_time = LAST_MOMENT - datetime.timedelta(days=2)
    for s in quang_ngai[:2]:
        Submission.objects.filter(pk=s.pk).update(
            state=State.SUBMITTED, first_submitted_at=on_time, submitted_at=on_time
        )
    Submission.objects.filter(pk=quang_ngai[2].pk).update(
        state=State.ACCEPTED, first_submitted_at=FIRST_LATE, submitted_at=FIRST_LATE
    )
    Submission.objects.filter(pk=hanoi.pk).update(
        state=State.RETURNED, first_submitted_at=on_time, submitted_at=on_time
    )
    return round


def test_a_national_round_by_province(national, tree):
    all_communes = national.submissions.count()
    assert all_communes == 3321
    rows = {row.unit.code: row.rates for row in queries.rates_by_subunit(national, national.opener)}
    assert len(rows) == 34
    assert sum(r.expected for r in rows.values()) == all_communes
    p51 = rows["P51"]
    assert p51.expected == tree["province"].children.live().filter(level=Level.COMMUNE).count()
    assert (p51.submitted, p51.on_time, p51.late, p51.accepted) == (3, 2, 1, 1)
    assert (rows["P01"].submitted, rows["P01"].returned) == (1, 1)
    # Drilling into the province: one row per commune.
    communes = queries.rates_by_subunit(national, tree["province"])
    assert len(communes) == p51.expected and {r.rates.expected for r in communes} == {1}


def test_each_level_sees_its_part_of_a_national_round(
    client, national, tree, personas, nation_approver
):
    client.force_login(nation_approver)
    page = client.get(reverse("reporting:round", args=[national.pk])).content.decode()
    table = page.split('id="by-subunit"')[1].split("</table>")[0]
    assert "Tỉnh Quảng Ngãi" in table and "Thành phố Hà Nội" in table
    client.force_login(personas["province_viewer"])
    response = client.get(reverse("reporting:round", args=[national.pk]))
    assert response.status_code == 200
    rates = response.context["rates"]
    assert rates.expected == tree["province"].children.live().filter(level=Level.COMMUNE).count()
    assert rates.submitted == 3
    assert "Thành phố Hà Nội" not in response.content.decode()
    # The province's home lists the national round among the rounds that ask its units.
    page = client.get(reverse("reporting:home")).content.decode()
    assert national.name in page
    # Who has not reported, inside the province only.
    response = client.get(reverse("reporting:missing", args=[national.pk]))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rates.expected - 3


# ---------------------------------------------------------------------------------------------
# What the consolidated report compiles.


def test_accepted_sections_in_unit_order(four, personas):
    round, communes, officers = four
    approver = personas["province_approver"]
    # Accepted in reverse order; the compilation lists them by unit (official code).
    for index in (2, 0):
        s = send_up(officers[index], round.submissions.get(unit=communes[index]))
        services.accept(approver, s, version=s.version)
    send_up(officers[1], round.submissions.get(unit=communes[1]))  # submitted, not accepted
    compiled = queries.accepted_sections(round, round.opener)
    assert [c.key for c in compiled] == ["ket-qua", "han-che", "phuong-huong"]
    assert [c.title for c in compiled][0] == "Kết quả đạt được"
    assert [unit.pk for unit, _text in compiled[0].entries] == [communes[0].pk, communes[2].pk]
    assert compiled[0].entries[0][1] == "Nội dung Kết quả đạt được"


def test_accepted_sections_of_a_province_in_the_national_round(
    nation_approver, four, personas, tree
):
    province_round, communes, officers = four
    national = open_round(
        nation_approver, nation_approver.unit, name="Báo cáo toàn quốc", levels=[Level.PROVINCE]
    )
    s = send_up(officers[1], province_round.submissions.get(unit=communes[1]))
    services.accept(personas["province_approver"], s, version=s.version)
    compiled = queries.accepted_sections(national, tree["province"])
    assert [unit.pk for unit, _text in compiled[0].entries] == [communes[1].pk]
    # The nation compiles the provinces' accepted reports: none yet.
    assert all(not c.entries for c in queries.accepted_sections(national, national.opener))
    assert SectionText.objects.filter(submission__round=national).count() == 0
