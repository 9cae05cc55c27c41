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


def _serve(host: str, port: int, threads: int) -> None:
    from django.core.management import call_command
    from waitress import serve

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # Imported after collectstatic: WhiteNoise indexes the static directory when it starts.
    from binhdang.wsgi import application

    print(f"Binhdang đang chạy tại / is running at http://{host}:{port}/  (Ctrl+C để dừng)")
    serve(application, host=host, port=port, threads=threads, ident="binhdang")


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
        cmd.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        cmd.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        cmd.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "8")))
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
    _serve(options.host, options.port, options.threads)


if __name__ == "__main__":
    main()
