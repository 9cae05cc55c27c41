import datetime
import zoneinfo

import pytest
import time_machine

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.reporting import services
from binhdang.reporting.models import Submission

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
OPENED = datetime.datetime(2025, 12, 1, 9, 0, tzinfo=VN)
DEADLINE = datetime.date(2025, 12, 15)
LAST_MOMENT = datetime.datetime(2025, 12, 15, 23, 59, 59, tzinfo=VN)
FIRST_LATE = datetime.datetime(2025, 12, 16, 0, 0, 0, tzinfo=VN)
ROUND_NAME = "Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025"


def open_round(actor, opener, *, at=OPENED, **overrides):
    fields = {
        "name": ROUND_NAME,
        "kind": "annual",
        "year": 2025,
        "period_start": datetime.date(2025, 1, 1),
        "period_end": datetime.date(2025, 12, 31),
        "deadline": DEADLINE,
    }
    fields.update(overrides)
    with time_machine.travel(at, tick=False):
        return services.open_round(actor, opener, **fields)


def texts(submission, prefix="Nội dung") -> dict:
    return {s.key: f"{prefix} {s.title}" for s in submission.round.sections.all()}


def fresh(submission) -> Submission:
    return Submission.objects.select_related("round", "unit").get(pk=submission.pk)


def complete(user, submission) -> Submission:
    """Write every section and mark the report complete."""
    submission = fresh(submission)
    return services.mark_complete(
        user, submission, version=submission.version, texts=texts(submission)
    )


def send_up(user, submission, at=None) -> Submission:
    """Complete and submit (at a given moment, if any)."""
    submission = complete(user, submission)
    if at is None:
        return services.submit(user, submission, version=submission.version)
    with time_machine.travel(at, tick=False):
        return services.submit(user, submission, version=submission.version)


@pytest.fixture
def province_round(personas, tree, catalogue):
    """Quảng Ngãi's 2025 round, asking two of its communes (commune and neighbour)."""
    return open_round(
        personas["province_approver"], tree["province"], units=[tree["commune"], tree["neighbour"]]
    )


@pytest.fixture
def commune_submission(province_round, tree):
    return province_round.submissions.select_related("round", "unit").get(unit=tree["commune"])


@pytest.fixture
def nation_approver(tree):
    return make_user("nation_approver", tree["nation"], Role.APPROVER)
