"""Benchmark: the national consolidated report, end to end.

A national round asks the 34 provinces and the central agencies; every submission is accepted
with its three narrative sections written. Figures: every strategy target for every province in
2025, the old (pre-2025) provinces for 2022–2024 (last year's comparison and the forecast), a few
targets for each central agency, and every commune's yes/no for target 1.1 (computed from the
communes); about 5,000 activities in 2025. Then a second national round asks all 3,321 communes
directly (three in five accepted with their sections). The timed work is what the page's button
starts: the background job (run inline, as by default) that gathers the report, writes the Word
file and the Excel annex, and stores them (no PDF: LibreOffice is optional). Target: under 5 s,
with a number of queries that does not grow with the sub-units.

Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python
bench/reporting_report.py`: DATABASE_URL only names the server, on which the benchmark creates a
database of its own and drops it at the end (bench/_own_database.py); without DATABASE_URL, on
SQLite in a temporary directory. Writes its section `<!-- consolidated-report -->` of
bench/RESULTS.md (not with --no-write); --keep keeps the database.
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
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
PARSER.add_argument("--repeat", type=int, default=3, help="runs of each report")
ARGS = PARSER.parse_args()
_own_database.create("report", keep=ARGS.keep)

import django  # noqa: E402

django.setup()
_own_database.guard()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.activities.models import Activity  # noqa: E402
from binhdang.core.models import Job  # noqa: E402
from binhdang.indicators import sums  # noqa: E402
from binhdang.indicators.loading import load_catalogue  # noqa: E402
from binhdang.indicators.models import DataValue, Indicator, Measure  # noqa: E402
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import Level, OrgUnit  # noqa: E402
from binhdang.reporting import consolidated, documents  # noqa: E402
from binhdang.reporting.models import (  # noqa: E402
    DEFAULT_SECTIONS,
    ReportingRound,
    RoundSection,
    SectionText,
    State,
    Submission,
)

YEAR = 2025
TARGET_S = 5.0
MARKER = "<!-- consolidated-report -->"
PARAGRAPH = (
    "Năm {year}, {unit} đã ban hành kế hoạch thực hiện công tác bình đẳng giới, tổ chức các hội "
    "nghị, lớp tập huấn về lồng ghép giới và phòng ngừa bạo lực trên cơ sở giới; kiện toàn Ban "
    "Vì sự tiến bộ của phụ nữ; phối hợp với các sở, ngành, đoàn thể triển khai Tháng hành động "
    "vì bình đẳng giới. Số liệu minh họa cho phép đo hiệu năng."
)


def _value(indicator: Indicator, unit: OrgUnit, year: int, rng: random.Random) -> DataValue:
    row = DataValue(indicator=indicator, unit=unit, year=year, category="")
    if indicator.measure in (Measure.SHARE, Measure.RATIO, Measure.RATE):
        denominator = Decimal(rng.randint(200, 5000))
        if indicator.measure == Measure.SHARE:
            numerator = (denominator * Decimal(rng.uniform(0.2, 0.9))).quantize(Decimal(1))
        elif indicator.measure == Measure.RATIO:
            numerator = (denominator * Decimal(rng.uniform(1.0, 1.2))).quantize(Decimal(1))
        else:
            numerator = Decimal(rng.randint(0, 60))
        row.numerator, row.denominator = numerator, denominator
        row.value = numerator / denominator * indicator.multiplier
    elif indicator.measure == Measure.MILESTONE:
        row.value = Decimal(rng.randint(0, 1))
    else:
        row.value = Decimal(rng.randint(0, 500))
    return row


@transaction.atomic
def prepare() -> tuple[ReportingRound, OrgUnit, User]:
    """The synthetic national round, in the benchmark's new database."""
    rng = random.Random(YEAR)
    nation = OrgUnit.objects.get(code="VN")
    provinces = list(OrgUnit.objects.filter(level=Level.PROVINCE).live().order_by("code"))
    central = list(OrgUnit.objects.filter(level=Level.CENTRAL).live().order_by("code"))
    legacy = list(OrgUnit.objects.filter(level=Level.PROVINCE).historical().order_by("code"))
    communes = list(OrgUnit.objects.filter(level=Level.COMMUNE).live())
    indicators = list(Indicator.objects.filter(owner_unit=None))
    by_number = {i.number: i for i in indicators}
    rows = []
    for province in provinces:
        rows += [_value(i, province, YEAR, rng) for i in indicators]
    for year in (2022, 2023, 2024):
        for old in legacy:
            rows += [_value(i, old, year, rng) for i in indicators]
    for agency in central:
        rows += [_value(by_number[n], agency, YEAR, rng) for n in ("2.1", "5.2a", "5.2b")]
    one_one = by_number["1.1"]
    for commune in communes:
        rows.append(
            DataValue(indicator=one_one, unit=commune, year=YEAR, value=Decimal(rng.randint(0, 1)))
        )
    DataValue.objects.bulk_create(rows, batch_size=2000)
    sums.rebuild()  # written outside the services: the roll-up's sums made again

    kinds = [k for k, _ in Activity._meta.get_field("kind").choices]
    organisers = provinces + central + communes[::3]
    activities = []
    for number in range(5000):
        day = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
        people = rng.randint(20, 300)
        activities.append(
            Activity(
                title=f"Hoạt động {number}",
                kind=rng.choice(kinds),
                start_date=day,
                end_date=day,
                organiser=rng.choice(organisers),
                participants=people,
                women=rng.randint(0, people),
            )
        )
    Activity.objects.bulk_create(activities, batch_size=2000)

    admin, _ = User.objects.get_or_create(
        username="bench-report", defaults={"unit": nation, "role": Role.SYSTEM_ADMIN}
    )
    round = ReportingRound.objects.create(
        opener=nation,
        name=f"Báo cáo kết quả thực hiện công tác bình đẳng giới năm {YEAR}",
        kind="annual",
        year=YEAR,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        deadline=datetime.date(YEAR, 12, 15),
    )
    sections = [
        RoundSection.objects.create(round=round, position=n, key=key, title=title)
        for n, (key, title) in enumerate(DEFAULT_SECTIONS, start=1)
    ]
    round.indicators.set(indicators)
    submissions = Submission.objects.bulk_create(
        Submission(round=round, unit=unit, state=State.ACCEPTED) for unit in provinces + central
    )
    units = {unit.pk: unit for unit in provinces + central}
    SectionText.objects.bulk_create(
        SectionText(
            submission=submission,
            section=section,
            text="\n\n".join(
                [PARAGRAPH.format(year=YEAR, unit=units[submission.unit_id].name)] * 3
            ),
        )
        for submission in submissions
        for section in sections
    )
    return round, nation, admin


@transaction.atomic
def prepare_communes(nation: OrgUnit) -> ReportingRound:
    """A national round asking every live commune directly (as `bench/reporting_rates.py`
    opens one): three in five accepted with their three sections, the others submitted,
    returned or missing."""
    rng = random.Random(YEAR + 1)
    communes = list(OrgUnit.objects.filter(level=Level.COMMUNE).live().order_by("code"))
    round = ReportingRound.objects.create(
        opener=nation,
        name=f"Báo cáo công tác bình đẳng giới cấp xã năm {YEAR}",
        kind="annual",
        year=YEAR,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        deadline=datetime.date(YEAR, 12, 20),
    )
    sections = [
        RoundSection.objects.create(round=round, position=n, key=key, title=title)
        for n, (key, title) in enumerate(DEFAULT_SECTIONS, start=1)
    ]
    round.indicators.set(Indicator.objects.filter(owner_unit=None))
    states = [State.ACCEPTED] * 3 + [State.SUBMITTED, State.RETURNED]
    submissions = Submission.objects.bulk_create(
        (Submission(round=round, unit=unit, state=rng.choice(states)) for unit in communes),
        batch_size=2000,
    )
    names = {unit.pk: unit.name for unit in communes}
    SectionText.objects.bulk_create(
        (
            SectionText(
                submission=submission,
                section=section,
                text=PARAGRAPH.format(year=YEAR, unit=names[submission.unit_id]),
            )
            for submission in submissions
            if submission.state == State.ACCEPTED
            for section in sections
        ),
        batch_size=2000,
    )
    return round


def measure(round: ReportingRound, nation: OrgUnit, admin: User) -> dict:
    """The job end to end, then each of its steps, ARGS.repeat times; the gathering's queries."""
    totals, gathers, words, sheets, queries, job_queries = [], [], [], [], 0, 0
    for _ in range(ARGS.repeat):
        with CaptureQueriesContext(connection) as in_job:
            begin = time.perf_counter()
            job = consolidated.start_report_job(admin, round, nation, pdf=False)
            totals.append(time.perf_counter() - begin)
        assert job.status == Job.Status.DONE, job.error
        job_queries = len(in_job.captured_queries)
        with CaptureQueriesContext(connection) as gathering:
            begin = time.perf_counter()
            report = consolidated.build_report(round, nation)
            gathers.append(time.perf_counter() - begin)
        queries = len(gathering.captured_queries)
        begin = time.perf_counter()
        docx = documents.report_docx(report)
        words.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        xlsx = documents.report_annex_xlsx(report)
        sheets.append(time.perf_counter() - begin)
    return {
        "subunits": round.submissions.count(),
        "accepted": round.submissions.filter(state=State.ACCEPTED).count(),
        "totals": totals,
        "gathers": gathers,
        "words": words,
        "sheets": sheets,
        "queries": queries,
        "job_queries": job_queries,
        "docx": len(docx),
        "xlsx": len(xlsx),
    }


def table(run: dict) -> list[str]:
    """A run's table in RESULTS.md."""
    totals, gathers, words, sheets = run["totals"], run["gathers"], run["words"], run["sheets"]
    return [
        "| step | median (s) | max (s) |",
        "| --- | ---: | ---: |",
        f"| whole job: gather, Word, Excel, store the files ({run['job_queries']} queries) | "
        f"{statistics.median(totals):.2f} | {max(totals):.2f} |",
        f"| gather the report ({run['queries']} queries) | {statistics.median(gathers):.2f} | "
        f"{max(gathers):.2f} |",
        f"| write the Word file ({run['docx'] // 1024} KiB) | {statistics.median(words):.2f} | "
        f"{max(words):.2f} |",
        f"| write the Excel annex ({run['xlsx'] // 1024} KiB) | {statistics.median(sheets):.2f} | "
        f"{max(sheets):.2f} |",
    ]


def main() -> None:
    call_command("migrate", verbosity=0)
    load_reference_map()
    load_catalogue()
    start = time.perf_counter()
    round, nation, admin = prepare()
    ready = f"set up in {time.perf_counter() - start:.1f} s"

    provinces = measure(round, nation, admin)
    begin = time.perf_counter()
    national = prepare_communes(nation)
    communes_ready = f"set up in {time.perf_counter() - begin:.1f} s"
    communes = measure(national, nation, admin)

    vendor = connection.vendor
    load = os.getloadavg()[0]
    lines = [
        MARKER,
        "## Consolidated report",
        "",
        f"The national report ({vendor}), as the page's button makes it: the background job run "
        f"inline as by default, without the PDF; median of {ARGS.repeat} runs each, in one run of "
        f"`bench/reporting_report.py` on {_results.machine()}, load average {load:.1f}. "
        f"{DataValue.objects.count():,} figures, {Activity.objects.count():,} activities "
        f"({ready}). Target: under {TARGET_S:.0f} s and a number of queries that does not grow "
        "with the sub-units.",
        "",
        f"**A round asking the {provinces['subunits']} provinces and central agencies**, all "
        f"accepted with three sections each: {verdict(provinces)}.",
        "",
        *table(provinces),
        "",
        f"**A national round asking all {communes['subunits']:,} communes** "
        f"({communes['accepted']:,} accepted with three sections each, the others submitted or "
        f"returned; {communes_ready}): {verdict(communes)}.",
        "",
        *table(communes),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not ARGS.no_write:
        _results.write_section("consolidated-report", text)


def verdict(run: dict) -> str:
    median = statistics.median(run["totals"])
    return (
        f"meets the target ({median:.2f} s)"
        if median < TARGET_S
        else (f"**misses** the target by {median - TARGET_S:.1f} s")
    )


if __name__ == "__main__":
    sys.exit(main())
