"""`binhdang serve`: several gunicorn processes on Linux, and clear refusals of bad sizes."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from binhdang import cli


def _env(data_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="binhdang.settings",
        SECRET_KEY="test-only-secret-key",
        **extra,
    )
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn needs fork; Windows uses waitress")
def test_serve_runs_two_gunicorn_workers_and_answers(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "binhdang", "serve", "--workers", "2", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Migrating a new SQLite file and collecting static files first: minutes on a busy machine.
        answer, deadline = None, time.monotonic() + 600
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    answer = (r.status, r.read())
            except OSError:
                time.sleep(0.5)
        assert answer is not None, server.stdout.read() if server.poll() is not None else ""
        assert answer[0] == 200 and b'"database": "ok"' in answer[1]
        assert len(_children(server.pid)) == 2  # two worker processes under the master
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    assert server.returncode == 0, output
    assert "gunicorn, 2 processes × 4 threads" in output


@pytest.mark.parametrize(
    ("args", "env", "option"),
    [
        (["--workers", "0"], {}, "--workers"),
        (["--workers", "abc"], {}, "--workers"),
        (["--threads", "-1"], {}, "--threads"),
        (["--connections", "many"], {}, "--connections"),
        ([], {"WORKERS": "abc"}, "--workers"),
        ([], {"BACKLOG": "0"}, "--backlog"),
    ],
)
def test_bad_sizes_are_refused_with_a_clear_message(args, env, option, tmp_path, capsys):
    old = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        with pytest.raises(SystemExit) as stopped:
            cli.main(["serve", *args])
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert option in error and "must be a whole number of at least" in error


def test_the_server_follows_the_platform(monkeypatch):
    monkeypatch.setattr(cli.os, "name", "nt")
    assert cli._default_server() == "waitress"
    monkeypatch.setattr(cli.os, "name", "posix")
    assert cli._default_server() == "gunicorn"


def test_sizes_come_from_flags_environment_and_cores(monkeypatch):
    monkeypatch.setattr(cli.os, "cpu_count", lambda: 6)
    monkeypatch.setenv("THREADS", "3")
    monkeypatch.setenv("BACKLOG", "64")
    parser = cli.argparse.ArgumentParser()
    cli._server_options(parser)
    options = parser.parse_args(["--connections", "50"])
    assert (options.workers, options.threads, options.backlog, options.connections) == (
        6,
        3,
        64,
        50,
    )
