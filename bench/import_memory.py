"""Benchmark: the memory an Excel import takes, through the one import pipeline (core.imports).

Builds figures sheets in the template's layout (11 columns, every line filled) and reads each
with `read_sheet` and the figures spec, in a fresh process per case, reporting the Python peak
(tracemalloc) and the process's peak resident memory (ru_maxrss, which also counts calamine's
own memory, invisible to tracemalloc). The 200,000-row file (~6 MB, what the security review
uploaded) is past IMPORT_MAX_ROWS and refused while its XML streams, before any reader builds it;
the largest accepted file is read whole. The earlier reader (calamine's `to_python`, every row a
list) is measured on the same files for comparison.

Run: `uv run python bench/import_memory.py` (no database needed: it reads no table, but like
every benchmark it is given a throw-away SQLite database of its own, bench/_own_database.py).
Prints a Markdown table.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

import _own_database

_own_database.script_only(__name__)

CASE = """
import resource, sys, tracemalloc, django
django.setup()
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from binhdang.core.imports import read_sheet
from binhdang.core.spreadsheets import ImportErrors
from binhdang.indicators.spreadsheets import SPEC
from python_calamine import CalamineWorkbook
import io
settings.IMPORT_MAX_MB = 50  # the row limit is what is measured, not the size limit
data = open(sys.argv[1], "rb").read()
tracemalloc.start()
outcome = ""
if sys.argv[2] == "pipeline":
    try:
        outcome = f"{len(read_sheet(SimpleUploadedFile('f.xlsx', data), SPEC).rows):,} rows read"
    except ImportErrors as error:
        outcome = "refused: " + error.messages[0][:40] + "…"
else:
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    outcome = f"{len(rows) - 1:,} rows read"
peak = tracemalloc.get_traced_memory()[1]
print(f"{peak / 1e6:.0f}|{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f}|{outcome}")
"""


def sheet(rows: int, path: Path) -> None:
    """A figures sheet of `rows` filled lines, written in constant memory."""
    from openpyxl import Workbook

    from binhdang.indicators.spreadsheets import HEADERS, SHEET

    book = Workbook(write_only=True)
    out = book.create_sheet(SHEET)
    out.append(HEADERS)
    for n in range(rows):
        out.append(
            [2025, f"X{n:05d}", "Xã Bình Đẳng", "NSGE-2021-2030.2.1", "2.1", "Tổng số"]
            + [n % 900, 1000, None, "Ghi chú", "Cục Thống kê"]
        )
    book.save(path)


def main() -> None:
    import django

    _own_database.create("import", sqlite=True)
    django.setup()
    _own_database.guard()
    from django.conf import settings

    baseline = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, django; django.setup();"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(
        f"IMPORT_MAX_ROWS = {settings.IMPORT_MAX_ROWS:,}; a bare Django process: "
        f"{float(baseline):.0f} MB resident.\n"
    )
    print("| File | Reader | Python peak (MB) | Process peak (MB) | Outcome |")
    print("|---|---|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for rows in (10_000, settings.IMPORT_MAX_ROWS, 200_000):
            path = Path(folder) / f"{rows}.xlsx"
            sheet(rows, path)
            size = path.stat().st_size / 1e6
            for reader in ("pipeline", "to_python"):
                result = subprocess.run(
                    [sys.executable, "-c", CASE, str(path), reader],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
                python_peak, process_peak, outcome = result.split("|")
                print(
                    f"| {rows:,} rows, {size:.1f} MB | {reader} | {python_peak} | "
                    f"{process_peak} | {outcome} |"
                )


if __name__ == "__main__":
    main()
