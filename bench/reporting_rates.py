"""Benchmark: the reporting rates of a national round over every commune (~3,321).

Builds, on the real map, a national round asking all communes of the 34 provinces, with realistic
states (about 60% submitted, some late, returned and accepted), then times the rates query, the
breakdown by province, and the round page and the "who has not reported" page as the server
renders them (Django's test client: every middleware, the template, the queries).

Run: `uv run python bench/reporting_rates.py` (SQLite in a temporary directory), or with
DATABASE_URL naming a PostgreSQL server, where it creates a database of its own and drops it at
the end (bench/_own_database.py). Opening the round notifies every commune's users: the notices
stay in that database and the e-mails in memory (locmem). Writes its section of bench/RESULTS.md.
"""

import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

import _own_database

_own_database.script_only(__name__)
_own_database.create("rates")

import django  # noqa: E402

django.setup()
_own_database.guard()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.indicators.loading import load_catalogue  # noqa: E402
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import Level, OrgUnit  # noqa: E402
from binhdang.reporting import queries, services  # noqa: E402
from binhdang.reporting.models import ReportingRound, State, Submission  # noqa: E402

REPEAT = 30
NAME = "Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025 (benchmark)"


def timed(fn) -> tuple[float, int]:
    """Median milliseconds over REPEAT runs, and the number of SQL queries of one run."""
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    reset_queries()
    fn()
    return statistics.median(samples), len(connection.queries)


def build_round(actor) -> ReportingRound:
    """A national round to every commune, with states as a round looks a few days after its
    deadline: ~60% submitted (~85% of them on time), some returned, half accepted."""
    nation = actor.unit
    round = services.open_round(
        actor,
        nation,
        name=NAME,
        kind="annual",
        year=2025,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        deadline=timezone.localdate() + datetime.timedelta(days=1),
        levels=[Level.COMMUNE],
    )
    rng = random.Random(2025)
    cutoff = round.cutoff
    changed = []
    for submission in round.submissions.all():
        draw = rng.random()
        if draw < 0.4:
            submission.state = State.COMPLETE if draw < 0.05 else State.DRAFT
            continue
        late = rng.random() < 0.15
        moment = (
            cutoff + datetime.timedelta(hours=rng.randint(1, 200))
            if late
            else (cutoff - datetime.timedelta(hours=rng.randint(1, 400)))
        )
        submission.first_submitted_at = submission.submitted_at = moment
        roll = rng.random()
        submission.state = (
            State.RETURNED if roll < 0.1 else State.ACCEPTED if roll < 0.6 else State.SUBMITTED
        )
        changed.append(submission)
    Submission.objects.bulk_update(
        changed, ["state", "first_submitted_at", "submitted_at"], batch_size=1000
    )
    return round


def main() -> None:
    from django.conf import settings

    # The test client's host; no setup_test_environment(), whose template instrumentation
    # (a context copy per rendered template) would inflate the page times.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    load_reference_map()
    load_catalogue()

    nation = OrgUnit.objects.get(code="VN")
    province = OrgUnit.objects.get(code="P51")
    approver, _ = User.objects.get_or_create(
        username="bench-nation", defaults={"unit": nation, "role": Role.APPROVER}
    )
    viewer, _ = User.objects.get_or_create(
        username="bench-province", defaults={"unit": province, "role": Role.VIEWER}
    )
    start = time.perf_counter()
    round = build_round(approver)
    built = time.perf_counter() - start
    rates = queries.rates(round)

    settings.DEBUG = True  # record queries
    national, province_client = Client(), Client()
    national.force_login(approver)
    province_client.force_login(viewer)
    round_url = reverse("reporting:round", args=[round.pk])
    missing_url = reverse("reporting:missing", args=[round.pk])

    def page(client, url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    rows = []
    for name, fn in [
        ("rates of the national round (1 aggregate)", lambda: queries.rates(round)),
        (
            "rates by province (34 rows, grouped on the path)",
            lambda: queries.rates_by_subunit(round, nation),
        ),
        (
            "rates by commune inside a province",
            lambda: queries.rates_by_subunit(round, province),
        ),
        ("round page, nation's approver (server time)", page(national, round_url)),
        ("round page, a province's viewer (server time)", page(province_client, round_url)),
        ("who-has-not-reported page, nation (server time)", page(national, missing_url)),
    ]:
        ms, q = timed(fn)
        rows.append((name, ms, q))

    vendor = connection.vendor
    lines = [
        f"## Reporting rates ({vendor})",
        "",
        f"A national round asking all {rates.expected:,} communes: {rates.submitted:,} submitted "
        f"({rates.on_time:,} on time, {rates.late:,} late), {rates.missing:,} missing, "
        f"{rates.returned:,} returned, {rates.accepted:,} accepted. Round built (open_round "
        f"with its {rates.expected:,} submissions, then states set) in {built:.1f} s. Median of "
        f"{REPEAT} runs on this machine (2 cores shared, load average {os.getloadavg()[0]:.1f}), "
        "same process; page times go through every middleware "
        "and the template (Django's test client). Target: the rates page under 200 ms.",
        "",
        "| read | ms | queries |",
        "| --- | ---: | ---: |",
    ]
    for name, ms, q in rows:
        lines.append(f"| {name} | {ms:.2f} | {q} |")
    text = "\n".join(lines) + "\n"
    print(text)
    write_section(Path(__file__).with_name("RESULTS.md"), f"reporting-rates:{vendor}", text)


def write_section(out: Path, marker: str, text: str) -> None:
    """Replace this benchmark's part of RESULTS.md (for this database), keeping the others."""
    previous = out.read_text() if out.exists() else ""
    kept = "".join(
        "<!-- " + part for part in previous.split("<!-- ") if part and not part.startswith(marker)
    )
    if kept and not kept.endswith("\n\n"):
        kept += "\n"  # a blank line ends the table before
    out.write_text(f"{kept}<!-- {marker} -->\n{text}\n")


if __name__ == "__main__":
    sys.exit(main())
