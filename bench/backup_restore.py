"""Benchmark: `binhdang backup` and `binhdang restore` of a national-size database, on PostgreSQL
and SQLite, timed as an operator runs them (the commands, in their own processes).

Run with DATABASE_URL pointing at any database of a PostgreSQL server:
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/backup_restore.py
The benchmark creates three throw-away databases on that server (bench/_own_database.py),
`binhdang_bench_backup_…` (the source), `binhdang_bench_restore_…` (restored into) and
`binhdang_bench_migrate_…` (`migrate` alone, timed), and a temporary directory for the
SQLite file, the uploaded files and the archives; it drops and deletes them all at the end. It
never touches another database, and sends no mail (no EMAIL_HOST is passed on). It writes the
"Backup and restore" section of bench/RESULTS.md (--no-write: prints only).

The dataset: the real map (every unit, the pre-2025 ones included), the NSGE catalogue, one figure
per unit, indicator and year (2021–2024 on the pre-2025 units, 2025–2030 on the current ones) for
12 indicators, an audit history of 200,000 entries and 1,000 uploaded files of 50 KB to 250 KB.
The chain: PostgreSQL → backup → restore into a new PostgreSQL database → restore that archive into
a new SQLite file → backup from SQLite; the three archives must have identical checksums.
"""

import argparse
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import tarfile
import time
from decimal import Decimal
from pathlib import Path

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--history", type=int, default=200_000, help="audit entries to create")
PARSER.add_argument("--files", type=int, default=1_000, help="uploaded files to create")
ARGS = PARSER.parse_args()

import psycopg  # noqa: E402

if not _own_database.server_url():
    sys.exit("Set DATABASE_URL to a PostgreSQL database of the server to use.")
SEED = 20260101
LOAD_START = os.getloadavg()[0]
TARGET = _own_database.create("restore", use=False)
MIGRATE = _own_database.create("migrate", use=False)
SOURCE = _own_database.create("backup")
WORK = SOURCE.data_dir
os.environ["DATA_DIR"] = str(WORK / "source")

import django  # noqa: E402

django.setup()
_own_database.guard()

from auditlog.models import LogEntry  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from binhdang.indicators.loading import load_catalogue  # noqa: E402
from binhdang.indicators.models import DataValue, Indicator  # noqa: E402
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import LEGACY_END, OrgUnit  # noqa: E402


def build() -> dict:
    """The national dataset in the source database; returns what it holds."""
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    load_reference_map()
    load_catalogue()
    chance = random.Random(SEED)
    indicators = list(Indicator.objects.order_by("code").values_list("pk", flat=True)[:12])
    now = timezone.now()
    columns = ("indicator_id", "unit_id", "year", "category", "numerator", "denominator",
               "value", "note", "source", "created_at", "updated_at")  # fmt: skip
    values = 0
    units = list(OrgUnit.objects.values_list("pk", "valid_to"))
    copy_sql = f"COPY {DataValue._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    for first in range(0, len(units), 500):
        rows = []  # made before the COPY: the server never waits inside one
        for unit, valid_to in units[first : first + 500]:
            years = range(2021, 2025) if valid_to == LEGACY_END else range(2025, 2031)
            for indicator in indicators:
                for year in years:
                    denominator = chance.randint(100, 5000)
                    numerator = chance.randint(0, denominator)
                    value = (Decimal(numerator * 100) / denominator).quantize(Decimal("0.0001"))
                    rows.append((indicator, unit, year, "", numerator, denominator, value, "",
                                 "Số liệu minh họa", now, now))  # fmt: skip
        with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row(row)
        values += len(rows)
    unit_type = ContentType.objects.get_for_model(OrgUnit)
    units = list(OrgUnit.objects.values_list("pk", "name")[:5000])
    for first in range(0, ARGS.history, 10_000):
        LogEntry.objects.bulk_create(
            LogEntry(
                content_type=unit_type,
                object_pk=str(units[i % len(units)][0]),
                object_id=units[i % len(units)][0],
                object_repr=units[i % len(units)][1],
                action=LogEntry.Action.UPDATE,
                changes={"name": [units[i % len(units)][1], f"{units[i % len(units)][1]} (mới)"]},
                additional_data={"unit_id": units[i % len(units)][0]},
                remote_addr="10.0.0.1",
                timestamp=now - datetime.timedelta(minutes=i),
            )
            for i in range(first, min(first + 10_000, ARGS.history))
        )
    media = Path(settings.MEDIA_ROOT)
    size = 0
    for n in range(ARGS.files):
        path = media / "plans" / "evidence" / f"{n // 100:02d}" / f"minh-chung-{n:04d}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = b"%PDF-1.4\n" + chance.randbytes(chance.randint(50_000, 250_000))
        path.write_bytes(data)
        size += len(data)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()
    return {"values": values, "files_mb": size / 1e6, "setup_s": time.perf_counter() - start}


def run(command: list[str], data_dir: Path, database: str | None) -> float:
    """Time one `binhdang` command in its own process, as cron or an operator runs it; note its
    peak memory in MEMORY_MB."""
    env = dict(os.environ, DATA_DIR=str(data_dir))
    env.pop("DATABASE_URL", None)
    if database:
        env["DATABASE_URL"] = database
    data_dir.mkdir(parents=True, exist_ok=True)
    log = WORK / "command.log"
    start = time.perf_counter()
    with open(log, "w") as out:
        status = subprocess.run(
            [sys.executable, "-c", PEAK_MEMORY, *command], env=env, stdout=out, stderr=out
        ).returncode
    seconds = time.perf_counter() - start
    output = log.read_text()
    if status:
        sys.exit(f"binhdang {' '.join(command)} failed:\n{output}")
    peak_kb = int(output.rsplit("peak-kB ", 1)[1].split()[0])
    print(output.strip())
    MEMORY_MB[command[0]] = max(MEMORY_MB.get(command[0], 0), peak_kb / 1024)
    return seconds


# The command, reporting its own peak resident memory at exit (VmHWM counts only what the command
# used; a child's rusage would include the benchmark's own memory, copied at fork).
PEAK_MEMORY = """
import atexit, sys
def peak():
    status = open("/proc/self/status").read()
    print("peak-kB", status.split("VmHWM:")[1].split()[0], flush=True)
atexit.register(peak)
sys.argv = ["binhdang", *sys.argv[1:]]
from binhdang.cli import main
main()
"""


MEMORY_MB: dict[str, float] = {}


def manifest(path: Path) -> dict:
    with tarfile.open(path) as archive:
        return json.loads(archive.extractfile("manifest.json").read())


def main() -> None:
    data = build()
    print(f"dataset built in {data['setup_s']:.0f} s: {data['values']:,} values")
    archives = WORK / "archives"
    first, second, third = archives / "pg.tar", archives / "pg-again.tar", archives / "sqlite.tar"
    source_url, target_url = SOURCE.url, TARGET.url
    times = {
        "backup_pg": run(["backup", "-o", str(first)], WORK / "source", source_url),
        "restore_pg": run(["restore", str(first)], WORK / "restored-pg", target_url),
    }
    run(["backup", "-o", str(second)], WORK / "restored-pg", target_url)
    times["restore_sqlite"] = run(["restore", str(second)], WORK / "restored-sqlite", None)
    times["backup_sqlite"] = run(["backup", "-o", str(third)], WORK / "restored-sqlite", None)
    # A restore runs `migrate` on the new database first: its share of the restore times.
    times["migrate_pg"] = run(["manage", "migrate", "-v0"], WORK / "m", MIGRATE.url)
    manifests = [manifest(path) for path in (first, second, third)]
    summaries = [
        ([(t["model"], t["rows"], t["sha256"]) for t in m["tables"]], m["files"]) for m in manifests
    ]
    same = summaries[0] == summaries[1] == summaries[2]
    rows = sum(table["rows"] for table in manifests[0]["tables"])
    history = next(t["rows"] for t in manifests[0]["tables"] if t["model"] == "auditlog.logentry")
    report = render(data, times, rows, history, first.stat().st_size, third.stat().st_size, same)
    print(report)
    if not ARGS.no_write:
        _results.write_section("backup-restore", report)


def render(data, times, rows, history, pg_size, sqlite_size, same) -> str:
    with psycopg.connect(SOURCE.url) as admin:
        server = admin.execute("SELECT version()").fetchone()[0].split(" on ")[0]
    cpu = platform.processor() or platform.machine()
    return "\n".join(
        [
            "<!-- backup-restore -->",
            "## Backup and restore",
            "",
            f"Run of `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python "
            f"bench/backup_restore.py` on {datetime.date.today():%Y-%m-%d}: {cpu}, "
            f"{os.cpu_count()} cores shared with other work (load average {LOAD_START:.1f} at the "
            f"start, {os.getloadavg()[0]:.1f} at the end), Python {platform.python_version()}, "
            f"Django {django.get_version()}, {server}.",
            "",
            f"Dataset: the real map ({OrgUnit.objects.using('default').count():,} units), "
            f"{data['values']:,} indicator values, {history:,} audit entries, "
            f"{ARGS.files:,} uploaded files ({data['files_mb']:.0f} MB): **{rows:,} rows** in all. "
            "Each time is one run of the command in its own process, as cron runs it (start-up "
            "included); a restore includes `migrate` on the new, empty database "
            f"(`migrate` alone on a new PostgreSQL database: {times['migrate_pg']:.0f} s).",
            "",
            "| command | database | seconds | archive |",
            "| --- | --- | ---: | ---: |",
            f"| `binhdang backup` | PostgreSQL | {times['backup_pg']:.0f} "
            f"| {pg_size / 1e6:.0f} MB |",
            f"| `binhdang restore` (into a new database) | PostgreSQL "
            f"| {times['restore_pg']:.0f} | — |",
            f"| `binhdang restore` (into a new file) | SQLite | {times['restore_sqlite']:.0f} "
            "| — |",
            f"| `binhdang backup` | SQLite | {times['backup_sqlite']:.0f} | "
            f"{sqlite_size / 1e6:.0f} MB |",
            "",
            f"Peak memory of a command (resident): backup {MEMORY_MB['backup']:.0f} MB, restore "
            f"{MEMORY_MB['restore']:.0f} MB (rows are streamed, not held). "
            "Round trip PostgreSQL → PostgreSQL → SQLite: the three archives have "
            + (
                "identical row counts and checksums for every table and file."
                if same
                else "**different checksums**."
            ),
            "",
        ]
    )


if __name__ == "__main__":
    main()  # the databases and files are dropped at exit, also when stopped (_own_database)
