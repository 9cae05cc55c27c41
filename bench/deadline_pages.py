"""Benchmark: the pages an officer meets at a deadline (issue 16, item 3) at national scale, for
a commune officer and a province approver: the landing page ("Việc cần làm"), the entry form
opened from the unit's report, its save (6 lines), the unit's overview, the reports page and the
unit's report. Server time through every middleware and the template (Django's test client),
median and p95, and the queries of one view; the same pages measured with a baseline checkout
of the code (e.g. main before the change) on the same database in the same run.

Run on PostgreSQL (the recorded figures), with DATABASE_URL pointing at any database of the
server:
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    mkdir -p /tmp/baseline && git archive main src | tar -x -C /tmp/baseline
    uv run python bench/deadline_pages.py --baseline /tmp/baseline
The benchmark creates a throw-away database of its own on that server (bench/_own_database.py),
fills it once, measures each checkout in its own process (PYTHONPATH=<checkout>/src), taking
turns, and drops the database at the end; it refuses any database it did not make and sends no
mail. It writes the "deadline-pages" section of bench/RESULTS.md.
Quick check on SQLite (a temporary file; prints, writes nothing):
    uv run python bench/deadline_pages.py --sqlite

The dataset: bench/_national_dataset.py's (the real map with the pre-2025 units, 40 indicators,
about 960,000 figures 2021–2030), the nation's 2025 round to the provinces and ministries and
each province's round to its communes (3,360 reports, about half submitted), 300 tasks per
province to its communes and 10 from the nation to each province.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--sqlite", action="store_true", help="quick check on SQLite, writes nothing")
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--repeat", type=int, default=30, help="views of each page per turn")
PARSER.add_argument("--turns", type=int, default=2, help="turns of each checkout")
PARSER.add_argument("--baseline", type=Path, help="a checkout of the code to compare with")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
# Internal: measure in this process, on the database the parent made (DATABASE_URL).
PARSER.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
ARGS = PARSER.parse_args()

HERE = Path(__file__).resolve().parent
YEAR = 2025
SAVED_LINES = 6
PAGES = ("home", "enter", "save", "overview", "reports", "report")
GOAL_MS = 50

if ARGS.measure:
    _own_database.check_url(os.environ["DATABASE_URL"])
else:
    if not ARGS.sqlite and not _own_database.server_url():
        sys.exit("Set DATABASE_URL to a PostgreSQL database (or pass --sqlite).")
    OWN = _own_database.create("deadline", sqlite=ARGS.sqlite, keep=ARGS.keep)

import django  # noqa: E402

django.setup()
_own_database.guard()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.indicators.tests.test_entry_form import opened  # noqa: E402
from binhdang.orgunits.models import Level, OrgUnit  # noqa: E402
from binhdang.reporting.models import ReportingRound, State, Submission  # noqa: E402

PEOPLE = {
    "commune officer": ("bench-commune-officer", Role.DATA_OFFICER),
    "province approver": ("bench-province-approver", Role.APPROVER),
}


def _round(opener: OrgUnit, name: str, deadline: datetime.date) -> ReportingRound:
    return ReportingRound.objects.create(
        opener=opener,
        name=name,
        kind="annual",
        year=YEAR,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        deadline=deadline,
    )


def build() -> dict:
    """The map, the catalogue, the figures, the reports and the tasks (inserted directly: no
    service that notifies runs); the two people measured."""
    from _national_dataset import build_dataset, synthetic_catalogue
    from django.core.management import call_command

    from binhdang.indicators.loading import load_catalogue
    from binhdang.orgunits.loading import load_reference_map
    from binhdang.plans.models import Task

    call_command("migrate", verbosity=0)
    load_reference_map()
    load_catalogue()
    synthetic_catalogue()
    data = build_dataset()
    rng = random.Random(16)
    today, now = timezone.localdate(), timezone.now()
    nation = OrgUnit.objects.get(code="VN")
    provinces = list(OrgUnit.objects.filter(level=Level.PROVINCE).live().order_by("code"))
    ministries = list(OrgUnit.objects.filter(level=Level.CENTRAL).live().order_by("code")[:5])
    communes = {p.pk: list(p.children.live().filter(level=Level.COMMUNE)) for p in provinces}
    national = _round(nation, "Báo cáo năm 2025 (quốc gia)", today + datetime.timedelta(days=10))
    reports = []
    for round, units in [(national, [*provinces, *ministries])] + [
        (_round(p, f"Báo cáo năm 2025 ({p.name})", today), communes[p.pk]) for p in provinces
    ]:
        for unit in units:
            sent = rng.random() < 0.5
            moment = now - datetime.timedelta(hours=rng.randint(1, 300)) if sent else None
            reports.append(
                Submission(
                    round=round,
                    unit=unit,
                    state=State.SUBMITTED if sent else State.DRAFT,
                    first_submitted_at=moment,
                    submitted_at=moment,
                )
            )
    Submission.objects.bulk_create(reports, batch_size=2000)
    tasks = []
    for province in provinces:
        for index in range(300):
            lead = rng.choice(communes[province.pk])
            days = rng.choice([-60, -20, -5, -1, 3, 10, 40, 90, 200])
            tasks.append(
                Task(
                    title=f"Nhiệm vụ {index} của {lead.name}",
                    assigned_by=province,
                    lead_unit=lead,
                    deadline=today + datetime.timedelta(days=days),
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
    province = OrgUnit.objects.get(code="P51")
    commune = province.children.live().filter(level=Level.COMMUNE).order_by("code").first()
    for (username, role), unit in zip(PEOPLE.values(), (commune, province), strict=True):
        User.objects.create(username=username, unit=unit, role=role)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "values": data["rows"],
        "reports": len(reports),
        "tasks": len(tasks),
        "communes": sum(len(c) for c in communes.values()),
        "provinces": len(provinces),
    }


def _typed(form, turn: int) -> dict:
    """The entry form's data with its first SAVED_LINES total lines changed (a different value
    on each save, with a note, so that no rule refuses it and every save writes 6 rows)."""
    data = dict(form.data)
    typed = 0
    for key in sorted(data, key=lambda k: int(k.split("-")[0]) if k[0].isdigit() else 0):
        pk, _, name = key.partition("-")
        if typed == SAVED_LINES or key in form.disabled or name not in ("value", "numerator"):
            continue
        if name == "value":
            data[key] = f"{1_000_000 + turn}"
        else:
            data[key] = f"{500_000 + turn}"
            data[f"{pk}-denominator"] = "1000000"
        data[f"{pk}-note"] = "Số liệu rà soát lại"
        typed += 1
    return data


def _time(call, repeat: int) -> tuple[list[float], int]:
    """Server times of `repeat` calls after one warm-up, and the queries of one more."""
    call(0)
    samples = []
    for turn in range(1, repeat + 1):
        start = time.perf_counter()
        call(turn)
        samples.append((time.perf_counter() - start) * 1000)
    reset_queries()  # DEBUG keeps the last 9,000 queries: a full log would count none
    with CaptureQueriesContext(connection) as queries:
        call(repeat + 1)
    return samples, len(queries)


def _saves(client, enter: str, label: str) -> tuple[list[float], int]:
    """Server times of saving the entry form, opened (untimed) before each save as an
    officer's tab was; the first save warms up, the queries are those of the last."""
    samples, count = [], 0
    for turn in range(ARGS.repeat + 1):
        data = _typed(opened(client, enter), turn)
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post(enter, data)
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 302, ("the save was refused", label, turn)
        if turn:
            samples.append(elapsed)
        count = len(queries)
    return samples, count


def measure() -> dict:
    """Every page for each person, in this process (the code on PYTHONPATH)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Pages as in production: templates without debug information (before the first page).
    settings.TEMPLATES[0].setdefault("OPTIONS", {})["debug"] = False
    results = {}
    for label, (username, _role) in PEOPLE.items():
        user = User.objects.select_related("unit").get(username=username)
        unit = user.unit
        report = Submission.objects.filter(unit=unit, round__year=YEAR).order_by("pk").first()
        client = Client()
        client.force_login(user)
        report_url = reverse("reporting:submission", args=[report.pk])
        enter = reverse("indicators:enter", args=[unit.pk]) + f"?year={YEAR}&next={report_url}"
        gets = {
            "home": reverse("workboard:home"),
            "enter": enter,
            "overview": reverse("indicators:overview", args=[unit.pk]) + f"?year={YEAR}",
            "reports": reverse("reporting:home"),
            "report": report_url,
        }
        pages = {}
        for page in PAGES:
            if page == "save":
                samples, count = _saves(client, enter, label)
            else:

                def get(turn, url=gets[page], client=client):
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)

                samples, count = _time(get, ARGS.repeat)
            pages[page] = {"samples": samples, "queries": count}
        results[label] = pages
    return {"results": results, "load": os.getloadavg()[0]}


def _run(checkout: Path | None) -> dict:
    """`measure()` in a new process with `checkout`'s code (None: this one's)."""
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout.resolve() / "src")
    done = subprocess.run(
        [
            sys.executable,
            str(HERE / "deadline_pages.py"),
            "--measure",
            "--repeat",
            str(ARGS.repeat),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"measuring {checkout or 'this checkout'} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def main() -> None:
    start = time.perf_counter()
    sizes = build()
    built = time.perf_counter() - start
    loads = [os.getloadavg()[0]]
    checkouts = {"after": None}
    if ARGS.baseline:
        checkouts = {"before": ARGS.baseline, "after": None}
    pooled = {name: {} for name in checkouts}
    for _turn in range(ARGS.turns):
        for name, checkout in checkouts.items():
            run = _run(checkout)
            loads.append(run["load"])
            for label, pages in run["results"].items():
                for page, figures in pages.items():
                    cell = pooled[name].setdefault((label, page), {"samples": [], "queries": 0})
                    cell["samples"] += figures["samples"]
                    cell["queries"] = figures["queries"]
    report = render(sizes, built, pooled, loads)
    print(report)
    if not ARGS.sqlite and not ARGS.no_write:
        _results.write_section("deadline-pages", report)


NAMES = {
    "home": "landing page (`/`, Việc cần làm)",
    "enter": "entry form, opened from the unit's report",
    "save": f"its save ({SAVED_LINES} lines changed)",
    "overview": "the unit's overview (`indicators:overview`)",
    "reports": "the reports page (`/reports/`)",
    "report": "the unit's report (`reporting:submission`)",
}


def render(sizes: dict, built: float, pooled: dict, loads: list[float]) -> str:
    machine = _results.machine()
    baseline = "before" in pooled
    lines = [
        "<!-- deadline-pages -->",
        "## The pages of a deadline (issue 16, item 3)",
        "",
        f"`bench/deadline_pages.py`, {datetime.date.today():%Y-%m-%d}, {machine}, load average "
        f"{min(loads):.1f}–{max(loads):.1f} during the run. The real map ({sizes['provinces']} "
        f"provinces, {sizes['communes']:,} communes), {sizes['values']:,} figures 2021–2030 "
        f"(bench/_national_dataset.py), {sizes['reports']:,} reports of 2025, "
        f"{sizes['tasks']:,} tasks; built in {built:.0f} s. Server time through every middleware "
        "and the template (Django's test client; templates without debug information, as in "
        "production), "
        f"{ARGS.repeat} views of each page after a warm-up in each of {ARGS.turns} turns per "
        "checkout"
        + (
            ", the baseline checkout (`before`) and this one (`after`) taking turns on the same "
            "database, each in its own process"
            if baseline
            else ""
        )
        + "; queries of one view. The save posts the form opened from the report with "
        f"{SAVED_LINES} total lines changed (the form is opened, untimed, before each save). On "
        "a shared machine absolute times are several times a quiet machine's (see the load "
        "average): compare the columns of one row.",
        "",
    ]
    header = "| who | page | "
    rule = "| --- | --- | "
    if baseline:
        header += "before median ms | p95 | queries | "
        rule += "---: | ---: | ---: | "
    header += f"median ms | p95 | queries | < {GOAL_MS} ms |"
    rule += "---: | ---: | ---: | --- |"
    lines += [header, rule]
    for label, _ in PEOPLE.items():
        for page in PAGES:
            after = pooled["after"][(label, page)]
            median = statistics.median(after["samples"])
            row = f"| {label} | {NAMES[page]} | "
            if baseline:
                before = pooled["before"][(label, page)]
                row += (
                    f"{statistics.median(before['samples']):.1f} | "
                    f"{_p95(before['samples']):.1f} | {before['queries']} | "
                )
            row += (
                f"{median:.1f} | {_p95(after['samples']):.1f} | {after['queries']} | "
                f"{'yes' if median < GOAL_MS else '**no**'} |"
            )
            lines.append(row)
    lines += [
        "",
        "Query counts leave out the save's COPY of new rows (a raw cursor the query log does "
        "not see: one statement). They do not grow with the tree: "
        "`src/binhdang/tests/test_deadline_queries.py` counts each page for both people on a "
        "small dataset and again after the province's reports, figures, tasks and locks grew "
        "tenfold, and a save of 2 lines against one of 12.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if ARGS.measure:
        print(json.dumps(measure()))
    else:
        main()
