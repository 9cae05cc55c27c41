"""The optional read replica: reads inside `reading_replica()` go to it, writes never do."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import router

from binhdang.accounts.models import User
from binhdang.core.replica import REPLICA, ReplicaRouter, reading_replica


@pytest.fixture
def with_replica(monkeypatch):
    """A replica alias in the settings (the router reads them; no connection is opened)."""
    monkeypatch.setitem(settings.DATABASES, REPLICA, dict(settings.DATABASES["default"]))


def test_without_a_replica_everything_goes_to_the_primary():
    assert REPLICA not in settings.DATABASES
    with reading_replica():
        assert router.db_for_read(User) == "default"
        assert router.db_for_write(User) == "default"


def test_reads_go_to_the_replica_only_inside_the_block(with_replica):
    assert router.db_for_read(User) == "default"
    with reading_replica():
        assert router.db_for_read(User) == REPLICA
        with reading_replica():
            assert router.db_for_read(User) == REPLICA
        assert router.db_for_read(User) == REPLICA  # the inner block restored, not cleared
    assert router.db_for_read(User) == "default"


def test_writes_never_go_to_the_replica(with_replica):
    read_there = User(username="doc-tu-ban-sao")
    read_there._state.db = REPLICA  # as Django marks an object read from the replica
    with reading_replica():
        assert router.db_for_write(User) == "default"
        assert router.db_for_write(User, instance=read_there) == "default"
    assert router.db_for_write(User, instance=read_there) == "default"
    assert not ReplicaRouter().allow_migrate(REPLICA, "accounts")
    assert ReplicaRouter().allow_migrate("default", "accounts")


def test_an_object_read_from_the_replica_is_saved_to_the_primary(tmp_path):
    """End to end with two SQLite files: the replica a copy of the primary, as replication
    leaves it; a read inside the block comes from the copy, the save lands in the primary."""
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env.update(
        DEBUG="1",
        DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="binhdang.settings",
        DATABASE_URL=f"sqlite:///{primary}",
    )

    def run(code: str, **extra) -> str:
        result = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            env=dict(env, **extra),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    run(
        """
        import django; django.setup()
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        from binhdang.accounts.models import User
        User.objects.create(username="xa_officer", first_name="Lan")
        """
    )
    shutil.copy(primary, replica)
    # The primary moves on; the replica has not caught up yet.
    run(
        """
        import django; django.setup()
        from binhdang.accounts.models import User
        User.objects.filter(username="xa_officer").update(last_name="Primary")
        """
    )
    out = run(
        """
        import django; django.setup()
        from binhdang.accounts.models import User
        from binhdang.core.replica import reading_replica
        with reading_replica():
            user = User.objects.get(username="xa_officer")
            print(user._state.db, repr(user.last_name))
            user.first_name = "Hoa"
            user.save()
            User.objects.create(username="new_in_block")
        """,
        DATABASE_REPLICA_URL=f"sqlite:///{replica}",
    )
    assert out == "replica ''"  # read from the copy, which lacks the primary's later change

    def names(path) -> set[tuple[str, str]]:
        import sqlite3

        with sqlite3.connect(path) as db:
            return set(db.execute("SELECT username, first_name FROM accounts_user"))

    assert names(primary) == {("xa_officer", "Hoa"), ("new_in_block", "")}
    assert names(replica) == {("xa_officer", "Lan")}  # nothing written there


def test_an_object_of_another_database_is_written_and_migrated_there(with_replica):
    """A restore's target (or a test's second connection) is no replica: its objects are
    written where they came from, and its schema is migrated as usual."""
    elsewhere = User(username="khoi-phuc")
    elsewhere._state.db = "restore_target"
    assert router.db_for_write(User, instance=elsewhere) == "restore_target"
    assert router.db_for_read(User, instance=elsewhere) == "restore_target"
    assert ReplicaRouter().allow_migrate("restore_target", "accounts")
