"""The consolidated report of a national round asking the communes directly (decision 77): the
same number of queries for three times the sub-units, the sub-units' activities counted as unit
by unit, and the job's progress written every few per cent, not for every sub-unit."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from binhdang.activities import queries as activity_queries
from binhdang.activities.models import Activity
from binhdang.core import jobs
from binhdang.core.models import Job
from binhdang.orgunits.models import Level, OrgUnit
from binhdang.reporting import consolidated
from binhdang.reporting.models import State

from .test_consolidated import YEAR, _answer, _open

pytestmark = pytest.mark.django_db


def _communes(count: int) -> list[OrgUnit]:
    """Live communes spread over the provinces, each formed from older communes."""
    return list(
        OrgUnit.objects.filter(level=Level.COMMUNE, predecessors__isnull=False)
        .live()
        .distinct()
        .order_by("code")[: count * 7 : 7]
    )


def _activity(organiser, day, count=1, minimum=False):
    return Activity(
        title="Hoạt động",
        kind="training",
        start_date=day,
        end_date=day,
        organiser=organiser,
        participants=40,
        women=20,
        event_count=count,
        count_is_minimum=minimum,
    )


def _national_round(nation, communes):
    """A national round asking the communes: every other one accepted with a text; activities
    of each commune, of the commune it was formed from, and one outside the period."""
    round = _open(nation, communes, name=f"Báo cáo cấp xã {len(communes)}")
    activities = []
    for index, commune in enumerate(communes):
        activities.append(_activity(commune, datetime.date(YEAR, 3, 8), count=index % 3 + 1))
        old = commune.predecessors.first()
        activities.append(_activity(old, datetime.date(YEAR, 1, 5), 10, minimum=index % 2 == 0))
        activities.append(_activity(commune, datetime.date(YEAR - 1, 5, 1)))  # before the period
        if index % 2 == 0:
            _answer(round, commune, State.ACCEPTED, {"ket-qua": f"Kết quả của {commune.name}."})
    Activity.objects.bulk_create(activities)
    return round


def test_a_national_round_of_communes_costs_the_same_queries_for_three_times_the_communes(
    tree, catalogue, personas
):
    counts = {}
    for size in (25, 75):
        nation = OrgUnit.objects.get(pk=tree["nation"].pk)  # nothing kept from the first run
        round = _national_round(nation, _communes(size))
        cache.clear()  # the nation's forecast, read again
        with CaptureQueriesContext(connection) as gathering:
            report = consolidated.build_report(round, nation)
        assert len(report.subunits) == size
        with CaptureQueriesContext(connection) as job:
            made = consolidated.start_report_job(personas["system_admin"], round, nation, pdf=False)
        assert made.status == Job.Status.DONE, made.error
        counts[size] = (len(gathering.captured_queries), len(job.captured_queries))
    assert counts[25] == counts[75]


def test_activities_of_communes_further_down_are_counted_as_unit_by_unit(tree, catalogue):
    nation = tree["nation"]
    communes = _communes(6)
    round = _national_round(nation, communes)
    # One commune formed from an old commune that another commune was also formed from (a
    # split): that old commune's activities count for both, as they do unit by unit.
    shared = communes[0].predecessors.first()
    communes[1].predecessors.add(shared)
    report = consolidated.build_report(round, nation)
    start, end = round.period_start, round.period_end
    expected = [
        activity_queries.event_total(activity_queries.in_subtree(commune, start, end))
        for commune in sorted(communes, key=lambda c: (c.official_code, c.search_name))
    ]
    assert [(line.activities, line.activities_minimum) for line in report.subunits] == expected
    assert expected[0] != (0, False)  # the commune's and its old commune's activities
    assert any(minimum for _n, minimum in expected) and not all(m for _n, m in expected)


def test_the_job_writes_its_progress_every_few_per_cent(tree, catalogue, personas, monkeypatch):
    nation = tree["nation"]
    round = _national_round(nation, _communes(40))
    written = []
    original = jobs.report_progress

    def record(job_id, done, total, message=""):
        written.append(done * 100 // total)
        original(job_id, done, total, message)

    monkeypatch.setattr(jobs, "report_progress", record)
    job = consolidated.start_report_job(personas["system_admin"], round, nation, pdf=False)
    assert job.status == Job.Status.DONE, job.error
    bands = consolidated.PROGRESS_BANDS
    assert len(written) == bands + 1 + 3  # not one per commune (40); then Word, Excel, done
    assert written == sorted(written) and written[0] == 0 and written[-1] == 100
    gaps = [b - a for a, b in zip(written, written[1:], strict=False)]
    assert max(gaps) <= 100 // bands + 3  # never long without news (44 steps)
