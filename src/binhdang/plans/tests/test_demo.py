"""The demo data: Quảng Ngãi's plans, tasks in each state, and an inspection; made once."""

import pytest

from binhdang.demo.accounts import setup_demo
from binhdang.demo.plans import setup_plans
from binhdang.indicators.loading import load_catalogue
from binhdang.plans.models import Inspection, Plan, PlanStatus, Task
from binhdang.plans.queries import recommendation_rows

pytestmark = pytest.mark.django_db


def test_demo_plans_tasks_and_inspection(tree):
    load_catalogue()
    accounts = setup_demo()
    admin = accounts[0]
    province = tree["province"]
    plan = setup_plans(admin, province)
    assert plan.period == "2026–2030" and plan.status == PlanStatus.APPROVED
    assert Plan.objects.filter(unit=province, status=PlanStatus.APPROVED).count() == 2
    states = sorted(Task.objects.with_display_status().values_list("display_status", flat=True))
    assert states.count("overdue") == 1 and states.count("done") == 2
    commune_tasks = Task.objects.filter(lead_unit__level=4, plan__isnull=False)
    assert commune_tasks.count() == 1
    inspection = Inspection.objects.get()
    rows, closed = recommendation_rows(inspection)
    assert len(rows) == 2 and closed == 1
    assert "minh họa" in inspection.findings.lower()
    # A second run adds nothing.
    setup_plans(admin, province)
    assert (Plan.objects.count(), Task.objects.count(), Inspection.objects.count()) == (2, 6, 1)
