"""The deployment of README "Several machines", on one machine: the proxy of
deploy/nginx/binhdang.conf (TLS) in front of two app "hosts" (`binhdang serve --no-migrate`, each
with its own DATA_DIR), a background worker sharing the database queue, one PostgreSQL database
and a shared MEDIA_ROOT. Loopback only. Needs nginx and PostgreSQL on 127.0.0.1 (skipped without),
and takes a minute: the database is migrated once, as the README says."""

import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVER = os.environ.get("BENCH_SAFETY_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.skipif(
        sys.platform == "win32" or NGINX is None, reason="needs nginx (apt-get install nginx-light)"
    ),
    # It makes its own PostgreSQL database: once per CI run is enough, in the SQLite pass.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs once, in the SQLite pass (it makes its own PostgreSQL database)",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout: float = 10) -> tuple[int, dict, bytes]:
    """A GET that does not follow redirects and accepts the test's self-signed certificate."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _wait(url: str, seconds: float, processes) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, process.args
        try:
            _get(url, timeout=3)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def _proxy_conf(tmp: Path, app_ports: list[int], http_port: int, https_port: int) -> Path:
    """deploy/nginx/binhdang.conf with the test's addresses, ports, certificate and cache."""
    conf = (ROOT / "deploy/nginx/binhdang.conf").read_text()
    conf = re.sub(r"\n\s*#? ?server 10\.0\.0\.\d+:8000[^\n]*", "", conf)
    servers = "".join(f"\n    server 127.0.0.1:{port} max_fails=3;" for port in app_ports)
    conf = conf.replace("least_conn;", "least_conn;" + servers)
    conf = re.sub(r"\n\s*listen \[::\][^\n]*", "", conf)
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    conf = conf.replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    conf = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp}/cert.pem;", conf)
    conf = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp}/key.pem;", conf)
    conf = conf.replace("/var/cache/nginx/binhdang", str(tmp / "cache"))
    (tmp / "site.conf").write_text(conf)
    main = tmp / "nginx.conf"
    temp = "".join(
        f"{name}_temp_path {tmp}/{name};\n"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\nhttp {{\n"
        f"log_format upstream '$upstream_addr $status $request_uri';\n"
        f"access_log {tmp}/access.log upstream;\n{temp}include {tmp}/site.conf;\n}}\n"
    )
    return main


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        if os.environ.get("BINHDANG_REQUIRE_REDIS") == "1":
            raise
        return False
    return True


@pytest.fixture
def postgres_database():
    try:
        import psycopg

        psycopg.connect(SERVER, connect_timeout=3).close()
    except Exception as error:
        if os.environ.get("BINHDANG_REQUIRE_POSTGRES") == "1":
            raise RuntimeError(f"PostgreSQL is required but unreachable: {error}") from error
        pytest.skip(f"PostgreSQL unreachable at {SERVER}: {error}")
    name = f"binhdang_several_{os.getpid()}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield SERVER.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_app_hosts_a_worker_and_the_proxy(postgres_database, tmp_path):
    import psycopg

    shared_media = tmp_path / "nfs-media"
    shared_media.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=postgres_database,
        SECRET_KEY="the-same-secret-on-every-host",
        MEDIA_ROOT=str(shared_media),
        TASKS_BACKEND="database",
        SECURE_SSL_REDIRECT="1",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        PROXY_COUNT="1",
        DJANGO_SETTINGS_MODULE="binhdang.settings",
    )
    # The hosts share one cache where a Redis server is at hand (CI); CACHE_URL is optional.
    shared_cache = _redis_reachable()
    if shared_cache:
        env["CACHE_URL"] = "redis://127.0.0.1:6379/14"
    binhdang = [sys.executable, "-m", "binhdang"]

    def host(name: str) -> dict:
        (tmp_path / name).mkdir(exist_ok=True)
        return dict(env, DATA_DIR=str(tmp_path / name))

    migrate = subprocess.run(
        [*binhdang, "manage", "migrate", "-v0"], env=host("admin"), capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    # Static files collected once and copied to each host, as a deployment's build step would:
    # two hosts compressing ~2,300 files at once on 2 cores took longer than the wait below.
    collect = subprocess.run(
        [*binhdang, "manage", "shell", "-c",
         "from binhdang.core.static import collect_static; collect_static()"],
        env=host("admin"), capture_output=True, text=True,
    )  # fmt: skip
    assert collect.returncode == 0, collect.stderr
    for name in ("app1", "app2"):
        shutil.copytree(tmp_path / "admin" / "static", tmp_path / name / "static")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", tmp_path / "key.pem", "-out", tmp_path / "cert.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "cache").mkdir()
    app_ports = [_free_port(), _free_port()]
    http_port, https_port = _free_port(), _free_port()
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("app1", "app2", "worker")}
    processes = []
    try:
        for number, port in enumerate(app_ports, start=1):
            processes.append(
                subprocess.Popen(
                    [
                        *binhdang,
                        "serve",
                        "--no-migrate",
                        "--workers",
                        "1",
                        "--threads",
                        "2",
                        "--port",
                        str(port),
                    ],
                    env=host(f"app{number}"),
                    stdout=logs[f"app{number}"],
                    stderr=subprocess.STDOUT,
                )  # fmt: skip
            )
        for port in app_ports:
            _wait(f"http://127.0.0.1:{port}/healthz", 120, processes)
        conf = _proxy_conf(tmp_path, app_ports, http_port, https_port)
        proxy = subprocess.Popen(
            [NGINX, "-c", str(conf), "-g", "daemon off;"], stderr=subprocess.PIPE, text=True
        )
        processes.append(proxy)
        base = f"https://127.0.0.1:{https_port}"
        _wait(f"{base}/healthz", 20, processes)

        # Plain http is sent to https by the proxy; through it, the app knows the request was
        # https (X-Forwarded-Proto), so SECURE_SSL_REDIRECT does not loop.
        status, headers, _ = _get(f"http://127.0.0.1:{http_port}/login/")
        assert status == 301 and headers["Location"].startswith("https://")
        status, _, page = _get(f"{base}/login/")
        assert status == 200 and b"csrfmiddlewaretoken" in page
        # Directly, without the proxy's header, the app host itself would redirect.
        assert _get(f"http://127.0.0.1:{app_ports[0]}/login/")[0] == 301

        # The proxy spreads requests over both hosts.
        for _ in range(12):
            assert _get(f"{base}/login/")[0] == 200
        used = set(re.findall(r"127\.0\.0\.1:(\d+)", (tmp_path / "access.log").read_text()))
        assert {str(port) for port in app_ports} <= used

        # A task queued by an app host waits until a worker on another "host" takes it.
        enqueue = subprocess.run(
            [*binhdang, "manage", "shell", "-c",
             "from binhdang.notices.tasks import deliver; "
             "print(deliver.enqueue('round_opened', [], '/', {}).id)"],
            env=host("app1"), capture_output=True, text=True,
        )  # fmt: skip
        assert enqueue.returncode == 0, enqueue.stderr
        health = json.loads(_get(f"{base}/healthz")[2])
        assert health["database"] == "ok" and health["queue"]["backend"] == "database"
        assert health["queue"]["waiting"] == 1
        assert health.get("cache") == ("ok" if shared_cache else None)
        worker = subprocess.Popen(
            [*binhdang, "manage", "db_worker", "--no-reload", "--no-startup-delay"],
            env=host("worker"), stdout=logs["worker"], stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append(worker)
        deadline = time.monotonic() + 60
        while json.loads(_get(f"{base}/healthz")[2])["queue"]["waiting"]:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()
            time.sleep(0.5)
        with psycopg.connect(postgres_database) as db:
            (status,) = db.execute(
                "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s",
                [enqueue.stdout.split()[-1]],
            ).fetchone()
        assert status == "SUCCESSFUL"

        # One app host stops: the proxy keeps serving from the other.
        processes[0].terminate()
        processes[0].wait(timeout=60)
        for _ in range(6):
            assert _get(f"{base}/login/")[0] == 200
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs.values():
            log.close()
