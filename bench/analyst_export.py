"""Benchmark: the analyst export (issue 14, item 5) of the whole nation, as CSV and as Excel, on
the national dataset of bench/indicators_rollup.py: time, time to the first byte and peak memory,
against the existing one-year DHIS2 CSV export in the same run.

Run with DATABASE_URL pointing at any database of a PostgreSQL server (only to make its own):
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/analyst_export.py
The benchmark creates a throw-away database of its own on that server (bench/_own_database.py),
works there and drops it at the end; it refuses a database it did not make and sends no mail. It
writes the "Analyst export" section of bench/RESULTS.md (--no-write: prints only).

Each measurement runs in a fresh process (this script with --case, which uses the database its
parent made and checks it is one), through the whole Django stack (the test Client, the view, the
streamed response read to its end), so that its peak resident memory (VmHWM) is its own.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
PARSER.add_argument("--case", help=argparse.SUPPRESS)  # one measurement, in a child process
ARGS = PARSER.parse_args()

if not ARGS.case:
    if not _own_database.server_url():
        sys.exit("Set DATABASE_URL to a PostgreSQL database of the server to use.")
    # The children inherit DATABASE_URL and DATA_DIR, pointing at this database.
    _own_database.create("analyst", keep=ARGS.keep)

import django  # noqa: E402

django.setup()
_own_database.guard()  # a child too: only ever a database a benchmark made

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.indicators.models import DataValue  # noqa: E402
from binhdang.orgunits.models import OrgUnit  # noqa: E402

GOAL_MB, GOAL_FIRST_S = 200, 1.0  # issue 16: whatever the size


# ---------------------------------------------------------------------------------------------
# One measurement (a child process).

CASES = {
    # name: (unit code, url name, url args after the unit, query)
    "csv": ("VN", "indicators:analyst_export", [], {"format": "csv"}),
    "xlsx": ("VN", "indicators:analyst_export", [], {"format": "xlsx"}),
    "csv-2024": (
        "VN",
        "indicators:analyst_export",
        [],
        {"format": "csv", "first_year": 2024, "last_year": 2024},
    ),
    "dhis2-2024": ("VN", "indicators:dhis2_export", ["csv"], {"year": 2024}),
    "csv-P51": ("P51", "indicators:analyst_export", [], {"format": "csv"}),
    # The API (issue 14): a province's figures for a year, rolled up with their verdicts (the
    # province's own, then a page of 100 of its communes'), and the export through the API.
    "api-figures-P51": ("P51", "/api/v1/figures", [], {"year": 2024}),
    "api-figures-P51-communes": (
        "P51",
        "/api/v1/figures",
        [],
        {"year": 2024, "children": "true", "limit": 100},
    ),
    "api-export-P51": ("P51", "/api/v1/figures/export", [], {"format": "csv"}),
}


def peak_mb() -> float:
    """The process's peak resident memory (VmHWM): unlike ru_maxrss, not inherited across exec
    from the parent that built the dataset."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_case(name: str) -> dict:
    """Download one export as a browser would and read it to its end."""
    setup_test_environment()
    code, url_name, extra, query = CASES[name]
    unit = OrgUnit.objects.get(code=code)
    user = User.objects.get(username="bench-admin")
    client = Client()
    if url_name.startswith("/api/"):  # a token, as an API client signs in
        from binhdang.accounts.services import create_token

        _token, text = create_token(user, "bench", "read")
        client = Client(headers={"Authorization": f"Bearer {text}"})
        url, query = url_name, {"unit": unit.pk, **query}
        # Warm: the API builds its schemas on its first request, once per process.
        assert client.get("/api/v1/units", {"limit": 1}).status_code == 200
    else:
        client.force_login(user)
        url = reverse(url_name, args=[unit.pk, *extra])
    queries = 0

    def counter(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        response = client.get(url, query)
        assert response.status_code == 200, response
        body = response.streaming_content if response.streaming else [response.content]
        chunks = iter(body)
        first = next(chunks)
        first_byte = time.perf_counter() - start
        size, lines, first_row = len(first), first.count(b"\n"), None
        if lines > 1 or not response.streaming or name.startswith("xlsx"):
            first_row = first_byte
        for chunk in chunks:
            if first_row is None:
                first_row = time.perf_counter() - start
            size += len(chunk)
            lines += chunk.count(b"\n")
        total = time.perf_counter() - start
        response.close()
    return {
        "total_s": total,
        "first_byte_s": first_byte,
        "first_row_s": first_row if first_row is not None else total,
        "bytes": size,
        "lines": lines,
        "queries": queries,
        "maxrss_mb": peak_mb(),
    }


def bare_process_mb() -> float:
    """A process that set Django up and logged in, without exporting (the floor)."""
    setup_test_environment()
    Client().force_login(User.objects.get(username="bench-admin"))
    return peak_mb()


# ---------------------------------------------------------------------------------------------
# The parent: dataset, children, report.


def child(case: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--case", case],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if result.returncode:
        raise RuntimeError(f"{case} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(case: str, repeat: int) -> dict:
    runs = [child(case) for _ in range(repeat)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    median["max_rss"] = max(run["maxrss_mb"] for run in runs)
    median["runs"] = runs
    return median


def main() -> None:
    from _national_dataset import build_dataset, synthetic_catalogue

    from binhdang.indicators.loading import load_catalogue
    from binhdang.orgunits.loading import load_reference_map

    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_reference_map()
    load_catalogue()
    synthetic_catalogue()
    data = build_dataset()
    User.objects.create(
        username="bench-admin", unit=OrgUnit.objects.get(code="VN"), role=Role.SYSTEM_ADMIN
    )
    setup_s = time.perf_counter() - started
    values = DataValue.objects.count()
    in_2024 = DataValue.objects.filter(year=2024).count()
    in_p51 = DataValue.objects.filter(
        unit__path__startswith=OrgUnit.objects.get(code="P51").path
    ).count()
    print(f"{values:,} values ({data['by_kind']}), set up in {setup_s:.0f} s")
    connections.close_all()  # the children read the database on their own

    bare = statistics.median(
        float(subprocess.run(
            [sys.executable, __file__, "--case", "bare"],
            capture_output=True, text=True, check=True, env=os.environ.copy(),
        ).stdout.strip().splitlines()[-1])
        for _ in range(3)
    )  # fmt: skip
    results = {}
    for case in CASES:
        results[case] = measure(case, ARGS.repeat)
        r = results[case]
        print(
            f"{case}: {r['total_s']:.1f} s, first byte {r['first_byte_s']:.2f} s, first row "
            f"{r['first_row_s']:.2f} s, {r['bytes'] / 1e6:.0f} MB, {r['queries']} queries, "
            f"peak {r['max_rss']:.0f} MB"
        )
    # Every value in the national CSV, and nothing else (a line per value, plus the header).
    assert results["csv"]["lines"] == values + 1, (results["csv"]["lines"], values)
    assert results["csv-2024"]["lines"] == in_2024 + 1
    report = render(
        {
            "machine": _results.machine(),
            "values": values,
            "by_kind": data["by_kind"],
            "in_2024": in_2024,
            "in_p51": in_p51,
            "setup_s": setup_s,
            "bare_mb": bare,
            "load": (load_start, os.getloadavg()[0]),
            "results": results,
            "repeat": ARGS.repeat,
        }
    )
    print(report)
    if not ARGS.no_write:
        _results.write_section("analyst-export", report)


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render(run: dict) -> str:
    r = run["results"]
    today = time.strftime("%Y-%m-%d")
    lines = [
        "<!-- analyst-export -->",
        "## Analyst export: the whole nation in long format (issue 14, item 5)",
        "",
        f"Run of `bench/analyst_export.py` on {today}: {run['machine']}; load average "
        f"{run['load'][0]:.1f} at the start, {run['load'][1]:.1f} at the end.",
        "",
        f"Dataset: the one of `bench/indicators_rollup.py` (`bench/_national_dataset.py`: the "
        f"real map with the pre-2025 units and synthetic departments, 40 indicators, 2021–2030, "
        f"totals and by sex): **{run['values']:,} values**, the size a national export reaches "
        f"(set up in {run['setup_s']:.0f} s). Each figure is one download by a system "
        f"administrator through the whole stack (test Client, view, the response read to its "
        f"end) in a fresh process; median of {run['repeat']} runs; peak = "
        f"the process's peak resident memory (VmHWM), of which {run['bare_mb']:.0f} MB is "
        f"Django set up and logged in. First byte: until the response's first chunk; first row: "
        f"until the first chunk holding a value.",
        "",
        "| export | rows | file | total (s) | first byte (s) | first row (s) | queries | peak (MB) "
        "| < 200 MB | first byte < 1 s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    names = {
        "csv": "analyst CSV, nation, 2021–2030 (streamed)",
        "xlsx": "analyst Excel, nation, 2021–2030 (streamed zip)",
        "csv-2024": "analyst CSV, nation, 2024",
        "dhis2-2024": "baseline: DHIS2 CSV export, nation, 2024 (built in memory; a row per "
        "DHIS2 value, two per quotient)",
        "csv-P51": "analyst CSV, province P51, 2021–2030",
        "api-export-P51": "the same through the API (`GET /api/v1/figures/export`, a token)",
    }
    rows = {
        "csv": run["values"],
        "xlsx": run["values"],
        "csv-2024": run["in_2024"],
        "dhis2-2024": r["dhis2-2024"]["lines"] - 1,
        "csv-P51": run["in_p51"],
        "api-export-P51": run["in_p51"],
    }
    for case, name in names.items():
        x = r[case]
        lines.append(
            f"| {name} | {rows[case]:,} | {x['bytes'] / 1e6:.0f} MB | {x['total_s']:.1f} "
            f"| {x['first_byte_s']:.2f} | {x['first_row_s']:.2f} | {x['queries']} "
            f"| {x['max_rss']:.0f} | {met(x['max_rss'] < GOAL_MB)} "
            f"| {met(x['first_byte_s'] < GOAL_FIRST_S)} |"
        )
    csv, xlsx, dhis, year = r["csv"], r["xlsx"], r["dhis2-2024"], r["csv-2024"]
    own, communes = r["api-figures-P51"], r["api-figures-P51-communes"]
    lines += [
        "",
        "The API's figures endpoint for a province (issue 14), same run, same way (a fresh "
        "process, a read-only token, the JSON read to its end; the process has answered one "
        "API request before, as a served API has, since the API builds its schemas on its "
        "first):",
        "",
        "| request | total (ms) | queries | peak (MB) |",
        "| --- | ---: | ---: | ---: |",
        f"| `GET /api/v1/figures?unit=P51&year=2024`: the province's 40 figures rolled up from "
        f"its communes, with target and verdict | {own['total_s'] * 1000:.0f} | {own['queries']} "
        f"| {own['max_rss']:.0f} |",
        f"| the same with `children=true&limit=100`: a page of its communes' figures "
        f"| {communes['total_s'] * 1000:.0f} | {communes['queries']} "
        f"| {communes['max_rss']:.0f} |",
        "",
        f"Against the baseline on the same year (2024): the streamed export takes "
        f"{year['max_rss'] - run['bare_mb']:.0f} MB above the bare process where the DHIS2 "
        f"export, which builds its records and its file in memory before sending a byte, takes "
        f"{dhis['max_rss'] - run['bare_mb']:.0f} MB; the whole nation over ten years "
        f"({run['values'] / max(run['in_2024'], 1):.1f}× the rows) stays at "
        f"{csv['max_rss'] - run['bare_mb']:.0f} MB above it as CSV and "
        f"{xlsx['max_rss'] - run['bare_mb']:.0f} MB as Excel. The rows are read 500 units at a "
        "time (`values_list(...).iterator()`, two queries per 500 units), so the memory does not "
        "grow with the size; the Excel workbook is a zip written into a pipe emptied as it "
        "fills (`core.exports.xlsx_stream`), so its first bytes leave at once too.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if ARGS.case == "bare":
        print(bare_process_mb())
    elif ARGS.case:
        print(json.dumps(run_case(ARGS.case)))
    else:
        main()  # the database and its files are dropped at exit, also when stopped
