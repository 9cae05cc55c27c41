"""Benchmark: how well the intake reads committee news, against the corpus's expected records.

    uv run python bench/intake.py              # SQLite throw-away database; writes RESULTS.md
    uv run python bench/intake.py --verbose    # and prints each report's misses and false findings
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        uv run python bench/intake.py --postgresql

The real map (`load_reference_map()`: current and pre-2025 units, central agencies old and new) is
loaded into a database made for the run (bench/_own_database.py) and dropped after it. Each
report of `src/binhdang/intake/corpus/` goes through `intake.sources.from_text` and
`intake.extract.read` with the officer's unit (the report's `home_unit`); the proposals are
scored by `intake.scoring` (precision and recall per field family, see its docstring) and the
reading is timed (median of --repeat runs per report, after a first read that loads the language
models). Writes the `<!-- intake -->` section of bench/RESULTS.md.
"""

import argparse
import os
import statistics
import sys
import time

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--postgresql", action="store_true", help="use DATABASE_URL's server")
PARSER.add_argument("--verbose", action="store_true", help="print misses and false findings")
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--repeat", type=int, default=3, help="timed reads per report")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
ARGS = PARSER.parse_args()

if ARGS.postgresql and not _own_database.server_url():
    sys.exit("--postgresql needs DATABASE_URL pointing at a PostgreSQL server.")
_own_database.create("intake", sqlite=not ARGS.postgresql, keep=ARGS.keep)
LOAD_START = os.getloadavg()[0]

import django  # noqa: E402

django.setup()
_own_database.guard()

from django.core.management import call_command  # noqa: E402

from binhdang.core import dates  # noqa: E402
from binhdang.intake import scoring  # noqa: E402
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import OrgUnit  # noqa: E402

try:
    from binhdang.intake.extract import read
    from binhdang.intake.sources import from_text
except ImportError as missing:
    sys.exit(f"The intake reader is not there yet ({missing}); nothing measured.")

# The goal for these families; members and tasks are reported beside them.
GOAL_FAMILIES = ("dates", "kinds", "units", "decisions", "figures")
GOAL_PRECISION, GOAL_RECALL = 0.9, 0.8


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_reference_map()
    setup_s = time.perf_counter() - started
    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    code_of = {unit.pk: code for code, unit in units.items()}.get
    reports = scoring.load_corpus()

    first = time.perf_counter()
    read(from_text(reports[0].text), home_unit=units.get(reports[0].home_unit))
    first_ms = (time.perf_counter() - first) * 1000

    total = scoring.Score()
    # Units as they would be if the officer took the reader's first candidate of every open choice.
    lenient = scoring.Score()
    rows = []
    published = {"right": 0, "expected": 0, "wrong": 0}
    for report in reports:
        home = units.get(report.home_unit)
        samples = []
        for _ in range(max(1, ARGS.repeat)):
            start = time.perf_counter()
            document = from_text(report.text)
            reading = read(document, home_unit=home)
            samples.append((time.perf_counter() - start) * 1000)
        proposals = [scoring.plain(p.kind, p.fields, code_of) for p in reading.proposals]
        result = scoring.score(proposals, report.expected)
        total += result
        lenient += scoring.score(
            [
                scoring.plain(p.kind, p.fields, code_of, first_candidate=True)
                for p in reading.proposals
            ],
            report.expected,
        )
        if report.published:
            published["expected"] += 1
            published["right"] += document.published == report.published
        published["wrong"] += bool(document.published and document.published != report.published)
        median_ms = statistics.median(samples)
        rows.append((report, result, median_ms, len(proposals)))
        if ARGS.verbose:
            print(f"\n== {report.name}: {len(proposals)} proposals, {median_ms:.0f} ms")
            for line in result.misses:
                print(f"   missed: {line}")
            for line in result.false_findings:
                print(f"   false:  {line}")

    text = render(total, lenient, rows, published, first_ms, setup_s, len(units))
    print(text)
    if not ARGS.no_write:
        _results.write_section("intake", text)


def rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render(total, lenient, rows, published, first_ms, setup_s, unit_count) -> str:
    times = sorted(ms for *_, ms, _ in rows)
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))]
    lines = [
        "<!-- intake -->",
        "## Intake: draft records read from committee news (issue 15, item 5)",
        "",
        f"`bench/intake.py`, {dates.today():%Y-%m-%d}, {_results.machine()}; load average "
        f"{LOAD_START:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. Corpus: "
        f"{len(rows)} fictional reports (`src/binhdang/intake/corpus/`, 2009–2025, ministries "
        f"old and new, provinces, districts, communes), {total.records.expected} expected "
        f"records; the real map ({unit_count:,} units) loaded in {setup_s:.0f} s. Each report "
        "goes through `sources.from_text` and `extract.read` with the officer's unit; a unit "
        "counts only when the reader chose it (a mention left to the officer is no finding). "
        "Precision = correct proposed / proposed, recall = correct proposed / expected, field "
        "by field, a proposal paired with the closest expected record of its kind "
        "(`intake/scoring.py`).",
        "",
        "| family | proposed | expected | correct | precision | recall | goal (≥ 0.9 / ≥ 0.8) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for family in scoring.FAMILIES:
        tally = total.families[family]
        goal = ""
        if family in GOAL_FAMILIES:
            met = (tally.precision or 0) >= GOAL_PRECISION and (tally.recall or 0) >= GOAL_RECALL
            goal = "met" if met else "**short**"
        lines.append(row(family, tally, goal))
    lines.append(
        row("units, taking the first candidate of each open choice", lenient.families["units"], "")
    )
    lines.append(row("**all fields**", total.overall, ""))
    lines.append(row("records (paired)", total.records, ""))
    lines += [
        "",
        f"Publication date found: {published['right']}/{published['expected']} where the paste "
        f"prints one; {published['wrong']} wrong. Reading time per report (median of "
        f"{ARGS.repeat}): median {statistics.median(times):.0f} ms, p90 {p90:.0f} ms, max "
        f"{times[-1]:.0f} ms; the first read of the process (loading the language models) "
        f"{first_ms:.0f} ms.",
        "",
        "Units missed, by field: "
        + ", ".join(
            f"{name} {count}"
            for name, count in total.missed_fields.most_common()
            if name.split(".")[1] in scoring.UNIT_FIELDS
        )
        + ". All misses by field: "
        + ", ".join(f"{name} {count}" for name, count in total.missed_fields.most_common())
        + ".",
        "",
        "Per report (misses and false findings are fields; `bench/intake.py --verbose` lists "
        "them):",
        "",
        "| report | expected | proposed | paired | missed | false | ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for report, result, ms, proposed in rows:
        lines.append(
            f"| {report.name} | {result.records.expected} | {proposed} | "
            f"{result.records.correct} | {len(result.misses)} | {len(result.false_findings)} "
            f"| {ms:.0f} |"
        )
    return "\n".join(lines) + "\n"


def row(label: str, tally, goal: str) -> str:
    return (
        f"| {label} | {tally.proposed} | {tally.expected} | {tally.correct} | "
        f"{rate(tally.precision)} | {rate(tally.recall)} | {goal} |"
    )


main()
