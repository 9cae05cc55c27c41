"""Benchmark: tree reads on the real map, materialised path against a parent-by-parent walk.

Run: `uv run python bench/tree_queries.py` (SQLite in a temporary directory), or with
DATABASE_URL naming a PostgreSQL server, where it creates a database of its own and drops it at
the end (bench/_own_database.py). Writes the Markdown table to bench/RESULTS.md.
"""

import statistics
import sys
import time
from pathlib import Path

import _own_database

_own_database.script_only(__name__)
_own_database.create("tree")

import django  # noqa: E402

django.setup()
_own_database.guard()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402

from binhdang.accounts import permissions  # noqa: E402
from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.orgunits import queries  # noqa: E402
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import OrgUnit  # noqa: E402

REPEAT = 30


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


def walk_descendants(unit: OrgUnit) -> int:
    """Baseline: breadth-first over children, one query per level of parents."""
    count, frontier = 0, [unit.pk]
    while frontier:
        frontier = list(OrgUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        count += len(frontier)
    return count


def walk_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """Baseline: follow parent links one query at a time."""
    chain = []
    while unit.parent_id:
        unit = OrgUnit.objects.get(pk=unit.parent_id)
        chain.append(unit)
    return chain


def main() -> None:
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    report = load_reference_map()
    first_load = time.perf_counter() - start
    start = time.perf_counter()
    load_reference_map()
    second_load = time.perf_counter() - start

    nation = OrgUnit.objects.get(code="VN")
    province = OrgUnit.objects.get(code="P51")
    old_commune = OrgUnit.objects.filter(code__startswith="LX").last()
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"unit": province, "role": Role.VIEWER}
    )
    from django.conf import settings

    settings.DEBUG = True  # record queries
    rows = []

    def pair(name, fast, slow):
        fast_ms, fast_q = timed(fast)
        slow_ms, slow_q = timed(slow)
        rows.append((name, fast_ms, fast_q, slow_ms, slow_q, slow_ms / fast_ms))

    pair(
        "descendants of the nation (count)",
        lambda: OrgUnit.objects.subtree(nation).count(),
        lambda: walk_descendants(nation),
    )
    pair(
        "descendants of a province (count)",
        lambda: OrgUnit.objects.subtree(province).count(),
        lambda: walk_descendants(province),
    )
    pair(
        "ancestors of a pre-2025 commune",
        lambda: list(old_commune.ancestors()),
        lambda: walk_ancestors(old_commune),
    )
    single = []
    for name, fn in [
        (
            "search “Quang Ngai” (whole tree)",
            lambda: queries.search(OrgUnit.objects.all(), "Quang Ngai"),
        ),
        ("descendant counts by kind (nation)", lambda: queries.descendant_counts(nation)),
        (
            "visible units of a province viewer (count)",
            lambda: permissions.visible_units(User.objects.get(pk=user.pk)).count(),
        ),
    ]:
        ms, q = timed(fn)
        single.append((name, ms, q))

    vendor = connection.vendor
    lines = [
        f"# Tree reads on the real map ({vendor})",
        "",
        f"{OrgUnit.objects.count():,} units ({report.added:,} loaded). First load "
        f"{first_load:.1f} s; second load (no change) {second_load:.1f} s. "
        f"Median of {REPEAT} runs, on this machine, same process; the baseline is a "
        "parent-by-parent walk in Python.",
        "",
        "| read | materialised path (ms) | queries | walk baseline (ms) | queries | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, fast_ms, fast_q, slow_ms, slow_q, ratio in rows:
        lines.append(
            f"| {name} | {fast_ms:.2f} | {fast_q} | {slow_ms:.2f} | {slow_q} | {ratio:.1f}× |"
        )
    lines += ["", "| other read | ms | queries |", "| --- | ---: | ---: |"]
    for name, ms, q in single:
        lines.append(f"| {name} | {ms:.2f} | {q} |")
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).with_name("RESULTS.md")
    section = f"<!-- {vendor} -->\n{text}"
    previous = out.read_text() if out.exists() else ""
    kept = [part for part in previous.split("<!-- ") if part and not part.startswith(vendor)]
    out.write_text("".join("<!-- " + part for part in kept) + section)


if __name__ == "__main__":
    sys.exit(main())
