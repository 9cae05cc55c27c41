"""The README's first command, end to end on a fresh data directory (without serving)."""

import os
import subprocess
import sys

import pytest

from binhdang.demo.accounts import ACCOUNTS, DEMO_PASSWORD


def run_binhdang(*args: str, data_dir, **extra_env: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.update(DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="binhdang.settings", **extra_env)
    return subprocess.run(
        [sys.executable, "-m", "binhdang", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("demo")


def test_demo_sets_up_a_fresh_machine_and_prints_the_accounts(demo_dir):
    first = run_binhdang("demo", "--no-serve", data_dir=demo_dir)
    assert first.returncode == 0, first.stderr
    assert (demo_dir / "binhdang.sqlite3").exists()
    assert (demo_dir / "demo-secret-key").exists()  # generated, never a shared default
    for username, *_ in ACCOUNTS:
        assert username in first.stdout
    assert DEMO_PASSWORD in first.stdout

    again = run_binhdang("demo", "--no-serve", data_dir=demo_dir)
    assert again.returncode == 0, again.stderr
    assert "thêm 0, thay đổi 0, ngừng hiệu lực 0" in again.stdout


def test_manage_passes_through_to_django(tmp_path):
    before = run_binhdang("manage", "showmigrations", "orgunits", data_dir=tmp_path, DEBUG="1")
    assert before.returncode == 0, before.stderr
    assert "[ ] 0001_initial" in before.stdout
    migrate = run_binhdang("manage", "migrate", "orgunits", data_dir=tmp_path, DEBUG="1")
    assert migrate.returncode == 0, migrate.stderr
    after = run_binhdang("manage", "showmigrations", "orgunits", data_dir=tmp_path, DEBUG="1")
    assert "[X] 0001_initial" in after.stdout


def test_serve_refuses_without_secret_key(tmp_path):
    result = run_binhdang("serve", "--port", "0", data_dir=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
