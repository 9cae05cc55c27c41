"""Benchmark: the deadline under load (issue 16): commune data officers signing in, entering and
saving figures, opening the overview and the reports page at once, against the production server
(`binhdang serve`: gunicorn, DEBUG off, loopback only) on PostgreSQL, for 1, 2 and 4 processes.

Run, with DATABASE_URL naming any database of the PostgreSQL server to use:
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/load/run.py                  # 200 users, 60 s, 1, 2 and 4 processes
    uv run python bench/load/run.py --quick          # smoke test: 20 users, 15 s, one process
Options: --users, --time (seconds), --processes 1,2,4, --threads, --spawn-rate, --wait MIN,MAX
(the officers' reading time between pages), --no-write, --keep.

The benchmark creates a throw-away database of its own on that server (bench/_own_database.py),
builds the data there and drops it at the end; it refuses any database it did not make and sends
no mail (the data is built with mail in memory; the server has no mail server configured). The
data: the demo (`setup_demo`: the real map, the catalogue, the demo accounts, Quảng Ngãi's round)
plus a data officer for every commune of the nation (the demo's password, one precomputed hash)
and each province's 2025 round to its communes (the project's `open_round`); --quick keeps to the
demo province. The officers whose report is a draft are the simulated users, taken in turn from
province to province (qngai.xa1, the demo's officer, first).

For each process count the server is started once (`binhdang serve --workers N`, on a free port
of 127.0.0.1), locust runs headless in a subprocess (bench/load/locustfile.py, the scenario of
bench/load/scenario.py), then the server is stopped. Errors: HTTP ≥ 500, requests without an
answer (refused, reset, timed out: locust's status 0), failed sign-ins, and any other answer a
browser would not get; officers who never completed a visit are counted too. Memory: the peak
resident size (VmHWM) of each server process, sampled every second. Writes the "load" section of
bench/RESULTS.md.
"""

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/: the shared helpers
import _own_database  # noqa: E402
import _results  # noqa: E402
import scenario  # noqa: E402  (bench/load, the script's directory: the pages' names)

_own_database.script_only(__name__)

HERE = Path(__file__).resolve().parent
PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--users", type=int, default=200, help="simulated officers (default 200)")
PARSER.add_argument("--time", type=int, default=60, help="seconds per run (default 60)")
PARSER.add_argument("--processes", default="1,2,4", help="server processes per run: 1,2,4")
PARSER.add_argument("--threads", type=int, default=4, help="threads per process (default 4)")
PARSER.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
PARSER.add_argument("--wait", default="1,3", help="reading time between pages, s (min,max)")
PARSER.add_argument("--quick", action="store_true", help="20 users, 15 s, the first count only")
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
PARSER.add_argument(
    "--static-cache",
    default=str(Path.home() / ".cache" / "binhdang-bench" / "static"),
    help="the servers' collected static files, kept between runs (collected again only when "
    "their sources change: core/static.py); the first collection takes minutes",
)
ARGS = PARSER.parse_args()
if ARGS.quick:
    ARGS.users, ARGS.time, ARGS.spawn_rate, ARGS.wait = 20, 15, 10, "0.5,1"
PROCESSES = [int(p) for p in ARGS.processes.split(",")][: 1 if ARGS.quick else None]

if not _own_database.server_url():
    sys.exit("Set DATABASE_URL to a PostgreSQL database: the load benchmark runs on PostgreSQL.")
OWN = _own_database.create("load", keep=ARGS.keep)

import django  # noqa: E402

django.setup()
_own_database.guard()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.core import dates  # noqa: E402
from binhdang.demo.accounts import DEMO_PASSWORD, DEMO_PROVINCE  # noqa: E402
from binhdang.orgunits.models import Level, OrgUnit  # noqa: E402
from binhdang.reporting import services  # noqa: E402
from binhdang.reporting.models import ReportingRound, State, Submission  # noqa: E402

HOST = "127.0.0.1"
ROUND_NAME = "Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2025"
GOAL_P95_MS = 500


def build() -> dict:
    """The demo, a data officer per commune and the provinces' 2025 rounds; returns the sizes
    and writes the simulated officers' names (round-robin over the provinces) to a file."""
    start = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("setup_demo", stdout=io.StringIO())
    demo_seconds = time.monotonic() - start
    admin = User.objects.get(username="admin")
    provinces = OrgUnit.objects.filter(level=Level.PROVINCE).live().order_by("code")
    if ARGS.quick:
        provinces = provinces.filter(code=DEMO_PROVINCE)
    provinces = list(provinces)
    communes = OrgUnit.objects.filter(level=Level.COMMUNE, parent__in=provinces).live()
    staffed = set(
        User.objects.filter(role=Role.DATA_OFFICER, unit__in=communes).values_list(
            "unit_id", flat=True
        )
    )
    password = make_password(DEMO_PASSWORD)  # one hash: hashing 3,321 would take minutes
    User.objects.bulk_create(
        (
            User(
                username=f"xa.{commune.code.lower()}",
                first_name=f"Cán bộ {commune.name}",
                unit=commune,
                role=Role.DATA_OFFICER,
                password=password,
            )
            for commune in communes
            if commune.pk not in staffed
        ),
        batch_size=1000,
    )
    opened = set(ReportingRound.objects.filter(year=2025).values_list("opener_id", flat=True))
    for province in provinces:
        if province.pk not in opened:
            services.open_round(
                admin,
                province,
                name=ROUND_NAME,
                kind="annual",
                year=2025,
                period_start=datetime.date(2025, 1, 1),
                period_end=datetime.date(2025, 12, 31),
                deadline=dates.today() + datetime.timedelta(days=14),
                levels=[Level.COMMUNE],
            )
    drafts = Submission.objects.filter(
        round__year=2025, round__opener__in=provinces, state=State.DRAFT
    ).values_list("unit_id", "round__opener_id")
    by_province: dict[int, list[int]] = {}
    for unit_id, opener_id in drafts.order_by("unit__official_code"):
        by_province.setdefault(opener_id, []).append(unit_id)
    officers = {
        u.unit_id: u.username
        for u in User.objects.filter(role=Role.DATA_OFFICER, unit__level=Level.COMMUNE).order_by(
            "-username"  # "qngai.xa1" before "xa.…": the demo's officer is its commune's
        )
    }
    queues = [[officers[u] for u in units if u in officers] for units in by_province.values()]
    order = [name for row in zip(*_padded(queues), strict=True) for name in row if name]
    if "qngai.xa1" in order:
        order.remove("qngai.xa1")
        order.insert(0, "qngai.xa1")
    (OWN.data_dir / "officers.txt").write_text("\n".join(order) + "\n")
    return {
        "provinces": len(provinces),
        "communes": communes.count(),
        "officers": len(order),
        "submissions": Submission.objects.filter(round__year=2025).count(),
        "demo_s": demo_seconds,
        "build_s": time.monotonic() - start,
    }


def _padded(queues: list[list]) -> list[list]:
    longest = max(map(len, queues), default=0)
    return [q + [None] * (longest - len(q)) for q in queues]


# ---------------------------------------------------------------------------------------------
# The server and its processes.


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_environment() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _own_database.UNSAFE_ENV}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},localhost",
        DATABASE_URL=OWN.url,
        DATA_DIR=str(OWN.data_dir),
        TASKS_BACKEND="immediate",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def children(pid: int) -> list[int]:
    """The server's worker processes (children of the gunicorn master)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Sampler(threading.Thread):
    """Every second: the load average, and each server process's peak memory and CPU."""

    def __init__(self, master: int):
        super().__init__(daemon=True)
        self.master, self.stop = master, threading.Event()
        self.peak_kb: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.loads: list[float] = []

    def sample(self) -> None:
        self.loads.append(os.getloadavg()[0])
        for pid in [self.master, *children(self.master)]:
            self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), status_kb(pid, "VmHWM"))
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), cpu_seconds(pid))

    def run(self) -> None:
        while not self.stop.wait(1.0):
            self.sample()


def start_server(processes: int, port: int, log: Path) -> subprocess.Popen:
    command = [
        shutil.which("binhdang", path=str(Path(sys.executable).parent)) or "binhdang",
        "serve",
        *("--host", HOST, "--port", str(port)),
        *("--workers", str(processes), "--threads", str(ARGS.threads)),
        "--no-migrate",
    ]
    server = subprocess.Popen(
        command,
        env=server_environment(),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The server stopped at start:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5) as answer:
                if answer.status == 200 and len(children(server.pid)) >= processes:
                    return server
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(server)
    sys.exit(f"The server did not answer in 300 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)  # gunicorn: finish the requests in progress, then exit
    try:
        server.wait(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---------------------------------------------------------------------------------------------
# One run.


def run(processes: int) -> dict:
    """Start the server with `processes` processes, load it with locust, stop it."""
    port = free_port()
    log = OWN.data_dir / f"server-{processes}.log"
    server = start_server(processes, port, log)
    workers = children(server.pid)
    prefix = OWN.data_dir / f"locust-{processes}"
    counts_file = OWN.data_dir / f"counts-{processes}.json"
    sampler = Sampler(server.pid)
    sampler.sample()
    cpu_before = sum(sampler.cpu.values())
    busy_before, total_before = machine_ticks()
    load_start = os.getloadavg()[0]
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler.start()
    started = time.monotonic()
    locust = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            *("-f", str(HERE / "locustfile.py"), "--headless", "--only-summary"),
            *("--host", f"http://{HOST}:{port}"),
            *("--users", str(ARGS.users), "--spawn-rate", str(ARGS.spawn_rate)),
            *("--run-time", f"{ARGS.time}s", "--csv", str(prefix), "--loglevel", "WARNING"),
        ],
        env={
            **os.environ,
            "LOAD_OFFICERS": str(OWN.data_dir / "officers.txt"),
            "LOAD_PASSWORD": DEMO_PASSWORD,
            "LOAD_WAIT": ARGS.wait,
            "LOAD_COUNTS": str(counts_file),
        },
        cwd=HERE,
        capture_output=True,
        text=True,
    )
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sampler.stop.set()
    sampler.join()
    sampler.sample()
    busy_after, total_after = machine_ticks()
    stop_server(server)
    if not counts_file.exists():
        sys.exit(f"locust did not finish:\n{locust.stdout[-2000:]}\n{locust.stderr[-3000:]}")
    server_log = log.read_text()
    workers_seen = [pid for pid in sampler.peak_kb if pid != server.pid]
    return {
        "processes": processes,
        "stats": read_stats(Path(f"{prefix}_stats.csv")),
        "counts": json.loads(counts_file.read_text()),
        "elapsed": elapsed,
        "peak_mb": [sampler.peak_kb[pid] / 1024 for pid in workers_seen],
        "master_mb": sampler.peak_kb[server.pid] / 1024,
        "restarted": len(set(workers_seen) - set(workers)),
        "server_cpu": sum(sampler.cpu.values()) - cpu_before,
        "locust_cpu": (after.ru_utime + after.ru_stime)
        - (children_cpu.ru_utime + children_cpu.ru_stime),
        "busy": (busy_after - busy_before) / max(1, total_after - total_before),
        "load_start": load_start,
        "load_max": max(sampler.loads),
        "load_end": os.getloadavg()[0],
        "tracebacks": server_log.count("Traceback"),
        "locust_warnings": [
            line for line in locust.stderr.splitlines() if "CPU usage" in line or "ERROR" in line
        ][:3],
    }


def read_stats(path: Path) -> dict:
    """Locust's statistics by page name: requests, failures, req/s and percentiles (ms)."""
    rows = {}
    with path.open() as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": _ms(row["50%"]),
                "p95": _ms(row["95%"]),
                "p99": _ms(row["99%"]),
            }
    return rows


def _ms(text: str) -> float | None:
    return None if text in ("", "N/A") else float(text)


# ---------------------------------------------------------------------------------------------
# The table.


def _fmt(ms: float | None) -> str:
    return "—" if ms is None else f"{ms:,.0f}"


def _errors(result: dict) -> dict:
    failures = result["counts"]["failures"]
    return {
        "server": failures.get("server error", 0),
        "connection": failures.get("connection", 0),
        "sign_in": failures.get("sign-in failed", 0),
        "other": failures.get("unexpected", 0),
    }


def section(results: list[dict], sizes: dict, machine: str) -> str:
    when = datetime.date.today().isoformat()
    lines = [
        "<!-- load -->",
        "## Load: commune officers at a deadline (issue 16)",
        "",
        f"`bench/load/run.py`, {when}: {machine}. The same 2 cores run PostgreSQL, the server, "
        "locust (one process, FastHttpUser) and the other work of the machine: see the load "
        "average and the machine's busy share during each run.",
        "",
        f"Data: the demo (`setup_demo`) plus a data officer for each of the {sizes['communes']:,} "
        f"communes of {sizes['provinces']} provinces and each province's 2025 round to its "
        f"communes ({sizes['submissions']:,} submissions; {sizes['officers']:,} officers with a "
        f"draft to write); built in {sizes['build_s']:.0f} s. Each simulated officer is a "
        "different commune officer (qngai.xa1 first, then one per province in turn) and repeats "
        "the deadline visit of `bench/load/scenario.py`: sign-in page, sign in, home (`/`), the "
        "entry form linked from the home page, save with 3 lines changed (a real POST: CSRF "
        "token, every field, the `was` fields), the overview the save leads to, the reports "
        f"page, sign out; {ARGS.wait.replace(',', '–')} s of reading between pages. "
        f"{ARGS.users} users started at {ARGS.spawn_rate:g} a second, {ARGS.time} s per run; "
        f"the server `binhdang serve` (gunicorn, N processes × {ARGS.threads} threads, DEBUG "
        "off, 127.0.0.1), started once per run. Times in ms over the whole run, ramp-up "
        "included; errors are HTTP ≥ 500, requests without an answer (refused, reset, timed "
        "out after 60 s), failed sign-ins and any other answer a browser would not get; peak "
        "memory is each server process's VmHWM.",
        "",
        "| processes | req/s | requests | p50 | p95 | p99 | HTTP ≥ 500 | no answer | failed "
        "sign-ins | other | visits done | officers with none | peak MB per process | server "
        "CPU s (cores used) | server CPU ms per request | locust CPU s | machine busy | load "
        "avg start → max |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        "--- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        total, errors = r["stats"]["Aggregated"], _errors(r)
        memory = ", ".join(f"{mb:.0f}" for mb in sorted(r["peak_mb"], reverse=True))
        lines.append(
            f"| {r['processes']} × {ARGS.threads} | {total['requests'] / r['elapsed']:.1f} | "
            f"{total['requests']:,} | {_fmt(total['p50'])} | {_fmt(total['p95'])} | "
            f"{_fmt(total['p99'])} | {errors['server']} | {errors['connection']} | "
            f"{errors['sign_in']} | {errors['other']} | {r['counts']['completed']:,} | "
            f"{r['counts']['officers_without_a_visit']} of {r['counts']['officers']} | "
            f"{memory} (master {r['master_mb']:.0f}) | {r['server_cpu']:.0f} "
            f"({r['server_cpu'] / r['elapsed']:.2f}) | "
            f"{1000 * r['server_cpu'] / max(1, total['requests']):.0f} | "
            f"{r['locust_cpu']:.0f} | {r['busy']:.0%} | {r['load_start']:.1f} → "
            f"{r['load_max']:.1f} |"
        )
    lines += [
        "",
        "The server's CPU per request does not depend on the other work of the machine: two free "
        "cores serve at most 2,000 ÷ that figure requests a second, whatever the latencies above; "
        "the cores it used (server CPU ÷ run time) say how much of the machine it got. It is "
        "measured on the run's own mix of pages (sign-ins weigh more when few visits get far) and "
        "includes each new process's first requests (templates, translations, URL patterns).",
        "",
        "Per page, p50 / p95 / p99 ms (requests):",
        "",
        "| page | " + " | ".join(f"{r['processes']} × {ARGS.threads}" for r in results) + " |",
        "| --- |" + " ---: |" * len(results),
    ]
    for page in scenario.PAGES:
        cells = []
        for r in results:
            s = r["stats"].get(page)
            cells.append(
                "—"
                if s is None
                else f"{_fmt(s['p50'])} / {_fmt(s['p95'])} / {_fmt(s['p99'])} ({s['requests']:,})"
            )
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    lines += ["", *verdict(results)]
    return "\n".join(lines) + "\n"


def verdict(results: list[dict]) -> list[str]:
    """What the runs say about the goal (0 errors, p95 < 500 ms) and the server's log."""
    notes = []
    for r in results:
        errors = sum(_errors(r).values())
        p95 = r["stats"]["Aggregated"]["p95"]
        met = errors == 0 and p95 is not None and p95 < GOAL_P95_MS
        notes.append(
            f"- {r['processes']} process(es): goal (0 errors, p95 < {GOAL_P95_MS} ms) "
            + ("**met**" if met else f"**not met** ({errors} errors, p95 {_fmt(p95)} ms)")
            + f"; {r['tracebacks']} tracebacks in the server's log"
            + (f"; {r['restarted']} worker(s) restarted" if r["restarted"] else "")
            + (
                f"; locust warned: {'; '.join(r['locust_warnings'])}"
                if r["locust_warnings"]
                else ""
            )
            + "."
        )
    return notes


def share_static() -> None:
    """The servers' STATIC_ROOT (DATA_DIR/static) is the cache kept between runs."""
    cache = Path(ARGS.static_cache)
    cache.mkdir(parents=True, exist_ok=True)
    root = OWN.data_dir / "static"
    if root.is_dir() and not root.is_symlink():
        shutil.rmtree(root)
    root.symlink_to(cache, target_is_directory=True)


def main() -> None:
    machine = _results.machine()
    share_static()
    print(f"Building the data on {OWN.name}…", flush=True)
    sizes = build()
    print(f"  {sizes}", flush=True)
    results = []
    for processes in PROCESSES:
        print(f"Run: {processes} process(es), {ARGS.users} users, {ARGS.time} s…", flush=True)
        result = run(processes)
        total = result["stats"]["Aggregated"]
        print(
            f"  {total['requests'] / result['elapsed']:.1f} req/s, p50 {_fmt(total['p50'])}, "
            f"p95 {_fmt(total['p95'])}, p99 {_fmt(total['p99'])} ms, errors {_errors(result)}, "
            f"visits {result['counts']['completed']}, load max {result['load_max']:.1f}",
            flush=True,
        )
        results.append(result)
    raw = Path(tempfile.gettempdir()) / "binhdang-load-last-run.json"  # the table's raw figures
    raw.write_text(json.dumps({"sizes": sizes, "results": results}, indent=1))
    text = section(results, sizes, machine)
    print(text)
    if not ARGS.no_write and not ARGS.quick:
        _results.write_section("load", text)
        print(f"Written to {_results.RESULTS}")


main()
