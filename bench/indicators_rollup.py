"""Benchmark: the indicators' live roll-up, a province's dashboard and an Excel upload, on a
synthetic national dataset, against a per-unit ORM walk and DuckDB in the same run.

Run on PostgreSQL (the recorded figures), with DATABASE_URL pointing at any database of the
server:
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
    uv run python bench/indicators_rollup.py
The benchmark creates a throw-away database `binhdang_bench_indicators_…` on that server
(bench/_own_database.py), works there
and drops it at the end; it writes the "Indicators" section of bench/RESULTS.md.
Quick check on SQLite (a temporary file; prints, writes nothing):
    uv run python bench/indicators_rollup.py --sqlite

The dataset (bench/_national_dataset.py, shared with bench/analyst_export.py): the real map
(`load_reference_map()`: every unit, the pre-2025 ones included), the NSGE catalogue plus synthetic
indicators up to 40, ten years: 2021–2024 on the units that existed then (the 63 old provinces,
their districts and communes), 2025–2030 on the current map (34 provinces, their communes,
synthetic departments under provinces and ministries). Provinces enter most indicators; communes a
subset (1.1 as yes/no, births, schooling and knowledge by sex, a few activity counts); pre-2025
districts and departments a few. Quotients by sex where it makes sense (total, women, men; the
parts add up to the total).
"""

import argparse
import csv
import datetime
import io
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import _own_database
import _results

_own_database.script_only(__name__)

PARSER = argparse.ArgumentParser(description=__doc__.split("\n")[0])
PARSER.add_argument("--sqlite", action="store_true", help="quick check on SQLite, writes nothing")
PARSER.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
PARSER.add_argument("--repeat", type=int, default=15, help="runs per fast measurement")
PARSER.add_argument("--keep", action="store_true", help="keep the benchmark database")
PARSER.add_argument(
    "--setup-only", action="store_true", help="build the dataset, keep it, measure nothing"
)
ARGS = PARSER.parse_args()

if not ARGS.sqlite and not _own_database.server_url():
    sys.exit("Set DATABASE_URL to a PostgreSQL database (or pass --sqlite).")
_own_database.create("indicators", sqlite=ARGS.sqlite, keep=ARGS.keep or ARGS.setup_only)

import django  # noqa: E402

django.setup()
_own_database.guard()

import duckdb  # noqa: E402
from _national_dataset import NSGE, SEED, SYN, build_dataset, synthetic_catalogue  # noqa: E402
from auditlog.models import LogEntry  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from binhdang.accounts.models import Role, User  # noqa: E402
from binhdang.core.spreadsheets import sheet_rows  # noqa: E402
from binhdang.indicators import forecast, queries, spreadsheets, sums  # noqa: E402
from binhdang.indicators.evaluation import evaluate  # noqa: E402
from binhdang.indicators.loading import load_catalogue  # noqa: E402
from binhdang.indicators.models import (  # noqa: E402
    DataValue,
    Framework,
    Indicator,
    Measure,
    Target,
)
from binhdang.indicators.rollup import (  # noqa: E402
    _combine,
    _combine_groups,
    _counted,
    deepest_first,
    subtree_rows,
)
from binhdang.indicators.services import record_value  # noqa: E402
from binhdang.orgunits.loading import load_reference_map  # noqa: E402
from binhdang.orgunits.models import REFORM_DATE, Level, OrgUnit  # noqa: E402

UPLOAD_VALUES = 10_000
UPLOAD_YEAR = 2030
TARGETS_MS = {"rollup": 100, "page": 150, "upload": 3000}
LOAD_START = os.getloadavg()[0]


# ---------------------------------------------------------------------------------------------
# Measuring.


def median_ms(fn, repeat: int, warmup: int = 1) -> tuple[float, list[float]]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), samples


def count_queries(fn) -> int:
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count


def platform_national(framework, nation, year):
    """(a) The platform's path: a whole framework for a unit and a year, evaluated."""
    return queries.unit_overview(framework, nation, year)


def platform_totals(framework, nation, year):
    """(a) without the breakdowns (women, men…): what the page computed before issue 11."""
    indicators = queries.framework_indicators(framework)
    return queries.figure_rows(indicators, [nation], year, breakdowns=False)[nation.pk]


def previous_platform(framework, nation, year):
    """The previous implementation: every row of the subtree per indicator, then the target."""
    result = []
    for indicator in Indicator.objects.filter(framework=framework).order_by(
        "objective__number", "number"
    ):
        rows = subtree_rows(indicator, nation, year)
        figure = _combine(indicator, _counted(rows, deepest_first(indicator)))
        own_line = [*nation.ancestor_ids(), nation.pk]
        candidates = Target.objects.filter(indicator=indicator, year__gte=year).filter(
            Q(unit__isnull=True) | Q(unit_id__in=own_line)
        )
        ranked = sorted(
            candidates.select_related("unit"),
            key=lambda t: (t.unit is None, -(t.unit.depth if t.unit else 0), t.year),
        )
        target = ranked[0] if ranked else None
        verdict = evaluate(
            figure.value,
            target.value if target else None,
            target.comparator if target else "",
            indicator.direction,
        )
        result.append((indicator, figure, target, verdict))
    return result


def orm_walk(framework, root, year):
    """(d) Baseline: walk the tree unit by unit with the ORM (the unit's values, then its
    children that existed in the year), choosing the counted entries on the way back up."""
    indicators = list(Indicator.objects.filter(framework=framework))
    ids = [i.pk for i in indicators]
    deepest = {i.pk: deepest_first(i) for i in indicators}
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def visit(unit):
        own = {
            v.indicator_id: v
            for v in DataValue.objects.filter(
                unit=unit, year=year, category="", indicator_id__in=ids
            )
        }
        below = defaultdict(list)
        children = OrgUnit.objects.filter(parent=unit).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=last),
            Q(valid_to__isnull=True) | Q(valid_to__gte=first),
        )
        for child in children:
            for pk, rows in visit(child).items():
                below[pk].extend(rows)
        counted = {}
        for pk in ids:
            if deepest[pk]:
                rows = below.get(pk) or ([own[pk]] if pk in own else [])
            else:
                rows = [own[pk]] if pk in own else below.get(pk, [])
            if rows:
                counted[pk] = rows
        return counted

    counted = visit(root)
    result = []
    for indicator in indicators:
        figure = _combine(indicator, counted.get(indicator.pk, []))
        target = queries.applicable_target(indicator, root, year)
        verdict = evaluate(
            figure.value,
            target.value if target else None,
            target.comparator if target else "",
            indicator.direction,
        )
        result.append((indicator, figure, target, verdict))
    return result


DUCK_QUERY = """
WITH r AS (
    SELECT d.indicator_id, d.unit_id, d.numerator, d.denominator, d.value, i.deepest,
           list_transform(
               list_slice(string_split(trim(d.path, '/'), '/'), ? + 1,
                          len(string_split(trim(d.path, '/'), '/')) - 1),
               lambda x: CAST(x AS INTEGER)) AS above
    FROM dv d JOIN ind i ON i.id = d.indicator_id
    WHERE d.year = ? AND d.category = '' AND starts_with(d.path, ?)
),
anc AS (SELECT indicator_id, unit_id, unnest(above) AS ancestor_id FROM r),
covered AS (  -- entries with an entry above them in the subtree: hidden by the top-most rule
    SELECT DISTINCT a.indicator_id, a.unit_id FROM anc a
    JOIN r s ON s.indicator_id = a.indicator_id AND s.unit_id = a.ancestor_id
),
has_below AS (  -- units with an entry below them: their own is hidden by the deepest rule
    SELECT DISTINCT indicator_id, ancestor_id AS unit_id FROM anc
),
counted AS (
    SELECT r.indicator_id, r.numerator, r.denominator, r.value FROM r
    WHERE NOT r.deepest AND NOT EXISTS (
        SELECT 1 FROM covered c WHERE c.indicator_id = r.indicator_id AND c.unit_id = r.unit_id)
    UNION ALL
    SELECT r.indicator_id, r.numerator, r.denominator, r.value FROM r
    WHERE r.deepest AND NOT EXISTS (
        SELECT 1 FROM has_below b WHERE b.indicator_id = r.indicator_id AND b.unit_id = r.unit_id)
)
SELECT indicator_id, count(*), sum(numerator), sum(denominator), sum(value)
FROM counted GROUP BY indicator_id
"""


def duckdb_load(workdir: Path):
    """Every value with its unit's path, exported from the database and read by DuckDB."""
    dump = workdir / "values.csv"
    select = (
        "SELECT d.indicator_id, d.year, d.category, d.unit_id, u.path, d.numerator, "
        "d.denominator, d.value FROM indicators_datavalue d "
        "JOIN orgunits_orgunit u ON u.id = d.unit_id"
    )
    start = time.perf_counter()
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.connection.cursor() as cursor,
            open(dump, "wb") as out,
            cursor.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)") as copy,
        ):
            for data in copy:
                out.write(data)
    else:
        with connection.cursor() as cursor, open(dump, "w", newline="") as out:
            cursor.execute(select)
            csv.writer(out).writerows(cursor.fetchall())
    duck = duckdb.connect()
    duck.execute(
        "CREATE TABLE dv AS SELECT indicator_id, year, coalesce(category, '') AS category, "
        "unit_id, path, numerator, denominator, value FROM read_csv(?, header = false, "
        "columns = {'indicator_id': 'INTEGER', 'year': 'SMALLINT', 'category': 'VARCHAR', "
        "'unit_id': 'INTEGER', 'path': 'VARCHAR', 'numerator': 'DECIMAL(18,4)', "
        "'denominator': 'DECIMAL(18,4)', 'value': 'DECIMAL(18,4)'})",
        [str(dump)],
    )
    duck.execute("CREATE TABLE ind (id INTEGER, deepest BOOLEAN)")
    duck.executemany(
        "INSERT INTO ind VALUES (?, ?)",
        [(i.pk, deepest_first(i)) for i in Indicator.objects.all()],
    )
    rows = duck.execute("SELECT count(*) FROM dv").fetchone()[0]
    return duck, rows, time.perf_counter() - start


def duckdb_rollup(duck, root, year):
    """(e) The same aggregation in DuckDB: one query (timed alone)."""
    return duck.execute(DUCK_QUERY, [root.depth, year, root.path]).fetchall()


def duck_figures(framework, result) -> dict:
    sums = {row[0]: row[1:] for row in result}
    figures = {}
    for indicator in Indicator.objects.filter(framework=framework):
        entries, numerator, denominator, value = sums.get(indicator.pk, (0, None, None, None))
        group = SimpleNamespace(
            entries=entries, numerator=numerator, denominator=denominator, value=value
        )
        figures[indicator.pk] = _combine_groups(indicator, [group])
    return figures


# ---------------------------------------------------------------------------------------------
# The upload.


def upload_setup(nsge, syn):
    """A national data officer's sheet: 250 communes × 40 indicators for 2030, made with the
    platform's template, filled as an officer would (values near last year's, some notes)."""
    indicators = list(Indicator.objects.filter(framework__in=[nsge, syn]).order_by("code"))
    per_unit = max(1, UPLOAD_VALUES // len(indicators))
    units = list(
        OrgUnit.objects.filter(level=Level.COMMUNE, valid_from=REFORM_DATE).order_by("path")[
            :per_unit
        ]
    )
    actor = User.objects.create(
        username="bench-upload", unit=OrgUnit.objects.get(code="VN"), role=Role.DATA_OFFICER
    )
    last = {
        (v.unit_id, v.indicator_id): v
        for v in DataValue.objects.filter(unit__in=units, year=UPLOAD_YEAR - 1, category="")
    }
    content = spreadsheets.template(units, indicators, UPLOAD_YEAR)
    by_code = {i.code: i for i in indicators}
    unit_by_code = {u.code: u for u in units}
    chance = random.Random(SEED + 1)

    def filled(variant: int) -> bytes:
        book = load_workbook(io.BytesIO(content))
        sheet = book[spreadsheets.SHEET]
        for row in sheet.iter_rows(min_row=2):
            if row[spreadsheets.CATEGORY].value != spreadsheets.TOTAL:
                continue  # breakdown lines keep what the template shows: unchanged, not saved
            indicator = by_code[row[spreadsheets.CODE].value]
            unit = unit_by_code[row[spreadsheets.UNIT].value]
            before = last.get((unit.pk, indicator.pk))
            level = float(before.value) if before and before.value is not None else None
            drift = 1 + chance.uniform(-0.15, 0.15)
            if indicator.measure == Measure.MILESTONE or indicator.asks_yes_no(unit):
                answer = (variant + chance.randint(0, 1)) % 2
                if indicator.measure == Measure.MILESTONE:
                    row[spreadsheets.VALUE].value = answer
                else:
                    row[spreadsheets.NUM].value, row[spreadsheets.DEN].value = answer, 1
                row[spreadsheets.NOTE].value = f"Trả lời lần {variant}"
            elif indicator.measure == Measure.COUNT:
                stored = row[spreadsheets.VALUE].value  # the template shows what is stored
                if stored:  # a correction upwards: the breakdown by sex stays within it
                    new = round(int(Decimal(stored)) * (1 + chance.uniform(0, 0.15))) + variant
                else:
                    new = max(1, round((level or chance.randint(5, 50)) * drift)) + variant
                row[spreadsheets.VALUE].value = new
                row[spreadsheets.NOTE].value = "" if level else "Số liệu minh họa"
            else:
                stored_num, stored_den = row[spreadsheets.NUM].value, row[spreadsheets.DEN].value
                if stored_num and stored_den:  # both scaled up: same share, parts stay within
                    factor = 1 + chance.uniform(0, 0.15)
                    numerator = round(int(Decimal(stored_num)) * factor) + variant
                    denominator = round(int(Decimal(stored_den)) * factor) + variant
                else:
                    denominator = 1000 + variant
                    if level is None:
                        share = chance.uniform(0.2, 0.8)
                    else:
                        share = level / float(indicator.multiplier) * drift
                        if indicator.measure == Measure.SHARE:
                            share = min(share, 1.0)
                    numerator = max(1, round(denominator * share))
                row[spreadsheets.NUM].value = numerator
                row[spreadsheets.DEN].value = denominator
                row[spreadsheets.NOTE].value = "" if level else "Số liệu minh họa"
            new = _sheet_value(row, indicator)
            if level and new is not None and abs(new - level) / level > 0.4:
                row[spreadsheets.NOTE].value = "Thống kê lại"  # a sharp change needs a note
            if chance.random() < 0.1:
                row[spreadsheets.NOTE].value = "Cập nhật theo số liệu thống kê"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    snapshot = list(DataValue.objects.filter(unit__in=units, year=UPLOAD_YEAR))
    return actor, units, [filled(0), filled(1)], snapshot


def _sheet_value(row, indicator) -> float | None:
    numerator, denominator = row[spreadsheets.NUM].value, row[spreadsheets.DEN].value
    if numerator not in (None, "") and denominator:
        return float(numerator) / float(denominator) * float(indicator.multiplier)
    value = row[spreadsheets.VALUE].value
    return None if value in (None, "") else float(value)


INLINE_TEXT = re.compile(
    rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S
)


def as_saved_by_excel(content: bytes) -> bytes:
    """The workbook as Excel (or LibreOffice) saves it once an officer has filled it in: the
    text of the cells in one shared table. openpyxl writes each text cell inline, which
    openpyxl then reads about three times slower."""
    source = zipfile.ZipFile(io.BytesIO(content))
    strings: dict[bytes, int] = {}

    def shared(match):
        index = strings.setdefault(match.group(3), len(strings))
        return b"<c " + match.group(1) + b't="s"' + match.group(2) + b"><v>%d</v></c>" % index

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = INLINE_TEXT.sub(shared, data)
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(item, data)
        table = b"".join(b'<si><t xml:space="preserve">' + text + b"</t></si>" for text in strings)
        target.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
            % (len(strings), len(strings))
            + table
            + b"</sst>",
        )
    return out.getvalue()


def openpyxl_rows(content: bytes) -> list[tuple]:
    """The sheet's rows read with openpyxl's read-only mode: the reader calamine replaced."""
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    return list(book[spreadsheets.SHEET].iter_rows(values_only=True))


def upload_once(actor, content: bytes) -> dict:
    """Parse, preview and save, as the import view does; times each step."""
    times = {}
    start = time.perf_counter()
    rows = spreadsheets.parse(SimpleUploadedFile("so-lieu.xlsx", content))
    times["parse"] = time.perf_counter()
    rows = spreadsheets.preview(actor, rows)
    times["preview"] = time.perf_counter()
    saved = spreadsheets.save(actor, rows)
    times["save"] = time.perf_counter()
    return {
        "saved": saved,
        "rows": len(rows),
        "parse": (times["parse"] - start) * 1000,
        "preview": (times["preview"] - times["parse"]) * 1000,
        "save": (times["save"] - times["preview"]) * 1000,
        "total": (times["save"] - start) * 1000,
        "statuses": {s: sum(1 for r in rows if r.status == s) for s in ("new", "changed")},
    }


def upload_restore(units, snapshot) -> None:
    DataValue.objects.filter(unit__in=units, year=UPLOAD_YEAR).delete()
    DataValue.objects.bulk_create(snapshot, batch_size=2000)
    sums.rebuild()  # written outside the services: the roll-up's sums made again
    LogEntry.objects.filter(additional_data__bulk=True).delete()


def one_by_one_save(actor, content: bytes) -> float:
    """For comparison: the rows the bulk save writes (new and changed), through `record_value`,
    one call per value."""
    rows = spreadsheets.preview(actor, spreadsheets.parse(SimpleUploadedFile("s.xlsx", content)))
    units = OrgUnit.objects.in_bulk({r.unit_id for r in rows})
    indicators = Indicator.objects.in_bulk({r.indicator_id for r in rows})
    start = time.perf_counter()
    with transaction.atomic():  # as the save was: one transaction for the file
        for row in rows:
            if row.status == "unchanged":
                continue
            fields = {"note": row.note, "source": row.source}
            for name in ("numerator", "denominator", "value"):
                if getattr(row, name) is not None:
                    fields[name] = getattr(row, name)
            unit, indicator = units[row.unit_id], indicators[row.indicator_id]
            record_value(actor, indicator, unit, row.year, category=row.category, **fields)
    return (time.perf_counter() - start) * 1000


# ---------------------------------------------------------------------------------------------


def same_figures(ours: list, theirs: dict) -> bool:
    """The same figures (numerator, denominator, value, entries counted); the baselines have
    no provenance to compare."""

    def figure(f):
        return (f.numerator, f.denominator, f.value, f.entries)

    return all(figure(theirs[row.indicator.pk]) == figure(row.figure) for row in ours)


def main() -> None:
    setup_test_environment()
    # Pages as in production: templates without debug information.
    settings.TEMPLATES[0].setdefault("OPTIONS", {})["debug"] = False
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_reference_map()
    load_catalogue()
    synthetic_catalogue()
    data = build_dataset()
    setup_s = time.perf_counter() - started
    nsge, syn = Framework.objects.get(code=NSGE), Framework.objects.get(code=SYN)
    nation = OrgUnit.objects.get(code="VN")
    province = OrgUnit.objects.get(code="P51")
    print(f"{data['rows']:,} values inserted in {data['insert_s']:.1f} s ({data['by_kind']})")
    if ARGS.setup_only:
        print(f"Dataset kept: {os.environ.get('DATABASE_URL') or os.environ['DATA_DIR']}")
        return
    repeat = ARGS.repeat
    results = {}

    # (a) National roll-up of every NSGE target, evaluated; the heaviest year (pre-2025 map,
    # 10,051 communes) and a year of the current map.
    for year in (2024, 2026):
        rows = platform_national(nsge, nation, year)
        ms, _ = median_ms(lambda year=year: platform_national(nsge, nation, year), repeat)
        q = count_queries(lambda year=year: platform_national(nsge, nation, year))
        both_q = count_queries(
            lambda year=year: (
                platform_national(nsge, nation, year),
                platform_national(syn, nation, year),
            )
        )
        both, _ = median_ms(
            lambda year=year: (
                platform_national(nsge, nation, year),
                platform_national(syn, nation, year),
            ),
            repeat,
        )
        totals_ms, _ = median_ms(lambda year=year: platform_totals(nsge, nation, year), repeat)
        totals_q = count_queries(lambda year=year: platform_totals(nsge, nation, year))
        tuned_ms = None
        if connection.vendor == "postgresql":  # the same with a larger sort/hash memory
            with connection.cursor() as cursor:
                cursor.execute("SET work_mem = '16MB'")
            tuned_ms, _ = median_ms(lambda year=year: platform_national(nsge, nation, year), repeat)
            with connection.cursor() as cursor:
                cursor.execute("RESET work_mem")
        prev_ms, _ = median_ms(lambda year=year: previous_platform(nsge, nation, year), 5)
        prev_q = count_queries(lambda year=year: previous_platform(nsge, nation, year))
        walk_ms, _ = median_ms(lambda year=year: orm_walk(nsge, nation, year), 3)
        walked = []
        walk_q = count_queries(
            lambda year=year, walked=walked: walked.extend(orm_walk(nsge, nation, year))
        )
        walk = {ind.pk: fig for ind, fig, _t, _v in walked}
        previous = {ind.pk: fig for ind, fig, _t, _v in previous_platform(nsge, nation, year)}
        in_year = DataValue.objects.filter(
            year=year, category="", indicator__framework=nsge
        ).count()
        results[year] = {
            "ms": ms,
            "queries": q,
            "totals_ms": totals_ms,
            "totals_q": totals_q,
            "all40_ms": both,
            "tuned_ms": tuned_ms,
            "all40_q": both_q,
            "prev_ms": prev_ms,
            "prev_q": prev_q,
            "walk_ms": walk_ms,
            "walk_q": walk_q,
            "walk_same": same_figures(rows, walk),
            "prev_same": same_figures(rows, previous),
            "rows_in_year": in_year,
            "judged": sum(1 for r in rows if r.verdict != "no_target"),
            "met": sum(1 for r in rows if r.verdict == "met"),
            "entries": sum(r.figure.entries for r in rows),
        }
        print(f"(a) {year}: {ms:.1f} ms, {q} queries; all 40 indicators {both:.1f} ms")
        print(
            f"    previous path {prev_ms:.1f} ms ({prev_q} q); walk {walk_ms:.0f} ms ({walk_q} q)"
        )

    # (e) DuckDB on the same rows.
    workdir = Path(tempfile.mkdtemp(prefix="binhdang-bench-duck-"))
    duck, duck_rows, duck_load_s = duckdb_load(workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    for year in (2024, 2026):
        ms, _ = median_ms(lambda year=year: duckdb_rollup(duck, nation, year), repeat)
        figures = duck_figures(nsge, duckdb_rollup(duck, nation, year))
        results[year]["duck_ms"] = ms
        results[year]["duck_same"] = same_figures(platform_national(nsge, nation, year), figures)
        print(f"(e) {year}: DuckDB {ms:.1f} ms, same figures: {results[year]['duck_same']}")

    # (b) The province dashboard, through the whole Django stack.
    viewer = User.objects.create(username="bench-viewer", unit=province, role=Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    url = reverse("indicators:overview", args=[province.pk])
    response = client.get(url, {"year": "2026"})
    assert response.status_code == 200 and b'id="figures"' in response.content, response
    page_ms, _ = median_ms(lambda: client.get(url, {"year": "2026"}), repeat)
    page_q = count_queries(lambda: client.get(url, {"year": "2026"}))
    page_old_ms, _ = median_ms(lambda: client.get(url, {"year": "2024"}), repeat)
    # The page also projects every target to its next milestone (the "at risk" panel): the
    # same page without it shows what the roll-up itself costs.
    at_risk = forecast.targets_at_risk
    forecast.targets_at_risk = lambda *args, **kwargs: []
    try:
        page_bare_ms, _ = median_ms(lambda: client.get(url, {"year": "2026"}), repeat)
    finally:
        forecast.targets_at_risk = at_risk
    province_rows = DataValue.objects.filter(
        unit__path__startswith=province.path, year=2026
    ).count()
    print(f"(b) P51 dashboard 2026: {page_ms:.1f} ms, {page_q} queries")

    # (c) Excel upload of 10,000 values: parse, preview, save, as the import view does.
    actor, units, written, snapshot = upload_setup(nsge, syn)
    saved_by_excel = [as_saved_by_excel(content) for content in written]

    def uploads(variants, count):
        runs = []
        for index in range(count + 1):  # the first is the warm-up
            runs.append(upload_once(actor, variants[index % 2]))
            upload_restore(units, snapshot)
        summary = {
            key: statistics.median(r[key] for r in runs[1:])
            for key in ("parse", "preview", "save", "total")
        }
        summary.update(saved=runs[0]["saved"], rows=runs[0]["rows"], statuses=runs[0]["statuses"])
        return summary

    upload = uploads(saved_by_excel, 3 if ARGS.sqlite else 5)
    upload_inline = uploads(written, 3)
    # The sheet read alone: calamine (the platform) against openpyxl's read-only mode.
    read_calamine, _ = median_ms(lambda: sheet_rows(saved_by_excel[0], spreadsheets.SHEET), 5)
    read_openpyxl, _ = median_ms(lambda: openpyxl_rows(saved_by_excel[0]), 5)
    variants = written
    one_by_one_ms = one_by_one_save(actor, variants[0])
    upload_restore(units, snapshot)
    print(
        f"(c) upload {upload['saved']:,} values: {upload['total']:.0f} ms "
        f"(parse {upload['parse']:.0f}, preview {upload['preview']:.0f}, "
        f"save {upload['save']:.0f});"
        f" one record_value per value: {one_by_one_ms:.0f} ms"
    )

    total = DataValue.objects.count()
    report = render(
        SimpleNamespace(
            data=data,
            results=results,
            total=total,
            duck_rows=duck_rows,
            duck_load_s=duck_load_s,
            page_ms=page_ms,
            page_q=page_q,
            page_old_ms=page_old_ms,
            page_bare_ms=page_bare_ms,
            province_rows=province_rows,
            upload=upload,
            upload_inline=upload_inline,
            read_calamine=read_calamine,
            read_openpyxl=read_openpyxl,
            one_by_one_ms=one_by_one_ms,
            setup_s=setup_s,
            upload_runs=3 if ARGS.sqlite else 5,
        )
    )
    print(report)
    if not ARGS.sqlite and not ARGS.no_write:
        _results.write_section("indicators", report)


def met(ms: float, target: int) -> str:
    return f"yes (< {target} ms)" if ms < target else f"**no** (target {target} ms)"


def render(run: SimpleNamespace) -> str:
    data, results, upload = run.data, run.results, run.upload
    total, setup_s, upload_runs = run.total, run.setup_s, run.upload_runs
    page_ms, page_q, page_old_ms = run.page_ms, run.page_q, run.page_old_ms
    kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(data["by_kind"].items()))
    machine = _results.machine(f"DuckDB {duckdb.__version__}")
    lines = [
        "<!-- indicators -->",
        "## Indicators: live roll-up, dashboard, Excel upload",
        "",
        f"Run of `bench/indicators_rollup.py` on {datetime.date.today():%Y-%m-%d}: {machine}.",
        "",
        f"Dataset: the real map ({OrgUnit.objects.count():,} units with the pre-2025 ones and "
        f"{data['departments']} synthetic departments), {data['indicators']} indicators (the "
        f"NSGE's 19 and 21 synthetic ones), 2021–2024 on the pre-2025 map and 2025–2030 on the "
        f"current one, totals and by sex: **{total:,} values** ({kinds}), inserted with COPY in "
        f"{data['insert_s']:.1f} s (whole setup {setup_s:.0f} s). Times are medians of "
        f"{ARGS.repeat} runs after a warm-up (3 for the walk, 5 for the previous path, "
        f"{upload_runs} for the upload), in one process; the machine's 2 cores were shared with "
        f"other work (load average {LOAD_START:.1f} at the start, {os.getloadavg()[0]:.1f} at the "
        "end), so single figures can vary by ±30 %.",
        "",
        "| measurement | median (ms) | queries | target | met |",
        "| --- | ---: | ---: | --- | --- |",
    ]
    for year in (2024, 2026):
        r = results[year]
        lines.append(
            f"| (a) national roll-up of the 19 NSGE targets, evaluated, {year} "
            f"({r['rows_in_year']:,} total values in the year, {r['entries']:,} counted) "
            f"| {r['ms']:.1f} | {r['queries']} | < 100 ms | {met(r['ms'], TARGETS_MS['rollup'])} |"
        )
    for year in (2024, 2026):
        lines.append(
            f"| (a‴) the same, totals only (without the women/men breakdowns, which the page "
            f"shows since issue 11; what the earlier runs measured), {year} "
            f"| {results[year]['totals_ms']:.1f} | {results[year]['totals_q']} | < 100 ms "
            f"| {met(results[year]['totals_ms'], TARGETS_MS['rollup'])} |"
        )
    for year in (2024, 2026):
        if results[year]["tuned_ms"] is not None:
            lines.append(
                f"| (a″) the same with PostgreSQL `work_mem` = 16 MB instead of the default 4 MB "
                f"(the grouping then fits in memory), {year} | {results[year]['tuned_ms']:.1f} "
                f"| {results[year]['queries']} | < 100 ms "
                f"| {met(results[year]['tuned_ms'], TARGETS_MS['rollup'])} |"
            )
    for year in (2024, 2026):
        lines.append(
            f"| (a′) the same for all 40 indicators (two frameworks), {year} "
            f"| {results[year]['all40_ms']:.1f} | {results[year]['all40_q']} | — | — |"
        )
    lines += [
        f"| (b) province dashboard `indicators:overview` P51, 2026, test Client, server time "
        f"({run.province_rows:,} values in the subtree) | {page_ms:.1f} | {page_q} | < 150 ms "
        f"| {met(page_ms, TARGETS_MS['page'])} |",
        f"| (b′) the same page without its “at risk” panel (the forecasts of 2021–2030 for P51 "
        f"and the two provinces it was formed from) | {run.page_bare_ms:.1f} | — | — | — |",
        f"| (b″) the same page for 2024 (P51 did not exist: empty) | {page_old_ms:.1f} | — | — "
        "| — |",
        f"| (c) Excel upload of {upload['saved']:,} values (250 communes × 40 indicators, the "
        "template filled and saved as Excel saves it, "
        f"{upload['statuses'].get('new', 0):,} new, {upload['statuses'].get('changed', 0):,} "
        f"changed): parse + preview + validated save | {upload['total']:.0f} | — | < 3,000 ms "
        f"| {met(upload['total'], TARGETS_MS['upload'])} |",
        f"| — of which parse (calamine) / preview / save | {upload['parse']:.0f} / "
        f"{upload['preview']:.0f} / {upload['save']:.0f} | — | — | — |",
        f"| (c′) the same file as openpyxl writes it (text in every cell, not in a shared table): "
        f"parse + preview + save | {run.upload_inline['total']:.0f} | — | < 3,000 ms "
        f"| {met(run.upload_inline['total'], TARGETS_MS['upload'])} |",
        f"| — of which parse / preview / save | {run.upload_inline['parse']:.0f} / "
        f"{run.upload_inline['preview']:.0f} / {run.upload_inline['save']:.0f} | — | — | — |",
        "",
        "Baselines in the same run, on the same rows (ratio = baseline time / platform time):",
        "",
        "| national roll-up, NSGE, evaluated | year | median (ms) | queries | ratio | same "
        "figures |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for year in (2024, 2026):
        r = results[year]
        lines += [
            f"| platform: `queries.unit_overview` (grouped query) | {year} | {r['ms']:.1f} "
            f"| {r['queries']} | 1.0× | — |",
            f"| (d) per-unit ORM walk (2 queries per unit that existed) | {year} "
            f"| {r['walk_ms']:.0f} | {r['walk_q']:,} | {r['walk_ms'] / r['ms']:.0f}× "
            f"| {'yes' if r['walk_same'] else '**no**'} |",
            f"| (e) DuckDB in-process, one SQL query (load not timed) | {year} "
            f"| {r['duck_ms']:.1f} | 1 | {r['duck_ms'] / r['ms']:.2f}× "
            f"| {'yes' if r['duck_same'] else '**no**'} |",
            f"| previous platform path (every row, per indicator) | {year} | {r['prev_ms']:.1f} "
            f"| {r['prev_q']} | {r['prev_ms'] / r['ms']:.1f}× "
            f"| {'yes' if r['prev_same'] else '**no**'} |",
        ]
    lines += [
        "",
        f"DuckDB: {run.duck_rows:,} rows exported from the database and loaded in "
        f"{run.duck_load_s:.1f} s "
        "(COPY to CSV, `read_csv`); the figure above times only its query. The upload saved "
        f"through `record_value` one value at a time took {run.one_by_one_ms:,.0f} ms "
        f"({run.one_by_one_ms / upload['save']:.0f}× the bulk save). Reading the sheet alone "
        f"took {run.read_calamine:.0f} ms with calamine (the platform) and "
        f"{run.read_openpyxl:.0f} ms with openpyxl's read-only mode "
        f"({run.read_openpyxl / run.read_calamine:.1f}×; decision 31).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()  # the database is dropped at exit unless kept (_own_database)
