"""Benchmark: the "Việc cần làm" home page (issue 13) at national scale, for the nation's system
administrator and a province approver, against the old landing page (the unit's sub-unit list)
in the same run.

Run on PostgreSQL (the recorded figures), with DATABASE_URL pointing at any database of the
server:
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/home.py
The benchmark creates a throw-away database of its own on that server (bench/_own_database.py),
works there and drops it at the end; it refuses any database it did not make, and sends no
mail (no mail server is configured and every record is inserted directly, so no service that
notifies runs). It writes the "home" section of bench/RESULTS.md.
Quick check on SQLite (a temporary file; prints, writes nothing):
    uv run python bench/home.py --sqlite

The dataset: the real map (every unit, the pre-2025 ones included) and the catalogue; the
nation's 2025 round to the 34 provinces and the 5 ministries, and each province's round to its
communes (3,321 submissions: about half submitted, some returned with a comment, some accepted);
tasks from every province to its communes and from the nation to the provinces (about half
overdue, a tenth due soon); an inspection per province with recommendations to communes; the
committees of the nation and of every province; figures 2021–2025 for the provinces (the
catalogue's quotients) and the communes (1.1), so that the targets-at-risk forecast has series.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--sqlite", action="store_true", help="quick check on SQLite, writes nothing")
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--repeat", type=int, default=30, help="page views per measurement")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
ARGS = PARSER.parse_args()

if not ARGS.sqlite and not _own_database.server_url():
    sys.exit("Set DATABASE_URL to a PostgreSQL database (or pass --sqlite).")
_own_database.create("home", sqlite=ARGS.sqlite, keep=ARGS.keep)

import django  # noqa: E402

django.setup()
_own_database.guard()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.committees.models import Committee, Decision  # noqa: E402
from binhdang.indicators import sums  # noqa: E402
from binhdang.indicators.loading import load_catalogue  # noqa: E402
from binhdang.indicators.models import DataValue, Indicator, Measure  # noqa: E402
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import Level, OrgUnit  # noqa: E402
from binhdang.plans.models import Inspection, Recommendation, Task, TaskStatus  # noqa: E402
from binhdang.reporting.models import (  # noqa: E402
    EventKind,
    ReportingRound,
    State,
    Submission,
    SubmissionEvent,
)

TASKS_PER_PROVINCE = 300
RECOMMENDATIONS_PER_PROVINCE = 20
YEARS = range(2021, 2026)


def _round(opener: OrgUnit, name: str, deadline: datetime.date) -> ReportingRound:
    return ReportingRound.objects.create(
        opener=opener,
        name=name,
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=deadline,
    )


def build(rng: random.Random) -> dict:
    """Insert the dataset directly (no service that notifies); return its sizes."""
    today = timezone.localdate()
    now = timezone.now()
    nation = OrgUnit.objects.get(code="VN")
    provinces = list(OrgUnit.objects.filter(level=Level.PROVINCE).live().order_by("code"))
    ministries = list(OrgUnit.objects.filter(level=Level.CENTRAL).live().order_by("code")[:5])
    communes = {p.pk: list(p.children.live().filter(level=Level.COMMUNE)) for p in provinces}
    reviewer = User.objects.create(username="bench-reviewer", unit=nation, role=Role.APPROVER)

    national = _round(nation, "Báo cáo năm 2025 (quốc gia)", today + datetime.timedelta(days=10))
    submissions = []
    for unit in [*provinces, *ministries]:
        submitted = rng.random() < 0.4
        submissions.append(
            Submission(
                round=national,
                unit=unit,
                state=State.SUBMITTED if submitted else State.DRAFT,
                first_submitted_at=now if submitted else None,
                submitted_at=now if submitted else None,
            )
        )
    for province in provinces:
        round = _round(province, f"Báo cáo năm 2025 ({province.name})", today)
        for commune in communes[province.pk]:
            draw = rng.random()
            state = (
                State.DRAFT
                if draw < 0.35
                else State.COMPLETE
                if draw < 0.45
                else State.SUBMITTED
                if draw < 0.75
                else State.RETURNED
                if draw < 0.85
                else State.ACCEPTED
            )
            sent = state not in (State.DRAFT, State.COMPLETE)
            moment = now - datetime.timedelta(hours=rng.randint(1, 300)) if sent else None
            submissions.append(
                Submission(
                    round=round,
                    unit=commune,
                    state=state,
                    first_submitted_at=moment,
                    submitted_at=moment,
                )
            )
    Submission.objects.bulk_create(submissions, batch_size=2000)
    events = [
        SubmissionEvent(
            submission=s,
            kind=EventKind.RETURNED,
            actor=reviewer,
            at=now,
            state_from=State.SUBMITTED,
            state_to=State.RETURNED,
            comment="Đề nghị bổ sung số liệu chỉ tiêu 1.1.",
        )
        for s in Submission.objects.filter(state=State.RETURNED)
    ]
    SubmissionEvent.objects.bulk_create(events, batch_size=2000)

    tasks = []
    for province in provinces:
        for index in range(TASKS_PER_PROVINCE):
            lead = rng.choice(communes[province.pk])
            offset = rng.choice([-60, -20, -5, -1, 3, 10, 40, 90, 200])
            status = rng.choice([TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.DONE])
            tasks.append(
                Task(
                    title=f"Nhiệm vụ {index} của {lead.name}",
                    assigned_by=province,
                    lead_unit=lead,
                    deadline=today + datetime.timedelta(days=offset),
                    status=status,
                )
            )
        for index in range(10):
            tasks.append(
                Task(
                    title=f"Nhiệm vụ quốc gia {index} giao {province.name}",
                    assigned_by=nation,
                    lead_unit=province,
                    deadline=today + datetime.timedelta(days=rng.choice([-30, -2, 5, 60])),
                )
            )
    Task.objects.bulk_create(tasks, batch_size=2000)

    recommendations = []
    for province in provinces:
        inspection = Inspection.objects.create(
            unit=province,
            kind="inspection",
            title=f"Kiểm tra công tác bình đẳng giới năm 2025 ({province.name})",
            lead_name="Trưởng đoàn",
            start_date=today - datetime.timedelta(days=90),
            end_date=today - datetime.timedelta(days=80),
        )
        for index in range(RECOMMENDATIONS_PER_PROVINCE):
            recommendations.append(
                Recommendation(
                    inspection=inspection,
                    unit=rng.choice(communes[province.pk]),
                    text=f"Kiến nghị {index}: bố trí cán bộ theo dõi công tác bình đẳng giới.",
                    deadline=today + datetime.timedelta(days=rng.randint(-30, 60)),
                )
            )
    Recommendation.objects.bulk_create(recommendations, batch_size=2000)

    for unit in [nation, *provinces]:
        committee = Committee.objects.create(unit=unit, name=f"Ban VSTBPN {unit.name}")
        Decision.objects.create(committee=committee, number="1/QĐ", date=datetime.date(2021, 3, 1))

    values = figures(rng, provinces, communes)
    return {
        "submissions": len(submissions),
        "tasks": len(tasks),
        "recommendations": len(recommendations),
        "values": values,
        "provinces": len(provinces),
        "communes": sum(len(c) for c in communes.values()),
    }


def figures(rng: random.Random, provinces, communes) -> int:
    """Provinces' quotient figures and the communes' 1.1 for 2021–2025, drifting by year."""
    indicators = list(Indicator.objects.filter(owner_unit__isnull=True))
    quotients = [i for i in indicators if i.measure in (Measure.SHARE, Measure.RATIO)]
    milestone = next(i for i in indicators if i.number == "1.1")
    rows = []
    for province in provinces:
        for indicator in quotients:
            base = rng.uniform(0.2, 0.8)
            for year in YEARS:
                denominator = Decimal(rng.randint(500, 5000))
                share = min(max(base + (year - 2021) * rng.uniform(-0.03, 0.03), 0.01), 0.99)
                numerator = (denominator * Decimal(str(round(share, 3)))).quantize(Decimal(1))
                value = numerator / denominator * indicator.multiplier
                rows.append(
                    DataValue(
                        indicator=indicator,
                        unit=province,
                        year=year,
                        numerator=numerator,
                        denominator=denominator,
                        value=value.quantize(Decimal("0.0001")),
                    )
                )
    for units in communes.values():
        for commune in units:
            for year in YEARS:
                answer = Decimal(1 if rng.random() < 0.6 else 0)
                rows.append(
                    DataValue(
                        indicator=milestone,
                        unit=commune,
                        year=year,
                        numerator=answer,
                        denominator=Decimal(1),
                        value=answer * milestone.multiplier,
                    )
                )
    DataValue.objects.bulk_create(rows, batch_size=5000)
    sums.rebuild()  # written outside the services: the roll-up's sums made again
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return len(rows)


def measure(client: Client, url: str, repeat: int, follow: bool = False) -> dict:
    """Server time (through every middleware and the template) of `repeat` views after one
    warm-up, and the queries of one view."""
    assert client.get(url, follow=follow).status_code == 200
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, follow=follow)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    reset_queries()  # DEBUG keeps the last 9,000 queries: a full log would count none
    with CaptureQueriesContext(connection) as queries:
        client.get(url, follow=follow)
    samples.sort()
    return {
        "median": statistics.median(samples),
        "p90": samples[max(0, int(len(samples) * 0.9) - 1)],
        "queries": len(queries),
    }


def at_risk_cold(client: Client, url: str, repeat: int) -> dict:
    """The targets-at-risk fragment with its cache emptied before every view (its first view of
    the day in a process), then warm."""
    samples = []
    for _ in range(max(3, repeat // 5)):
        cache.clear()
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        samples.append((time.perf_counter() - start) * 1000)
    cache.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    warm = measure(client, url, repeat)
    return {
        "cold": statistics.median(samples),
        "cold_queries": len(queries),
        "warm": warm["median"],
        "warm_queries": warm["queries"],
    }


def main() -> None:
    # The test client's host; no setup_test_environment(), whose template instrumentation
    # would inflate the page times.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    load_reference_map()
    load_catalogue()
    rng = random.Random(13)
    start = time.perf_counter()
    sizes = build(rng)
    built = time.perf_counter() - start
    nation = OrgUnit.objects.get(code="VN")
    province = OrgUnit.objects.get(code="P51")
    people = {
        "the nation's system administrator": User.objects.create(
            username="bench-admin", unit=nation, role=Role.SYSTEM_ADMIN
        ),
        "a province approver (Quảng Ngãi)": User.objects.create(
            username="bench-approver", unit=province, role=Role.APPROVER
        ),
    }
    home = reverse("workboard:home")
    old = reverse("orgunits:home")
    at_risk = reverse("workboard:at_risk")
    rows = []
    for label, user in people.items():
        client = Client()
        client.force_login(user)
        rows.append(
            (
                label,
                measure(client, home, ARGS.repeat),
                measure(client, old, ARGS.repeat, follow=True),
                at_risk_cold(client, at_risk, ARGS.repeat),
            )
        )
    report = render(sizes, built, rows)
    print(report)
    if not ARGS.sqlite and not ARGS.no_write:
        _results.write_section("home", report)


def render(sizes: dict, built: float, rows) -> str:
    machine = _results.machine()
    lines = [
        "<!-- home -->",
        '## Home page ("Việc cần làm", issue 13)',
        "",
        f"`bench/home.py`, {datetime.date.today():%Y-%m-%d}, {machine}, load average "
        f"{os.getloadavg()[0]:.1f}. The real map ({sizes['provinces']} provinces, "
        f"{sizes['communes']:,} communes); {sizes['submissions']:,} submissions (the nation's "
        f"round to provinces and ministries, each province's to its communes), "
        f"{sizes['tasks']:,} tasks, {sizes['recommendations']:,} inspection recommendations, "
        f"{sizes['values']:,} figures 2021–2025; built in {built:.0f} s. Server time through "
        f"every middleware and the template (Django's test client), {ARGS.repeat} views after "
        "a warm-up; the old landing page is the unit's sub-unit list (`/units/` and its "
        "redirect), measured in the same run. The targets at risk are loaded after the page "
        '(htmx) and kept an hour per unit: "cold" is the first view of the day in a process. '
        "On a shared machine (see the load average) absolute times are several times a quiet "
        "machine's; compare the columns of one row, measured minutes apart.",
        "",
        "| who | home median ms | p90 ms | queries | old landing median ms | p90 ms | queries "
        "| at risk cold ms (queries) | warm ms (queries) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, new, old, risk in rows:
        lines.append(
            f"| {label} | {new['median']:.1f} | {new['p90']:.1f} | {new['queries']} | "
            f"{old['median']:.1f} | {old['p90']:.1f} | {old['queries']} | "
            f"{risk['cold']:.0f} ({risk['cold_queries']}) | {risk['warm']:.1f} "
            f"({risk['warm_queries']}) |"
        )
    lines += [
        "",
        "The home page's query count does not depend on the size of the tree or of the lists: "
        "each list is one query (its first rows with a window count of the total), guarded by "
        "`src/binhdang/workboard/tests/test_home.py::"
        "test_query_count_does_not_grow_with_units_reports_or_tasks`. The cold forecast grows "
        "with the figures of the unit's subtree (here tens of thousands, a million in the "
        "indicators benchmark, where the national forecast takes about a second): the page "
        "never waits for it, and a process computes it at most once an hour per unit.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
