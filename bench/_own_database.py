"""Every benchmark's database: made for the run, dropped after it; nothing else touched, no mail.

A benchmark writes (some delete whole tables, one opens a national round that notifies every
commune), so it must never run against a real database. Each benchmark, as a script:

    import _own_database
    _own_database.script_only(__name__)        # importing the module does nothing else
    ...parse its arguments...
    own = _own_database.create("label")        # a new database, DATABASE_URL and DATA_DIR set
    django.setup()
    _own_database.guard()                      # refuses a database it did not make; mail in memory

`DATABASE_URL`, when it names PostgreSQL, only says which server to use: the helper connects to
it to CREATE and DROP a database of its own, `binhdang_bench_<label>_<pid>_<random>`, marked with
a comment; without it (or with sqlite=True) the database is a SQLite file in a new temporary
directory holding a marker file. `guard()` checks both the name and the marker of every database
Django is configured with, so a benchmark pointed at a real database by mistake stops before its
first query. The databases and the temporary directory are dropped at exit (also on SIGTERM)
unless kept.
"""

import atexit
import os
import secrets
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PREFIX = "binhdang_bench_"
MARKER = "binhdang benchmark database: made by bench/_own_database.py, dropped after the run"
SQLITE_MARKER = ".binhdang-bench-owned"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
# Settings that would let a benchmark reach a real mail server or worker queue.
UNSAFE_ENV = ("EMAIL_HOST", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_PORT", "SITE_URL")


class Refused(SystemExit):
    """The benchmark was about to use a database it did not create."""


@dataclass
class OwnDatabase:
    """A database made for one run: its URL, its name on the server (None for SQLite) and the
    temporary data directory (uploaded files, the SQLite file)."""

    url: str
    name: str | None
    data_dir: Path
    server_url: str | None
    keep: bool = False


_MADE: list[OwnDatabase] = []


def script_only(module_name: str) -> None:
    """Refuse to be imported: a benchmark does its work only when run as a script."""
    if module_name != "__main__":
        raise ImportError(
            f"{module_name} is a benchmark: run it as a script (python bench/…), never import it"
        )


def server_url() -> str | None:
    """The PostgreSQL server named by DATABASE_URL (only to create and drop on), or None."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_name(url: str, name: str) -> str:
    base, _, rest = url.rpartition("/")
    query = rest.partition("?")[2]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def create(label: str, *, sqlite: bool = False, keep: bool = False, use: bool = True):
    """A new, empty database for this run (PostgreSQL on DATABASE_URL's server, else SQLite);
    with `use`, DATABASE_URL and DATA_DIR point at it and the mail settings are removed."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"binhdang-bench-{label}-"))
    server = None if sqlite else server_url()
    if server:
        import psycopg

        name = f"{PREFIX}{label.replace('-', '_')}_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
            admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{MARKER}'")
        url = _with_name(server, name)
    else:
        name = None
        sqlite_file = data_dir / "binhdang.sqlite3"
        (data_dir / SQLITE_MARKER).write_text(str(sqlite_file))
        url = f"sqlite:///{sqlite_file}"
    own = OwnDatabase(url=url, name=name, data_dir=data_dir, server_url=server, keep=keep)
    _MADE.append(own)
    # Stopped with kill (SIGTERM): exit normally, so that the exit handler drops it.
    signal.signal(signal.SIGTERM, _stopped)
    if use:
        os.environ.update(
            DATABASE_URL=url, DATA_DIR=str(data_dir), TASKS_BACKEND="immediate", DEBUG="1"
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhdang.settings")
        for unsafe in UNSAFE_ENV:
            os.environ.pop(unsafe, None)
    return own


def refusal(engine: str, name: str, comment: str | None) -> str | None:
    """Why a database is not one a benchmark made (None when it is): PostgreSQL needs the name
    prefix and the marker comment; SQLite a file beside the marker the helper wrote."""
    if engine.endswith("postgresql"):
        if not str(name).startswith(PREFIX):
            return f"the database {name!r} was not made by a benchmark (no {PREFIX} prefix)"
        if comment != MARKER:
            return f"the database {name!r} has no benchmark marker: not made by bench/"
        return None
    if engine.endswith("sqlite3"):
        marker = Path(str(name)).parent / SQLITE_MARKER
        if not marker.is_file() or marker.read_text() != str(name):
            return f"the SQLite file {name} was not made by a benchmark"
        return None
    return f"a benchmark runs only on a database it made, not on {engine}"


def _pg_comment(url: str) -> str | None:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT pg_catalog.shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        ).fetchone()
    return row[0] if row else None


def check_url(url: str) -> None:
    """Refuse (exit) unless `url` names a database a benchmark made; the name is checked before
    any connection is opened."""
    import dj_database_url

    config = dj_database_url.parse(url)
    engine, name = config["ENGINE"], config["NAME"]
    reason = refusal(engine, name, None)
    if engine.endswith("postgresql") and str(name).startswith(PREFIX):
        reason = refusal(engine, name, _pg_comment(url))
    if reason:
        raise Refused(f"Benchmark refused: {reason}. Nothing was changed.")


def guard() -> None:
    """After django.setup(): every configured database is one a benchmark made, and mail goes
    to memory (locmem), never to a mail server."""
    from django.conf import settings
    from django.core import mail
    from django.core.mail.backends.locmem import EmailBackend
    from django.db import connections

    for alias in connections:
        config = connections[alias].settings_dict
        comment = None
        if config["ENGINE"].endswith("postgresql") and str(config["NAME"]).startswith(PREFIX):
            with connections[alias].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_catalog.shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = current_database()"
                )
                comment = cursor.fetchone()[0]
        reason = refusal(config["ENGINE"], config["NAME"], comment)
        if reason:
            raise Refused(f"Benchmark refused: {reason}. Nothing was changed.")
    settings.MAILERS = {alias: {"BACKEND": LOCMEM} for alias in {"default", *settings.MAILERS}}
    mail.outbox = []
    for alias in settings.MAILERS:
        backend = mail.mailers[alias]
        if not isinstance(backend, EmailBackend):
            raise Refused(f"Benchmark refused: the mailer {alias!r} is {type(backend).__name__}")


def drop(own: OwnDatabase) -> None:
    """Drop a database this helper made, and its temporary directory (unless kept)."""
    if own.keep:
        print(f"kept: {own.url} (data in {own.data_dir})", file=sys.stderr)
        return
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()
    if own.name and own.server_url and own.name.startswith(PREFIX):
        import psycopg

        with psycopg.connect(own.server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{own.name}" WITH (FORCE)')
    shutil.rmtree(own.data_dir, ignore_errors=True)


@atexit.register
def _drop_all() -> None:
    while _MADE:
        drop(_MADE.pop())


def _stopped(signum, frame):
    sys.exit("stopped")
