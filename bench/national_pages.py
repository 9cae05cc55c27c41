"""Benchmark: the national dashboard and the national outlook page, with the forecasts' series
read again on every view (the path before decision 76) and kept in the cache under the figures'
revision, in the same run, on the synthetic national dataset of bench/indicators_rollup.py.

Pages go through the whole Django stack (the test Client, every middleware, the templates without
debug information) as the nation's system administrator: the dashboard (`indicators:overview` of
the nation, its "at risk" panel projecting every target of 2021–2030) and the outlook page
(`indicators:forecast` of the nation: every target's projection and the sub-units at risk).
"Uncached" reads the series again on each view (as every view did before); "cached" is the next
view when no figure changed; "after a save" is the first view after a figure was saved (the
revision moved on: the series are read again once), checked to show the new figure.

Run on PostgreSQL, with DATABASE_URL naming the server (the benchmark creates its own database
there and drops it at the end, bench/_own_database.py):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/national_pages.py
Writes the section `<!-- national-pages -->` of bench/RESULTS.md (not with --no-write).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--repeat", type=int, default=15, help="views per cached measurement")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
PARSER.add_argument(
    "--reuse",
    metavar="URL",
    help="measure on a database kept by an earlier benchmark with the same dataset "
    "(bench/indicators_rollup.py --setup-only); refused unless a benchmark made it",
)
ARGS = PARSER.parse_args()

if ARGS.reuse:
    _own_database.check_url(ARGS.reuse)
    scratch = tempfile.mkdtemp(prefix="binhdang-bench-national-pages-")
    os.environ.update(
        DATABASE_URL=ARGS.reuse, DATA_DIR=scratch, TASKS_BACKEND="immediate", DEBUG="1"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhdang.settings")
    for unsafe in _own_database.UNSAFE_ENV:
        os.environ.pop(unsafe, None)
elif not _own_database.server_url():
    sys.exit("Set DATABASE_URL to a PostgreSQL server (the benchmark makes its own database).")
else:
    _own_database.create("national_pages", keep=ARGS.keep)

import django  # noqa: E402

django.setup()
_own_database.guard()

from _national_dataset import build_dataset, synthetic_catalogue  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.indicators import revision  # noqa: E402
from binhdang.indicators.forecast import _framework_indicators, _series  # noqa: E402
from binhdang.indicators.loading import load_catalogue  # noqa: E402
from binhdang.indicators.models import DataValue, Framework, Indicator  # noqa: E402
from binhdang.indicators.services import record_value  # noqa: E402
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import OrgUnit  # noqa: E402

TARGET_MS = 300
UNCACHED_REPEAT = 5
PAGES = (
    ("indicators:overview", "national dashboard (`indicators:overview` of the nation)"),
    ("indicators:forecast", "national outlook (`indicators:forecast` of the nation)"),
)


def view_ms(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def uncached(name, asked, compute):
    """`revision.cached` as if nothing were kept: every view reads the series again."""
    return compute()


def save_and_view(client, url, admin, indicator, nation, share: int) -> tuple[float, bool]:
    """Save the nation's 2024 figure, then view the page: its time and whether the forecast
    series now holds the new figure (the panel changed at once)."""
    record_value(admin, indicator, nation, 2024, numerator=share, denominator=100, note="bench")
    elapsed = view_ms(client, url)
    # The series the page used (the same key: the framework's indicators, the nation).
    framework = Framework.objects.order_by("code").first()
    series = _series(_framework_indicators(framework), [nation])[(nation.pk, indicator.pk)]
    return elapsed, series.get(2024) == Decimal(share)


def main() -> None:
    setup_test_environment()
    settings.TEMPLATES[0].setdefault("OPTIONS", {})["debug"] = False
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not ARGS.reuse:
        load_reference_map()
        load_catalogue()
        synthetic_catalogue()
        build_dataset()
    setup_s = time.perf_counter() - started
    values = DataValue.objects.count()
    print(f"{values:,} values, set up in {setup_s:.0f} s")

    nation = OrgUnit.objects.get(code="VN")
    admin, _ = User.objects.get_or_create(
        username="bench-nation", defaults={"unit": nation, "role": Role.SYSTEM_ADMIN}
    )
    client = Client()
    client.force_login(admin)
    indicator = Indicator.objects.get(number="2.1", owner_unit=None)
    load_before = os.getloadavg()[0]
    rows = []
    for number, (name, label) in enumerate(PAGES):
        url = reverse(name, args=[nation.pk])
        view_ms(client, url)  # warm: templates, the session, the catalogue
        cached_path = revision.cached
        revision.cached = uncached
        try:
            before = [view_ms(client, url) for _ in range(UNCACHED_REPEAT)]
            before_q = queries(client, url)
        finally:
            revision.cached = cached_path
        view_ms(client, url)  # fills the cache
        after = [view_ms(client, url) for _ in range(ARGS.repeat)]
        after_q = queries(client, url)
        saved = [
            save_and_view(client, url, admin, indicator, nation, 40 + 10 * number + k)
            for k in range(3)
        ]
        assert all(fresh for _ms, fresh in saved), "a page showed a figure older than a save"
        saved_q_url = url
        record_value(admin, indicator, nation, 2024, numerator=77, denominator=100, note="bench")
        saved_q = queries(client, saved_q_url)
        rows.append(
            {
                "label": label,
                "before": statistics.median(before),
                "before_max": max(before),
                "before_q": before_q,
                "after": statistics.median(after),
                "after_p90": sorted(after)[int(len(after) * 0.9) - 1],
                "after_q": after_q,
                "saved": statistics.median(ms for ms, _fresh in saved),
                "saved_q": saved_q,
            }
        )
        print(rows[-1])
    load_after = os.getloadavg()[0]

    lines = [
        "<!-- national-pages -->",
        "## National dashboard and outlook (decision 76)",
        "",
        f"The synthetic national dataset of `bench/indicators_rollup.py` ({values:,} values"
        + ("; the database kept by its `--setup-only`" if ARGS.reuse else "")
        + f"; set up in {setup_s:.0f} s), PostgreSQL, one run of "
        f"`bench/national_pages.py` on {_results.machine()}; load average {load_before:.1f} "
        f"before the pages and {load_after:.1f} after. Server time through the test Client (every "
        "middleware, templates without debug information) as the nation's system administrator. "
        f"Uncached: the forecasts' series read again on every view, as before decision 76 "
        f"(median of {UNCACHED_REPEAT}); cached: the next views while no figure changes "
        f"(median and 90th percentile of {ARGS.repeat}); after a save: the first view after "
        "saving a figure of the nation (median of 3), each checked to show the saved figure at "
        f"once. Target: under {TARGET_MS} ms.",
        "",
        "| page | uncached (ms) | queries | cached (ms) | p90 | queries | after a save (ms) "
        "| queries | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        met = (
            "met"
            if row["after"] < TARGET_MS
            else f"**missed** by {row['after'] - TARGET_MS:.0f} ms"
        )
        lines.append(
            f"| {row['label']} | {row['before']:.0f} (max {row['before_max']:.0f}) | "
            f"{row['before_q']} | {row['after']:.0f} | {row['after_p90']:.0f} | "
            f"{row['after_q']} | {row['saved']:.0f} | {row['saved_q']} | {met} (cached) |"
        )
    lines += [
        "",
        "A save moves the figures' revision on, so the first view after it reads the series "
        "again (the uncached cost, once per save for each process, or once for all with a shared "
        "cache); every other view reads them from the cache. The dashboard's remaining time is "
        "its own roll-up of the year (one read of the sub-units' sums for the totals and the "
        "breakdowns), not the forecasts.",
        "",
    ]
    if min(load_before, load_after) > 4:
        lines[-1:-1] = [
            f"The machine was oversubscribed (load average {load_before:.0f}–{load_after:.0f} on "
            f"{os.cpu_count()} cores): every time above is inflated several times over; compare "
            "the columns, measured in the same run.",
            "",
        ]
    text = "\n".join(lines)
    print(text)
    if not ARGS.no_write:
        _results.write_section("national-pages", text)


if __name__ == "__main__":
    sys.exit(main())
