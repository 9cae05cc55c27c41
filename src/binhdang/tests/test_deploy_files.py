"""deploy/: the example files agree with the platform they deploy (settings, limits, commands)."""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

from binhdang import cli

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
ENV_FILE = DEPLOY / "binhdang.env"


def _env_names() -> set[str]:
    return {
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in ENV_FILE.read_text().splitlines()
        if re.match(r"^#? ?[A-Z_]+=", line)
    }


def _readme_settings() -> set[str]:
    """The variables of the README's configuration table."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            names |= set(re.findall(r"`([A-Z_]+)`", row.split("|")[1]))
    return names


def test_the_environment_file_has_every_setting_of_the_readme():
    documented = _readme_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "WORKERS", "MEDIA_ROOT"} <= documented
    assert documented <= _env_names(), documented - _env_names()


def test_the_environment_file_names_only_settings_the_platform_reads():
    read = (ROOT / "src/binhdang/settings.py").read_text() + Path(cli.__file__).read_text()
    unknown = {name for name in _env_names() if f'"{name}"' not in read}
    assert not unknown, unknown


def test_the_environment_file_keeps_secrets_as_placeholders():
    text = ENV_FILE.read_text()
    assert re.search(r"^SECRET_KEY=<", text, re.M)
    assert re.search(r"^EMAIL_HOST_PASSWORD=<", text, re.M)
    assert re.search(r"^TASKS_BACKEND=database$", text, re.M)


def test_the_proxy_accepts_every_upload_the_app_accepts_and_waits_as_long():
    conf = (DEPLOY / "nginx/binhdang.conf").read_text()
    body_mb = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert body_mb > max(settings.DECISION_FILE_MAX_MB, settings.IMPORT_MAX_MB)
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", conf).group(1))
    parser = cli.argparse.ArgumentParser()
    cli._server_options(parser)
    assert read_timeout > parser.parse_args([]).timeout
    # The app trusts these headers: the proxy must set them, not pass the client's on.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf


def test_every_daily_command_of_the_readme_has_a_timer():
    readme = (ROOT / "README.md").read_text()
    daily = set(re.findall(r"\* \* \*\s+cd /srv/binhdang && binhdang manage (\w+)", readme))
    assert daily >= {"send_task_reminders", "send_round_reminders", "clean_jobs"}
    timers = {
        re.search(r"Unit=binhdang-manage@(\w+)\.service", path.read_text()).group(1)
        for path in (DEPLOY / "systemd").glob("*.timer")
    }
    assert daily == timers
    assert timers <= set(get_commands())


def test_the_units_run_the_platforms_commands():
    app = (DEPLOY / "systemd/binhdang.service").read_text()
    worker = (DEPLOY / "systemd/binhdang-worker@.service").read_text()
    assert "ExecStart=/srv/binhdang/.venv/bin/binhdang serve --no-migrate" in app
    assert "binhdang manage db_worker" in worker and "db_worker" in get_commands()
    for unit in (DEPLOY / "systemd").glob("*.service"):
        assert "EnvironmentFile=/etc/binhdang/binhdang.env" in unit.read_text(), unit.name
