"""An overseeing unit reads the reports of the units it oversees, never returns or accepts them."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from binhdang.accounts.models import OversightFunction
from binhdang.accounts.tests.oversight import grant, overseer
from binhdang.reporting import queries, services
from binhdang.reporting.consolidated import can_make_report
from binhdang.reporting.models import State

from .conftest import fresh, send_up

pytestmark = pytest.mark.django_db

READ = OversightFunction.READ_REPORTS


@pytest.fixture
def department_approver(tree):
    """An approver of the national gender-equality department (Bộ Nội vụ)."""
    return overseer(tree)


def test_overseer_reads_a_province_s_report_but_cannot_return_it(
    client, personas, tree, commune_submission, department_approver
):
    submitted = send_up(personas["commune_officer"], commune_submission)
    url = reverse("reporting:submission", args=[submitted.pk])
    round_url = reverse("reporting:round", args=[submitted.round_id])
    client.force_login(department_approver)
    assert client.get(url).status_code == 404
    assert client.get(round_url).status_code == 404

    grant(personas["system_admin"], department_approver.unit, tree["nation"], [READ])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nội dung" in html and "Trả lại" not in html and "Tiếp nhận" not in html
    round_page = client.get(round_url).content.decode()
    assert tree["commune"].name in round_page and tree["neighbour"].name in round_page
    assert client.get(round_url, {"within": tree["province"].pk}).status_code == 200

    response = client.post(url, {"action": "return", "version": submitted.version, "comment": "x"})
    assert response.status_code == 403 and fresh(submitted).state == State.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.accept(department_approver, fresh(submitted), version=submitted.version)
    with pytest.raises(PermissionDenied):
        services.remind(department_approver, fresh(submitted))
    form = {"action": "save", "version": submitted.version, "pending_explanation": ""}
    assert client.post(url, form).status_code == 404  # writing needs the unit in scope


def test_reading_stops_outside_the_grant_s_dates(
    personas, tree, province_round, department_approver
):
    grant(
        personas["system_admin"],
        department_approver.unit,
        tree["nation"],
        [READ],
        valid_until=datetime.date(2025, 12, 31),
    )
    with time_machine.travel(datetime.date(2025, 12, 20)):
        assert queries.can_see_round(department_approver, province_round)
        assert queries.round_submissions(department_approver, province_round).count() == 2
    with time_machine.travel(datetime.date(2026, 1, 2)):
        assert not queries.can_see_round(department_approver, province_round)
        assert not queries.round_submissions(department_approver, province_round).exists()


def test_a_grant_over_one_province_reads_that_province_only(personas, tree, province_round):
    department_approver = overseer(tree)
    grant(personas["system_admin"], department_approver.unit, tree["other_province"], [READ])
    assert not queries.can_see_round(department_approver, province_round)
    assert province_round not in queries.visible_rounds(department_approver)


def test_overseer_may_make_the_province_s_consolidated_report(personas, tree, province_round):
    department_approver = overseer(tree)
    assert not can_make_report(department_approver, province_round, tree["province"])
    grant(personas["system_admin"], department_approver.unit, tree["nation"], [READ])
    assert can_make_report(department_approver, province_round, tree["province"])
    # Not a unit the round neither opened nor asks.
    assert not can_make_report(department_approver, province_round, tree["other_province"])
