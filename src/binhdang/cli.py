"""The `binhdang` command: `demo`, `serve`, `backup`, `restore` and `manage` (Django's commands)."""

import argparse
import os
import secrets
import sys
from pathlib import Path


def _demo_environment() -> None:
    """Give the demo a persistent secret key in its data directory, never a shared one."""
    data_dir = Path(os.environ.get("DATA_DIR", Path.cwd() / "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATA_DIR"] = str(data_dir)
    if not os.environ.get("SECRET_KEY"):
        key_file = data_dir / "demo-secret-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        os.environ["SECRET_KEY"] = key_file.read_text().strip()


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhdang.settings")
    import django

    django.setup()


def _count(option: str, lowest: int = 1):
    """An argparse type: a whole number of at least `lowest`, with a message naming the option."""

    def parse(text: str) -> int:
        try:
            number = int(str(text).strip())
        except ValueError:
            number = None
        if number is None or number < lowest:
            raise argparse.ArgumentTypeError(
                f"{option} phải là số nguyên từ {lowest} trở lên / must be a whole number of at "
                f"least {lowest}, not {text!r}"
            )
        return number

    return parse


def _default_server() -> str:
    """gunicorn (several processes) where it runs, i.e. not on Windows; else waitress."""
    if os.name == "nt":
        return "waitress"
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return "waitress"
    return "gunicorn"


def _serve(options) -> None:
    from django.core.management import call_command
    from django.db import connections

    if options.migrate:
        call_command("migrate", interactive=False, verbosity=0)
    from binhdang.core.static import collect_static

    collect_static()  # only when the static sources changed since the last start
    # Imported after collectstatic: WhiteNoise indexes the static directory when it starts.
    from binhdang.wsgi import application

    host, port = options.host, options.port
    options.threads = options.threads or (8 if options.server == "waitress" else 4)
    if options.server == "waitress":
        from waitress import serve

        shape = f"waitress, 1 process × {options.threads} threads"
        print(f"Binhdang đang chạy tại / is running at http://{host}:{port}/  ({shape})")
        serve(
            application,
            host=host,
            port=port,
            threads=options.threads,
            connection_limit=options.connections,
            backlog=options.backlog,
            ident="binhdang",
        )
        return
    from binhdang.core.server import run_gunicorn

    connections.close_all()  # the workers are forked: none may inherit the master's connection
    shape = f"gunicorn, {options.workers} processes × {options.threads} threads"
    print(f"Binhdang đang chạy tại / is running at http://{host}:{port}/  ({shape})", flush=True)
    run_gunicorn(
        application,
        bind=f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        workers=options.workers,
        threads=options.threads,
        connections=options.connections,
        backlog=options.backlog,
        timeout=options.timeout,
    )


def _backup_or_restore(options) -> None:
    import time

    from binhdang.core import backup

    start = time.monotonic()
    try:
        if options.command == "backup":
            stamp = time.strftime("%Y%m%d-%H%M%S")
            report = backup.backup(options.output or f"binhdang-backup-{stamp}.tar")
            done = "Đã sao lưu / Backed up"
        else:
            report = backup.restore(options.archive)
            done = "Đã khôi phục / Restored"
    except backup.BackupError as error:
        sys.exit(f"binhdang {options.command}: {error}")
    print(
        f"{done}: {report.rows:,} dòng / rows trong {len(report.tables)} bảng / tables, "
        f"{report.files:,} tệp / files, {report.path} ({report.size / 1e6:,.1f} MB), "
        f"{time.monotonic() - start:,.1f} s"
    )


def _server_options(cmd: argparse.ArgumentParser) -> None:
    """Where and how `serve` and `demo` serve; each option also read from its environment
    variable. Defaults from the machine: a process per core (gunicorn), threads for waiting on
    the database (docs/decisions.md, README "Sizing the server")."""
    cores = os.cpu_count() or 1
    env = os.environ.get
    cmd.add_argument("--host", default=env("HOST", "127.0.0.1"))
    cmd.add_argument("--port", type=_count("--port", 0), default=env("PORT", "8000"))
    cmd.add_argument(
        "--server",
        choices=["gunicorn", "waitress"],
        default=env("SERVER") or _default_server(),
        help="gunicorn (Linux, several processes; default there) or waitress (one process; "
        "Windows)",
    )
    cmd.add_argument(
        "--workers",
        type=_count("--workers"),
        default=env("WORKERS") or str(cores),
        help=f"processes (gunicorn; default: the number of cores, {cores})",
    )
    cmd.add_argument(
        "--threads",
        type=_count("--threads"),
        default=env("THREADS") or None,
        help="threads per process (default 4 with gunicorn, 8 with waitress's one process)",
    )
    cmd.add_argument(
        "--connections",
        type=_count("--connections"),
        default=env("CONNECTIONS") or "1000",
        help="open client connections per process, keep-alive included (default 1000)",
    )
    cmd.add_argument(
        "--backlog",
        type=_count("--backlog"),
        default=env("BACKLOG") or "2048",
        help="connections waiting to be accepted (default 2048)",
    )
    cmd.add_argument(
        "--no-migrate",
        dest="migrate",
        action="store_false",
        help="do not migrate at start (several app hosts: migrate once, from one of them)",
    )
    cmd.add_argument(
        "--timeout",
        type=_count("--timeout"),
        default=env("TIMEOUT") or "120",
        help="seconds a request may take before gunicorn restarts its process (default 120)",
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `binhdang` console script."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="binhdang",
        description="Binhdang: nền tảng công tác bình đẳng giới / gender-equality platform",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("demo", "cài đặt dữ liệu mẫu và chạy / set up demo data and serve"),
        ("serve", "chạy máy chủ / serve the platform"),
    ):
        cmd = sub.add_parser(name, help=text)
        _server_options(cmd)
        if name == "demo":
            cmd.add_argument(
                "--no-serve", action="store_true", help="chỉ cài đặt / set up without serving"
            )
    backup = sub.add_parser("backup", help="sao lưu dữ liệu và tệp / back up data and files")
    backup.add_argument(
        "-o",
        "--output",
        help="tệp sao lưu / archive to write (mặc định binhdang-backup-<ngày giờ>.tar)",
    )
    restore = sub.add_parser(
        "restore", help="khôi phục vào cơ sở dữ liệu trống / restore into an empty database"
    )
    restore.add_argument("archive", help="tệp sao lưu / the archive to restore")
    manage = sub.add_parser("manage", help="lệnh quản trị Django / Django management commands")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)

    if options.command == "manage":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhdang.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["binhdang manage", *options.args])
        return

    if options.command == "demo":
        _demo_environment()
    _setup_django()
    if options.command in ("backup", "restore"):
        _backup_or_restore(options)
        return
    if options.command == "demo":
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("setup_demo")
        if options.no_serve:
            return
    _serve(options)


if __name__ == "__main__":
    main()
