import datetime

import pytest
import time_machine
from django.utils import translation

from binhdang.plans import services
from binhdang.plans.models import PlanKind

# The suite's "today": deadlines and overdue states are computed against it.
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_today():
    """Every test of this app runs on 10/03/2026 (10:00 in Vietnam), so that "overdue" holds."""
    with time_machine.travel(datetime.datetime(2026, 3, 10, 3, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def vietnamese():
    """Services speak the active language; a test that asked for English must not leak it."""
    translation.activate("vi")
    yield
    translation.activate("vi")


@pytest.fixture
def plan(personas, tree):
    """Quảng Ngãi's 2026 annual plan, in draft."""
    return services.create_plan(
        personas["province_admin"],
        tree["province"],
        kind=PlanKind.ANNUAL,
        start_year=2026,
        end_year=2026,
        title="Kế hoạch thực hiện công tác bình đẳng giới năm 2026",
    )


@pytest.fixture
def commune_task(personas, tree, plan):
    """A task of the province's plan led by the commune, due 31/03/2026."""
    return services.create_task(
        personas["province_admin"],
        assigned_by=tree["province"],
        plan=plan,
        lead_unit=tree["commune"],
        title="Tổ chức tập huấn lồng ghép giới cho cán bộ xã",
        deadline=datetime.date(2026, 3, 31),
    )
