"""The demo teaches: after the demo builder, each Quảng Ngãi persona finds something to do on
the home page, and the first journey (a commune writes its report) needs no unlock."""

import pytest
from django.urls import reverse

from binhdang.accounts.models import User
from binhdang.demo.accounts import setup_demo
from binhdang.demo.plans import setup_ministry_task, setup_plans
from binhdang.demo.reporting import setup_round
from binhdang.indicators.services import active_lock
from binhdang.reporting.models import State
from binhdang.workboard import queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tree, catalogue):
    accounts = setup_demo()
    province = tree["province"]
    setup_round(province)
    setup_plans(accounts[0], province)
    setup_ministry_task(accounts[0], tree["ministry"])
    setup_ministry_task(accounts[0], tree["ministry"])  # a second run adds nothing
    return {user.username: user for user in User.objects.all()}


def test_each_persona_has_something_to_do(demo):
    board = {name: queries.board(user) for name, user in demo.items()}
    first = board["qngai.xa1"]
    assert first.to_write.total == 1 and first.to_write.rows[0].state == State.DRAFT
    assert first.due_soon.total >= 1
    second = board["qngai.xa2"]
    assert second.returned.total == 1
    assert "bổ sung số lớp tập huấn" in second.returned.rows[0].return_comment
    for reviewer in ("qngai.pheduyet", "qngai.quantri", "admin"):
        assert board[reviewer].to_review.total == 1, reviewer
    for name in ("qngai.pheduyet", "qngai.nhaplieu", "qngai.sonoivu"):
        assert board[name].overdue.total >= 1, name
    assert board["qngai.xem"].overdue.total >= 1 and board["qngai.xem"].to_write is None
    for name in ("bnv.quantri", "bnv.pheduyet", "bnv.nhaplieu"):
        assert board[name].overdue.total == 1, name


def test_first_journey_needs_no_unlock(client, demo):
    officer = demo["qngai.xa1"]
    assert active_lock(officer.unit, 2025) is None
    client.force_login(officer)
    page = client.get(reverse("workboard:home")).content.decode()
    submission = queries.board(officer).to_write.rows[0]
    assert reverse("reporting:submission", args=[submission.pk]) in page
    assert 'id="intro"' in page
