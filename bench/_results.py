"""bench/RESULTS.md: each benchmark owns the section that starts at its `<!-- name -->` marker
and runs to the next marker; writing it replaces that section and keeps the others."""

from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def write_section(name: str, text: str) -> None:
    """Replace the section `<!-- name -->` of RESULTS.md with `text` (which starts with it)."""
    assert text.startswith(f"<!-- {name} -->"), "a section starts with its marker"
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    head, *parts = previous.split("<!-- ")
    kept = head + "".join("<!-- " + part for part in parts if not part.startswith(f"{name} -->"))
    if kept and not kept.endswith("\n"):
        kept += "\n"
    RESULTS.write_text(kept + text.rstrip("\n") + "\n")


def machine(extra: str = "") -> str:
    """The machine a run was measured on: CPU, cores, Python, Django and the database (after
    django.setup()), and `extra` (another engine's version) when given."""
    import os
    import platform

    import django
    from django.db import connection

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    described = (
        f"{cpu}, {os.cpu_count()} cores (shared with other work), Python "
        f"{platform.python_version()}, Django {django.get_version()}, {database}"
    )
    return f"{described}, {extra}" if extra else described
