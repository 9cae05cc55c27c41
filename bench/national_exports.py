"""Benchmark: national exports streamed (issue 16, item 4) and `setup_demo` on PostgreSQL, before
and after, in one run.

Run with DATABASE_URL pointing at any database of a PostgreSQL server (only to make its own), and
the code to compare with extracted from another branch (optional, without it "after" only):
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    mkdir -p /tmp/before && git archive main src | tar -x -C /tmp/before
    uv run python bench/national_exports.py --before /tmp/before/src
The benchmark creates throw-away databases of its own on that server (bench/_own_database.py):
one with the national dataset of bench/_national_dataset.py (~1 M values, as
bench/analyst_export.py), one empty database per `setup_demo` measured; it drops them at the end,
refuses any database it did not make and sends no mail. It writes the "national-exports" and
"setup-demo" sections of bench/RESULTS.md (--no-write: prints only).

Each measurement runs in a fresh process (this script with --case) so that its peak resident
memory (VmHWM) is its own; "before" runs the same case with `--before`'s source first on the
import path (the code of the other branch, same database, same data).
"""

import argparse
import json
import os
import resource
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
PARSER.add_argument("--before", help="the source directory (…/src) of the code to compare with")
PARSER.add_argument("--repeat", type=int, default=1, help="runs per export (median)")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark databases")
PARSER.add_argument("--skip-demo", action="store_true", help="measure the exports only")
PARSER.add_argument("--skip-exports", action="store_true", help="measure setup_demo only")
PARSER.add_argument("--cases", help="the exports to measure, comma-separated (default: all)")
PARSER.add_argument("--case", help=argparse.SUPPRESS)  # one measurement, in a child process
ARGS = PARSER.parse_args()

if not ARGS.case:
    if not _own_database.server_url():
        sys.exit("Set DATABASE_URL to a PostgreSQL database of the server to use.")
    # The children inherit DATABASE_URL and DATA_DIR, pointing at this database.
    _own_database.create("exports", keep=ARGS.keep)

import django  # noqa: E402

django.setup()
_own_database.guard()  # a child too: only ever a database a benchmark made

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

GOAL_MB, GOAL_FIRST_S, GOAL_DEMO_S = 200, 1.0, 30.0  # issue 16, item 4

# name: (unit code, url name, url args after the unit, query)
EXPORTS = {
    "dhis2-json": ("VN", "indicators:dhis2_export", ["json"], {"year": 2024}),
    "dhis2-csv": ("VN", "indicators:dhis2_export", ["csv"], {"year": 2024}),
    "dhis2-adx": ("VN", "indicators:dhis2_export", ["adx"], {"year": 2024}),
    "dhis2-json-2025": ("VN", "indicators:dhis2_export", ["json"], {"year": 2025}),
    "analyst-csv-2024": (
        "VN",
        "indicators:analyst_export",
        [],
        {"format": "csv", "first_year": 2024, "last_year": 2024},
    ),
    "analyst-xlsx-2024": (
        "VN",
        "indicators:analyst_export",
        [],
        {"format": "xlsx", "first_year": 2024, "last_year": 2024},
    ),
    "template-nation": ("VN", "indicators:excel_template", [], {"year": 2025, "children": "1"}),
}
NAMES = {
    "dhis2-json": "DHIS2 JSON, nation, 2024",
    "dhis2-csv": "DHIS2 CSV, nation, 2024",
    "dhis2-adx": "DHIS2 ADX, nation, 2024",
    "dhis2-json-2025": "DHIS2 JSON, nation, 2025 (the current map)",
    "analyst-csv-2024": "analyst CSV, nation, 2024",
    "analyst-xlsx-2024": "analyst Excel, nation, 2024",
    "template-nation": "Excel template of the nation with its sub-units, 2025",
}


def peak_mb() -> float:
    """The process's peak resident memory (VmHWM), not inherited across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def cpu_s() -> float:
    """CPU seconds this process used (less sensitive than wall time to a shared machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_export(name: str) -> dict:
    """Download one export as a browser would and read it to its end."""
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from binhdang.accounts.models import User
    from binhdang.orgunits.models import OrgUnit

    setup_test_environment()
    code, url_name, extra, query = EXPORTS[name]
    unit = OrgUnit.objects.get(code=code)
    client = Client()
    client.force_login(User.objects.get(username="bench-admin"))
    url = reverse(url_name, args=[unit.pk, *extra])
    bare = peak_mb()
    start = time.perf_counter()
    response = client.get(url, query)
    assert response.status_code == 200, response
    chunks = iter(response.streaming_content if response.streaming else [response.content])
    first = next(chunks)
    first_byte = time.perf_counter() - start
    size, lines = len(first), first.count(b"\n")
    for chunk in chunks:
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - start
    response.close()
    return {
        "total_s": total,
        "first_byte_s": first_byte,
        "bytes": size,
        "lines": lines,
        "streamed": response.streaming,
        "peak_mb": peak_mb(),
        "bare_mb": bare,
    }


def run_demo() -> dict:
    """`setup_demo` on the empty database of this child, twice (the second changes nothing)."""
    import io

    from binhdang.orgunits.loading import wanted_units
    from binhdang.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0)
    queries = 0

    def counter(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    result = {}
    for run in ("first", "second"):
        queries = 0
        cpu, start = cpu_s(), time.perf_counter()
        with connection.execute_wrapper(counter):
            call_command("setup_demo", stdout=io.StringIO())
        result[run] = {
            "total_s": time.perf_counter() - start,
            "cpu_s": cpu_s() - cpu,
            "queries": queries,
        }
    # The package's data, read (and compiled: this machine writes no .pyc) by both runs.
    start = time.perf_counter()
    wanted_units()
    result["read_map_s"] = time.perf_counter() - start
    rows = list(OrgUnit.objects.values_list("pk", "parent_id", "path", "depth"))
    paths = {pk: path for pk, _parent, path, _depth in rows}
    result["units"] = len(rows)
    result["paths_ok"] = all(
        path == (paths[parent] if parent else "/") + f"{pk}/" and depth == path.count("/") - 2
        for pk, parent, path, depth in rows
    )
    return result


# ---------------------------------------------------------------------------------------------
# The parent: dataset, children, report.


def child(case: str, source: str | None, url: str | None = None) -> dict:
    env = os.environ.copy()
    if source:
        env["PYTHONPATH"] = source + os.pathsep + env.get("PYTHONPATH", "")
    if url:
        env["DATABASE_URL"] = url
    result = subprocess.run(
        [sys.executable, __file__, "--case", case], capture_output=True, text=True, env=env
    )
    if result.returncode:
        raise RuntimeError(f"{case} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(case: str, source: str | None) -> dict:
    runs = [child(case, source) for _ in range(ARGS.repeat)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    median["peak_mb"] = max(run["peak_mb"] for run in runs)
    return median


def demo(source: str | None, label: str) -> dict:
    own = _own_database.create(f"demo_{label}", keep=ARGS.keep, use=False)
    try:
        return child("demo", source, own.url)
    finally:
        _own_database.drop(own)
        _own_database._MADE.remove(own)


def versions() -> list[tuple[str, str | None]]:
    return ([("before", ARGS.before)] if ARGS.before else []) + [("after", None)]


def main() -> None:
    load = [os.getloadavg()[0]]
    exports, demos, setup = {}, {}, {}
    if not ARGS.skip_exports:
        from _national_dataset import build_dataset, synthetic_catalogue

        from binhdang.accounts.models import Role, User
        from binhdang.indicators.loading import load_catalogue
        from binhdang.indicators.models import DataValue
        from binhdang.orgunits.loading import load_reference_map
        from binhdang.orgunits.models import OrgUnit

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        load_reference_map()
        load_catalogue()
        synthetic_catalogue()
        build_dataset()
        User.objects.create(
            username="bench-admin", unit=OrgUnit.objects.get(code="VN"), role=Role.SYSTEM_ADMIN
        )
        setup = {
            "s": time.perf_counter() - started,
            "values": DataValue.objects.count(),
            "2024": DataValue.objects.filter(year=2024).count(),
            "2025": DataValue.objects.filter(year=2025).count(),
        }
        print(f"{setup['values']:,} values, set up in {setup['s']:.0f} s", flush=True)
        connections.close_all()  # the children read the database on their own
        chosen = ARGS.cases.split(",") if ARGS.cases else list(EXPORTS)
        for case in chosen:
            for version, source in versions():
                if version == "before" and not case.startswith("dhis2"):
                    continue  # the same code before and after
                x = measure(case, source)
                exports[(case, version)] = x
                load.append(os.getloadavg()[0])
                print(
                    f"{case} {version}: {x['total_s']:.1f} s, first byte "
                    f"{x['first_byte_s']:.2f} s, {x['bytes'] / 1e6:.1f} MB, "
                    f"peak {x['peak_mb']:.0f} MB (load {load[-1]:.1f})",
                    flush=True,
                )
        for case in ("dhis2-json", "dhis2-csv", "dhis2-adx"):
            if (case, "before") in exports:  # the same file, byte for byte (ADX: its time)
                same = exports[(case, "before")]["bytes"] == exports[(case, "after")]["bytes"]
                assert same, case
    if not ARGS.skip_demo:
        for version, source in versions():
            demos[version] = demo(source, version)
            load.append(os.getloadavg()[0])
            d = demos[version]
            assert d["paths_ok"], f"{version}: a path does not follow its parent's"
            print(f"setup_demo {version}: {d}", flush=True)
    run = {
        "machine": _results.machine(),
        "load": load,
        "setup": setup,
        "exports": exports,
        "demos": demos,
    }
    for name, text in (("national-exports", render_exports(run)), ("setup-demo", render_demo(run))):
        if text:
            print(text)
            if not ARGS.no_write:
                _results.write_section(name, text)


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _load(run: dict) -> str:
    return (
        f"load average {run['load'][0]:.1f} at the start, {max(run['load']):.1f} at most, "
        f"{run['load'][-1]:.1f} at the end (2 cores shared with other agents' work)"
    )


def render_rerun(run: dict) -> str:
    """The section as it was, with a table of the exports measured again (`--cases`)."""
    text = _results.RESULTS.read_text() if _results.RESULTS.exists() else ""
    start = text.find("<!-- national-exports -->")
    end = text.find("<!-- ", start + 1)
    kept = text[start : end if end >= 0 else len(text)].rstrip("\n") if start >= 0 else ""
    lines = [
        kept or "<!-- national-exports -->",
        "",
        f"Measured again ({', '.join(ARGS.cases.split(','))}) on "
        f"{time.strftime('%Y-%m-%d %H:%M')} after the streams send their head before the first "
        f"query (ADX: the declaration and root; Excel: the zip's first members), same dataset "
        f"and way; {_load(run)}:",
        "",
        "| export | version | file | total (s) | first byte (s) | peak (MB) | < 200 MB "
        "| first byte < 1 s |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    lines += [_export_row(case, version, x) for (case, version), x in run["exports"].items()]
    return "\n".join(lines) + "\n"


def _export_row(case: str, version: str, x: dict) -> str:
    return (
        f"| {NAMES[case]} | {version}{'' if x['streamed'] else ' (in memory)'} "
        f"| {x['bytes'] / 1e6:.1f} MB | {x['total_s']:.1f} | {x['first_byte_s']:.2f} "
        f"| {x['peak_mb']:.0f} | {met(x['peak_mb'] < GOAL_MB)} "
        f"| {met(x['first_byte_s'] < GOAL_FIRST_S)} |"
    )


def render_exports(run: dict) -> str:
    if not run["exports"]:
        return ""
    if ARGS.cases:
        return render_rerun(run)
    s = run["setup"]
    lines = [
        "<!-- national-exports -->",
        "## National exports, streamed (issue 16, item 4)",
        "",
        f"Run of `bench/national_exports.py` on {time.strftime('%Y-%m-%d')}: {run['machine']}; "
        f"{_load(run)}.",
        "",
        f"Dataset: `bench/_national_dataset.py` (as `bench/analyst_export.py`): **{s['values']:,} "
        f"values**, {s['2024']:,} in 2024 (the old map, its 10,000 communes), {s['2025']:,} in "
        f"2025; set up in {s['s']:.0f} s. Each figure: one download by a system administrator "
        f"through the whole stack (test Client, view, the response read to its end) in a fresh "
        f"process; peak = the process's peak resident memory (VmHWM), of which about "
        f"{statistics.median(x['bare_mb'] for x in run['exports'].values()):.0f} MB is Django "
        f"set up and logged in. Before: the same case with the code of `main` first on the "
        f"import path (`--before`), same database. The streamed DHIS2 files are the same size to "
        f"the byte as before (checked by the run; the tests compare their contents).",
        "",
        "| export | version | file | total (s) | first byte (s) | peak (MB) | < 200 MB "
        "| first byte < 1 s |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    lines += [_export_row(case, version, x) for (case, version), x in run["exports"].items()]
    lines += [
        "",
        "How: the DHIS2 records are read `UNIT_CHUNK` (500) units at a time in path order "
        "(`analyst.values_by_unit_chunks`, the analyst export's reading: `values_list(...)"
        ".iterator(chunk_size=2000)`, a server-side cursor on PostgreSQL, no model instance) "
        "and written as they are read by `core.exports` (`json_stream`, `csv_stream`; ADX one "
        "group of a unit at a time), so the memory does not grow with the file. The Excel "
        "template is built in memory still: it holds the unit and its direct sub-units only "
        "(the nation: its provinces and central agencies), a bounded file.",
        "",
    ]
    return "\n".join(lines)


def render_demo(run: dict) -> str:
    if not run["demos"]:
        return ""
    lines = [
        "<!-- setup-demo -->",
        "## `setup_demo` and the map loader on PostgreSQL (issue 16, item 4)",
        "",
        f"Run of `bench/national_exports.py` on {time.strftime('%Y-%m-%d')}: {run['machine']}; "
        f"{_load(run)}.",
        "",
        "Each: `binhdang manage setup_demo` in a fresh process on an empty database of its own "
        "(migrated first, not timed), run twice: the first loads the map (14,000 units, 10,600 "
        "lineage links) and the catalogue and creates the demo; the second changes nothing. CPU: "
        "the process's own seconds (the database's are not in it), less sensitive than the wall "
        "time to the other work on the machine. Before: the code of `main` (`--before`).",
        "",
        "| version | run | total (s) | CPU (s) | queries | < 30 s |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for version, d in run["demos"].items():
        for name in ("first", "second"):
            r = d[name]
            lines.append(
                f"| {version} | {name} | {r['total_s']:.1f} | {r['cpu_s']:.1f} | {r['queries']:,} "
                f"| {met(r['total_s'] < GOAL_DEMO_S)} |"
            )
    after = run["demos"]["after"]
    lines += [
        "",
        f"Of each run, reading the package's map ({after['units']:,} units) took "
        f"{after['read_map_s']:.1f} s once imported; this machine writes no bytecode "
        f"(`PYTHONDONTWRITEBYTECODE`), so each fresh process also compiles the package's data "
        f"modules. Every unit's path and depth follow its parent's after the load (checked). "
        f"How: a unit created by the loader gets its path and depth from its parent's row in the "
        f"database (one `UPDATE` per thousand units, `orgunits.loading._set_paths_from_parents`) "
        f"instead of Django's `bulk_update` of every new unit with a thousand-branch `CASE` per "
        f"batch.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if ARGS.case == "demo":
        print(json.dumps(run_demo()))
    elif ARGS.case:
        print(json.dumps(run_export(ARGS.case)))
    else:
        main()  # the databases and their files are dropped at exit, also when stopped
