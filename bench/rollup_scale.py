"""Benchmark: the national roll-up at 1 M and 10 M values, from the sub-units' sums (decision 82)
against the grouped query over every value and DuckDB on the same rows, in the same run; and
what keeping the sums costs a single save and a bulk save.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/rollup_scale.py

PostgreSQL only. The benchmark creates its own database (bench/_own_database.py), builds the
dataset of bench/indicators_rollup.py (bench/_national_dataset.py: the real map, 40 indicators,
2021–2030, about 0.96 M values), measures, then scales it to about 10 M values by giving every
commune ten synthetic twins under the same parent with the same figures (so each year holds
eleven times the communes' rows, and the parents, hence the sums, stay the same), measures again,
drops the database and writes the `<!-- rollup-scale -->` section of bench/RESULTS.md.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--repeat", type=int, default=15, help="runs per measurement")
PARSER.add_argument("--twins", type=int, default=10, help="synthetic twins of each commune")
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
ARGS = PARSER.parse_args()

if not _own_database.server_url():
    sys.exit("Set DATABASE_URL to a PostgreSQL server: the benchmark makes its own database there.")
_own_database.create("rollup", keep=ARGS.keep)

import django  # noqa: E402

django.setup()
_own_database.guard()

import duckdb  # noqa: E402
from _national_dataset import NSGE, build_dataset, synthetic_catalogue  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.indicators import queries, rollup, sums  # noqa: E402
from binhdang.indicators.loading import load_catalogue  # noqa: E402
from binhdang.indicators.models import DataValue, Framework, Indicator, Measure  # noqa: E402
from binhdang.indicators.rollup import _combine_groups, deepest_first  # noqa: E402
from binhdang.indicators.services import (  # noqa: E402
    EntriesRefused,
    Entry,
    record_value,
    record_values_bulk,
)
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import REFORM_DATE, Level, OrgUnit  # noqa: E402

YEAR = 2024  # the heaviest year: the pre-2025 map, 10,051 communes
GOAL_MS = 100
LOAD = [os.getloadavg()[0]]


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def count_queries(fn) -> int:
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


# ---------------------------------------------------------------------------------------------
# The three ways of rolling up.


def from_sums(framework, nation, breakdowns=True):
    indicators = queries.framework_indicators(framework)
    return queries.figure_rows(indicators, [nation], YEAR, breakdowns=breakdowns)[nation.pk]


def from_values(framework, nation, breakdowns=True):
    with rollup.from_values():
        return from_sums(framework, nation, breakdowns)


def described(rows) -> list:
    """Everything a page shows of the rows: figures, targets, verdicts, breakdowns, level lines
    and provenance (rule, units counted, coverage per level)."""

    def figure(f):
        p = f.provenance
        return (
            f.numerator,
            f.denominator,
            f.value,
            f.entries,
            p and (p.rule, p.counted, [(c.level, c.entered) for c in p.coverage], p.precedence),
            [(line.level, figure(line.figure), line.verdict) for line in f.levels],
        )

    return [
        (
            row.indicator.pk,
            figure(row.figure),
            row.target and row.target.pk,
            row.verdict,
            [(part.category, figure(part.figure)) for part in row.parts],
        )
        for row in rows
    ]


DUCK_QUERY = """
WITH r AS (
    SELECT d.indicator_id, d.category, d.unit_id, d.numerator, d.denominator, d.value, i.deepest,
           list_transform(
               list_slice(string_split(trim(d.path, '/'), '/'), ? + 1,
                          len(string_split(trim(d.path, '/'), '/')) - 1),
               lambda x: CAST(x AS INTEGER)) AS above
    FROM dv d JOIN ind i ON i.id = d.indicator_id
    WHERE d.year = ? AND list_contains(?, d.category) AND starts_with(d.path, ?)
      AND list_contains(?, d.indicator_id)
),
anc AS (SELECT indicator_id, category, unit_id, unnest(above) AS ancestor_id FROM r),
covered AS (  -- entries with an entry above them in the subtree: hidden by the top-most rule
    SELECT DISTINCT a.indicator_id, a.category, a.unit_id FROM anc a
    JOIN r s ON s.indicator_id = a.indicator_id AND s.category = a.category
            AND s.unit_id = a.ancestor_id
),
has_below AS (  -- units with an entry below them: their own is hidden by the deepest rule
    SELECT DISTINCT indicator_id, category, ancestor_id AS unit_id FROM anc
),
counted AS (
    SELECT r.indicator_id, r.category, r.numerator, r.denominator, r.value FROM r
    WHERE NOT r.deepest AND NOT EXISTS (
        SELECT 1 FROM covered c WHERE c.indicator_id = r.indicator_id
        AND c.category = r.category AND c.unit_id = r.unit_id)
    UNION ALL
    SELECT r.indicator_id, r.category, r.numerator, r.denominator, r.value FROM r
    WHERE r.deepest AND NOT EXISTS (
        SELECT 1 FROM has_below b WHERE b.indicator_id = r.indicator_id
        AND b.category = r.category AND b.unit_id = r.unit_id)
)
SELECT indicator_id, category, count(*), sum(numerator), sum(denominator), sum(value)
FROM counted GROUP BY indicator_id, category
"""


def duck_load(workdir: Path):
    """Every value with its unit's path, exported with COPY and read by DuckDB."""
    dump = workdir / "values.csv"
    select = (
        "SELECT d.indicator_id, d.year, d.category, d.unit_id, u.path, d.numerator, "
        "d.denominator, d.value FROM indicators_datavalue d "
        "JOIN orgunits_orgunit u ON u.id = d.unit_id"
    )
    start = time.perf_counter()
    connection.ensure_connection()
    with (
        connection.connection.cursor() as cursor,
        open(dump, "wb") as out,
        cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)") as copy,
    ):
        for data in copy:
            out.write(data)
    duck = duckdb.connect()
    duck.execute(
        "CREATE TABLE dv AS SELECT indicator_id, year, coalesce(category, '') AS category, "
        "unit_id, path, numerator, denominator, value FROM read_csv(?, header = false, "
        "columns = {'indicator_id': 'INTEGER', 'year': 'SMALLINT', 'category': 'VARCHAR', "
        "'unit_id': 'INTEGER', 'path': 'VARCHAR', 'numerator': 'DECIMAL(18,4)', "
        "'denominator': 'DECIMAL(18,4)', 'value': 'DECIMAL(18,4)'})",
        [str(dump)],
    )
    dump.unlink()
    duck.execute("CREATE TABLE ind (id INTEGER, deepest BOOLEAN)")
    duck.executemany(
        "INSERT INTO ind VALUES (?, ?)", [(i.pk, deepest_first(i)) for i in Indicator.objects.all()]
    )
    return duck, time.perf_counter() - start


def duck_rollup(duck, nation, indicators, categories):
    return duck.execute(
        DUCK_QUERY,
        [nation.depth, YEAR, categories, nation.path, [i.pk for i in indicators]],
    ).fetchall()


def duck_agrees(result, rows) -> bool:
    """Whether DuckDB's sums give the platform's figures, totals and breakdowns."""
    found = {(ind, cat): (n, num, den, val) for ind, cat, n, num, den, val in result}
    for row in rows:
        wanted = [("", row.figure)] + [(p.category, p.figure) for p in row.parts]
        for category, figure in wanted:
            entries, num, den, val = found.get((row.indicator.pk, category), (0, None, None, None))
            group = type("G", (), dict(entries=entries, numerator=num, denominator=den, value=val))
            if _combine_groups(row.indicator, [group]) != figure:
                return False
    return True


# ---------------------------------------------------------------------------------------------
# Writes: a single save and a bulk save, with and without keeping the sums.


class WithoutSums:
    """The write services as before decision 82: the sums left alone (for the comparison)."""

    def __enter__(self):
        self.saved = sums.apply, sums.locked_figures
        sums.apply = lambda changes: list(changes) and None
        sums.locked_figures = lambda pks: {}

    def __exit__(self, *exc):
        sums.apply, sums.locked_figures = self.saved


def rolled_back(fn):
    def run():
        with transaction.atomic():
            fn()
            transaction.set_rollback(True)

    return run


def bulk_entries(actor) -> list[Entry]:
    """250 current communes × 40 indicators for 2030: the stored totals raised by a tenth, the
    missing ones new; the few the rules refuse are left out."""
    indicators = list(Indicator.objects.all().order_by("code"))
    units = list(
        OrgUnit.objects.filter(level=Level.COMMUNE, valid_from=REFORM_DATE).order_by("path")[:250]
    )
    stored = {
        (v.unit_id, v.indicator_id): v
        for v in DataValue.objects.filter(unit__in=units, year=2030, category="")
    }
    entries = []
    for unit in units:
        for indicator in indicators:
            row = stored.get((unit.pk, indicator.pk))
            figures = {}
            if indicator.measure == Measure.MILESTONE:
                figures["value"] = 1
            elif indicator.asks_yes_no(unit):
                figures = {"numerator": 1, "denominator": 1}
            elif indicator.measure == Measure.COUNT:
                figures["value"] = int((row.value if row else 10) * Decimal("1.1")) + 1
            else:
                den = int(row.denominator * Decimal("1.1")) + 1 if row else 1000
                num = int(row.numerator * Decimal("1.1")) if row else 500
                figures = {"numerator": min(num, den), "denominator": den}
            entries.append(Entry(indicator, unit, 2030, note="Số liệu đo hiệu năng", **figures))
    try:
        with transaction.atomic():
            record_values_bulk(actor, entries)
            transaction.set_rollback(True)
    except EntriesRefused as refused:
        bad = {id(entry) for entry, _message in refused.problems}
        entries = [e for e in entries if id(e) not in bad]
    return entries


def writes(actor, repeat: int) -> dict:
    commune = OrgUnit.objects.filter(level=Level.COMMUNE, valid_from=REFORM_DATE).first()
    share = Indicator.objects.get(number="4.3")  # a quotient communes enter
    entries = bulk_entries(actor)

    def single():
        record_value(actor, share, commune, 2030, numerator=31, denominator=97, note="Đo")

    def bulk():
        record_values_bulk(actor, entries, origin="bench")

    found = {}
    for label, context in (("without", WithoutSums), ("with", None)):
        for name, fn in (("single", single), ("bulk", bulk)):
            count = repeat if name == "single" else 5
            if context:
                with context():
                    found[(name, label)] = median_ms(rolled_back(fn), count)
            else:
                found[(name, label)] = median_ms(rolled_back(fn), count)
    found["bulk_values"] = len(entries)
    return found


# ---------------------------------------------------------------------------------------------
# Scaling.


def add_twins(twins: int) -> float:
    """Give every commune `twins` synthetic twins under the same parent, with its figures."""
    start = time.perf_counter()
    fields = [f for f in OrgUnit._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    copied = ", ".join(
        "code || '~{n}'" if c == "code" else ("''" if c == "path" else c) for c in columns
    )
    values = [f.column for f in DataValue._meta.concrete_fields if not f.primary_key]
    table = DataValue._meta.db_table
    with connection.cursor() as cursor:
        # Nine million rows load far faster without the indexes, made again afterwards.
        cursor.execute(
            "SELECT i.indexname, i.indexdef, c.conname FROM pg_indexes i "
            "LEFT JOIN pg_constraint c ON c.conname = i.indexname "
            "WHERE i.tablename = %s AND i.indexname NOT LIKE %s",
            [table, "%pkey"],
        )
        indexes = cursor.fetchall()
        for name, _definition, constraint in indexes:
            if constraint:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
            else:
                cursor.execute(f"DROP INDEX {name}")
        for n in range(1, twins + 1):
            cursor.execute(
                f"INSERT INTO orgunits_orgunit ({', '.join(columns)}) "
                f"SELECT {copied.format(n=n)} FROM orgunits_orgunit "
                "WHERE level = %s AND code NOT LIKE %s",
                [Level.COMMUNE, "%~%"],
            )
        cursor.execute(
            "UPDATE orgunits_orgunit u SET path = p.path || u.id || '/', depth = p.depth + 1 "
            "FROM orgunits_orgunit p WHERE p.id = u.parent_id AND u.path = ''"
        )
        for n in range(1, twins + 1):
            picked = ", ".join("t.id" if c == "unit_id" else f"v.{c}" for c in values)
            cursor.execute(
                f"INSERT INTO indicators_datavalue ({', '.join(values)}) SELECT {picked} "
                "FROM indicators_datavalue v JOIN orgunits_orgunit o ON o.id = v.unit_id "
                "JOIN orgunits_orgunit t ON t.code = o.code || %s WHERE o.level = %s "
                "AND o.code NOT LIKE %s",
                [f"~{n}", Level.COMMUNE, "%~%"],
            )
        for name, definition, constraint in indexes:
            cursor.execute(definition)
            if constraint:
                cursor.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {constraint} UNIQUE USING INDEX {name}"
                )
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def measure(label: str, nsge, nation, repeat: int) -> dict:
    """The roll-up three ways on the rows as they are."""
    LOAD.append(os.getloadavg()[0])
    result = {"label": label, "values": DataValue.objects.count()}
    start = time.perf_counter()
    result["sums"] = sums.rebuild()
    result["rebuild_s"] = time.perf_counter() - start
    result["in_year"] = DataValue.objects.filter(year=YEAR, indicator__framework=nsge).count()
    rows = from_sums(nsge, nation)
    same = described(rows) == described(from_values(nsge, nation))
    same_totals = described(from_sums(nsge, nation, False)) == described(
        from_values(nsge, nation, False)
    )
    result["same"] = same and same_totals
    result["met"] = f"{sum(r.verdict == 'met' for r in rows)}/{len(rows)}"
    result["sums_ms"] = median_ms(lambda: from_sums(nsge, nation), repeat)
    result["sums_q"] = count_queries(lambda: from_sums(nsge, nation))
    result["values_ms"] = median_ms(lambda: from_values(nsge, nation), repeat)
    result["values_q"] = count_queries(lambda: from_values(nsge, nation))
    result["sums_totals_ms"] = median_ms(lambda: from_sums(nsge, nation, False), repeat)
    result["values_totals_ms"] = median_ms(lambda: from_values(nsge, nation, False), repeat)
    workdir = Path(tempfile.mkdtemp(prefix="binhdang-bench-duck-"))
    try:
        duck, result["duck_load_s"] = duck_load(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    indicators = queries.framework_indicators(nsge)
    categories = ["", *queries._category_labels(indicators)]
    result["duck_ms"] = median_ms(lambda: duck_rollup(duck, nation, indicators, categories), repeat)
    result["duck_totals_ms"] = median_ms(
        lambda: duck_rollup(duck, nation, indicators, [""]), repeat
    )
    result["duck_same"] = duck_agrees(duck_rollup(duck, nation, indicators, categories), rows)
    duck.close()
    LOAD.append(os.getloadavg()[0])
    print(label, {k: v for k, v in result.items()})
    return result


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_reference_map()
    load_catalogue()
    synthetic_catalogue()
    data = build_dataset()
    setup_s = time.perf_counter() - started
    nsge = Framework.objects.get(code=NSGE)
    nation = OrgUnit.objects.get(code="VN")
    actor = User.objects.create(username="bench-rollup", unit=nation, role=Role.DATA_OFFICER)
    runs = [measure("1 M", nsge, nation, ARGS.repeat)]
    written = {"1 M": writes(actor, ARGS.repeat)}
    twins_s = add_twins(ARGS.twins)
    runs.append(measure("10 M", nsge, nation, ARGS.repeat))
    written["10 M"] = writes(actor, ARGS.repeat)
    report = render(data, setup_s, twins_s, runs, written)
    print(report)
    if not ARGS.no_write:
        _results.write_section("rollup-scale", report)


def render(data, setup_s, twins_s, runs, written) -> str:
    machine = _results.machine(f"DuckDB {duckdb.__version__}")
    lines = [
        "<!-- rollup-scale -->",
        "## National roll-up at 1 M and 10 M values: sub-units' sums, every value, DuckDB",
        "",
        f"`bench/rollup_scale.py`, {time.strftime('%Y-%m-%d')}: {machine}; load average "
        f"{' → '.join(f'{x:.1f}' for x in LOAD)} over the run (the 2 cores shared with other "
        "sessions). 1 M: the dataset of `bench/indicators_rollup.py` "
        f"({data['rows']:,} values, setup {setup_s:.0f} s); 10 M: the same with {ARGS.twins} "
        f"synthetic twins of every commune under the same parent, same figures (added in "
        f"{twins_s:.0f} s). National roll-up of the 19 NSGE targets for {YEAR}, evaluated, with "
        f"the women/men breakdowns and 1.1's level lines (`queries.unit_overview`'s rows); "
        f"medians of {ARGS.repeat} runs after a warm-up, all in one process and one run.",
        "",
        "| values | NSGE rows in 2024 | sums (rows) | rebuild | from the sums | from every value "
        "| DuckDB, same rows | same figures, verdicts, provenance | met | goal < 100 ms "
        "| not slower than DuckDB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for r in runs:
        lines.append(
            f"| {r['values']:,} | {r['in_year']:,} | {r['sums']:,} | {r['rebuild_s']:.1f} s "
            f"| **{r['sums_ms']:.1f} ms** ({r['sums_q']} queries) "
            f"| {r['values_ms']:.1f} ms ({r['values_q']}) | {r['duck_ms']:.1f} ms "
            f"| {'yes' if r['same'] else '**no**'} "
            f"(DuckDB: {'yes' if r['duck_same'] else '**no**'})"
            f" | {r['met']} | {'yes' if r['sums_ms'] < GOAL_MS else '**no**'} "
            f"| {'yes' if r['sums_ms'] <= r['duck_ms'] else '**no**'} |"
        )
    lines += [
        "",
        "Totals only (no breakdowns), same runs: "
        + "; ".join(
            f"{r['label']}: sums {r['sums_totals_ms']:.1f} ms, every value "
            f"{r['values_totals_ms']:.1f} ms, DuckDB {r['duck_totals_ms']:.1f} ms"
            for r in runs
        )
        + ". DuckDB's load (COPY to CSV, `read_csv`) is not timed in its figure: "
        + ", ".join(f"{r['label']} {r['duck_load_s']:.0f} s" for r in runs)
        + ".",
        "",
        "Writes, with and without keeping the sums (the same code with `sums.apply` made a "
        "no-op), each run rolled back; medians:",
        "",
        "| values | single save (`record_value`, a commune's share) | bulk save "
        "(`record_values_bulk`) |",
        "| ---: | ---: | ---: |",
    ]
    for label, w in written.items():
        lines.append(
            f"| {label} | {w[('single', 'without')]:.1f} → {w[('single', 'with')]:.1f} ms "
            f"| {w['bulk_values']:,} values: {w[('bulk', 'without')]:.0f} → "
            f"{w[('bulk', 'with')]:.0f} ms |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()  # the database is dropped at exit unless kept (_own_database)
