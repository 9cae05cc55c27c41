"""Benchmarks cannot harm: each makes and drops its own database, sends no mail, and refuses a
database it did not make (bench/_own_database.py). Fast: no benchmark is run."""

import ast
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
BENCHMARKS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))
sys.path.insert(0, str(BENCH))
import _own_database  # noqa: E402

sys.path.remove(str(BENCH))

PRODUCTION = "postgres://postgres@127.0.0.1:1/binhdang"  # port 1: any connection would fail


def test_the_benchmarks_are_found():
    assert {p.name for p in BENCHMARKS} >= {
        "indicators_rollup.py",
        "reporting_report.py",
        "reporting_rates.py",
        "backup_restore.py",
        "tree_queries.py",
        "import_memory.py",
    }


def _calls(tree: ast.AST) -> list[str]:
    """Dotted names of the calls in a tree, in source order."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            names.append((node.lineno, ast.unparse(node.func)))
    return [name for _, name in sorted(names)]


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_every_benchmark_uses_the_helper_before_django(path):
    source = path.read_text()
    tree = ast.parse(source)
    body = [n for n in tree.body[1:] if not isinstance(n, ast.Import | ast.ImportFrom)]
    # The first thing the module does is to refuse being imported.
    first = body[0]
    assert ast.unparse(first) == "_own_database.script_only(__name__)", path.name
    calls = _calls(tree)
    assert "_own_database.create" in calls, path.name
    assert "_own_database.guard" in calls, path.name
    setup = calls.index("django.setup")
    assert calls.index("_own_database.create") < setup < calls.index("_own_database.guard")
    # No benchmark makes, drops or empties a database by itself.
    for forbidden in ("CREATE DATABASE", "DROP DATABASE", "objects.all().delete()", "TRUNCATE"):
        assert forbidden not in source, (path.name, forbidden)
    assert "psycopg.connect(os.environ" not in source


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_importing_a_benchmark_runs_nothing(path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", PRODUCTION)
    monkeypatch.setattr(sys, "argv", ["pytest", "--fresh"])
    monkeypatch.syspath_prepend(str(BENCH))
    before = dict(os.environ)
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    with pytest.raises(ImportError, match="run it as a script"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert dict(os.environ) == before  # no database made, nothing pointed elsewhere


@pytest.mark.parametrize(
    ("engine", "name", "comment"),
    [
        ("django.db.backends.postgresql", "binhdang", _own_database.MARKER),
        ("django.db.backends.postgresql", "binhdang_bench_x", None),
        ("django.db.backends.postgresql", "binhdang_bench_x", "something else"),
        ("django.db.backends.sqlite3", "/srv/binhdang/var/binhdang.sqlite3", None),
        ("django.db.backends.mysql", "binhdang_bench_x", _own_database.MARKER),
    ],
)
def test_a_database_not_made_by_a_benchmark_is_refused(engine, name, comment):
    assert _own_database.refusal(engine, name, comment)


def test_a_marked_database_is_accepted(tmp_path):
    assert (
        _own_database.refusal("x.postgresql", "binhdang_bench_x_1_ab", _own_database.MARKER) is None
    )
    sqlite = tmp_path / "binhdang.sqlite3"
    (tmp_path / _own_database.SQLITE_MARKER).write_text(str(sqlite))
    assert _own_database.refusal("django.db.backends.sqlite3", str(sqlite), None) is None
    other = tmp_path / "other.sqlite3"  # the marker names one file only
    assert _own_database.refusal("django.db.backends.sqlite3", str(other), None)


def test_a_production_url_is_refused_before_connecting():
    with pytest.raises(_own_database.Refused, match="not made by a benchmark"):
        _own_database.check_url(PRODUCTION)


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATA_DIR"}}
    clean.update(DJANGO_SETTINGS_MODULE="binhdang.settings", PYTHONPATH=str(BENCH), **env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("url", [PRODUCTION, "sqlite:///{tmp}/binhdang.sqlite3"])
def test_guard_stops_a_benchmark_pointed_at_a_real_database(url, tmp_path):
    result = _run(
        """
        import django, _own_database
        django.setup()
        _own_database.guard()
        print("RAN ON IT")
        """,
        DATABASE_URL=url.format(tmp=tmp_path),
        DATA_DIR=str(tmp_path),
        DEBUG="1",
    )
    assert result.returncode != 0
    assert "Benchmark refused" in result.stderr
    assert "RAN ON IT" not in result.stdout


def test_own_sqlite_database_sends_mail_to_memory_and_is_deleted(tmp_path):
    result = _run(
        """
        import django, _own_database
        own = _own_database.create("safety", sqlite=True)
        django.setup()
        _own_database.guard()
        from django.core import mail
        from django.core.mail.backends.smtp import EmailBackend as SMTP
        assert not isinstance(mail.mailers.default, SMTP)
        mail.send_mail("s", "b", "a@example.org", ["b@example.org"])
        print(type(mail.mailers.default).__module__, len(mail.outbox), own.data_dir)
        """,
        EMAIL_HOST="smtp.example.org",  # a real relay configured: must not be used
    )
    assert result.returncode == 0, result.stderr
    backend, sent, data_dir = result.stdout.split()
    assert backend == "django.core.mail.backends.locmem" and sent == "1"
    assert not Path(data_dir).exists()  # dropped at exit


def _postgres_server() -> str | None:
    url = os.environ.get("BENCH_SAFETY_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=2).close()
    except Exception:
        return None
    return url


def test_postgres_database_is_made_marked_and_dropped(monkeypatch):
    server = _postgres_server()
    if server is None:
        pytest.skip("no PostgreSQL server on 127.0.0.1")
    import psycopg

    monkeypatch.setenv("DATABASE_URL", server)
    monkeypatch.setattr(_own_database.signal, "signal", lambda *args: None)  # pytest's own
    own = _own_database.create("safety", use=False)
    try:
        assert own.name.startswith(_own_database.PREFIX)
        _own_database.check_url(own.url)  # accepted
        impostor = own.name + "_impostor"  # the right prefix, but not made by the helper
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{impostor}"')
        try:
            with pytest.raises(_own_database.Refused, match="no benchmark marker"):
                _own_database.check_url(own.url.replace(own.name, impostor))
        finally:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{impostor}"')
    finally:
        _own_database._MADE.remove(own)
        _own_database.drop(own)
    with psycopg.connect(server) as admin:
        left = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [own.name]).fetchone()
    assert left is None and not own.data_dir.exists()
