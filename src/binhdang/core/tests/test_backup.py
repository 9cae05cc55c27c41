"""Backup and restore: the archive round-trips SQLite → PostgreSQL → SQLite unchanged, the audit
history is kept as it was, uploaded files come back and their links work, and a restore refuses a
database or a media directory that is not empty, or an archive that was altered.

PostgreSQL: a throw-away database on the server of BINHDANG_TEST_POSTGRES (default
postgres://postgres@127.0.0.1:5432/postgres); where that server is unreachable the PostgreSQL leg
is skipped, unless BINHDANG_REQUIRE_POSTGRES=1 (CI) makes that an error.
"""

import datetime
import io
import json
import os
import tarfile
from contextlib import contextmanager

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend
from django.test import Client, override_settings
from django.urls import reverse

from binhdang.committees import services
from binhdang.committees.models import Committee, Decision, Membership, Person
from binhdang.committees.models import Role as CommitteeRole
from binhdang.core import backup

pytestmark = pytest.mark.security  # issue 17: the import and backup cases of the suite


PDF = b"%PDF-1.4\n% Quyet dinh kien toan Ban\n" + bytes(range(256)) * 40
POSTGRES_ADMIN = os.environ.get(
    "BINHDANG_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def media(settings, tmp_path):
    """The uploaded files of this test, in a directory of their own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def committee(personas, tree, media):
    """Quảng Ngãi's committee with a decision, its scanned file and audit history."""
    actor = personas["province_admin"]
    committee = services.create_committee(
        actor, tree["province"], name="Ban Vì sự tiến bộ của phụ nữ tỉnh Quảng Ngãi"
    )
    services.reconstitute(
        actor,
        committee,
        number="12/QĐ-UBND",
        date=datetime.date(2021, 3, 15),
        members=[
            services.MemberSpec(
                Person(full_name="Nguyễn Thị Ánh", sex="female"), CommitteeRole.HEAD
            ),
            services.MemberSpec(
                Person(full_name="Trần Văn Bình", sex="male"), CommitteeRole.SECRETARY
            ),
        ],
    )
    decision = committee.decisions.get()
    services.attach_decision_file(
        actor, decision, SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf")
    )
    return committee


@contextmanager
def extra_database(alias: str, config: dict):
    """A second database connection under `alias` for the length of the block (made directly, not
    from settings: Django's test case lets such connections through)."""
    both = {"default": dict(connections.settings["default"]), alias: config}
    config = connections.configure_settings(both)[alias]
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]


@contextmanager
def sqlite_database(path):
    with extra_database("backup_sqlite", {"ENGINE": "django.db.backends.sqlite3", "NAME": path}):
        yield "backup_sqlite"


@contextmanager
def postgres_database():
    """A new, empty PostgreSQL database, dropped afterwards."""
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except Exception as error:
        if os.environ.get("BINHDANG_REQUIRE_POSTGRES") == "1":
            raise RuntimeError(f"PostgreSQL is required but unreachable: {error}") from error
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_ADMIN}: {error}")
    name = f"binhdang_h6_restore_{os.getpid()}"
    import dj_database_url

    config = dj_database_url.parse(POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name)
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with extra_database("backup_postgres", config):
                yield "backup_postgres"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manifest_of(path) -> dict:
    with tarfile.open(path) as archive:
        return backup.read_manifest(archive)


def content(manifest: dict) -> tuple:
    """What must not change between two archives: each table's rows and checksum, the files."""
    return (
        [(t["model"], t["rows"], t["sha256"]) for t in manifest["tables"]],
        manifest["files"],
    )


@pytest.mark.django_db
def test_round_trip_sqlite_postgresql_sqlite_changes_nothing(committee, tmp_path):
    first = backup.backup(tmp_path / "1.tar")
    history = LogEntry.objects.count()
    assert history > 0 and first.tables["auditlog.logentry"] == history
    assert first.tables["committees.decision"] == 1 and first.files == 1

    with postgres_database() as pg:
        restored = backup.restore(first.path, using=pg, media_root=tmp_path / "media-pg")
        assert restored.tables == first.tables
        # Restored as it was, not re-created: same rows, not one "created" entry more.
        assert LogEntry.objects.using(pg).count() == history
        fields = ("pk", "action", "timestamp", "actor_id", "object_repr", "changes")
        assert list(LogEntry.objects.using(pg).order_by("pk").values_list(*fields)) == list(
            LogEntry.objects.order_by("pk").values_list(*fields)
        )
        # The sequences start after the restored keys: a new row gets a new key.
        person = Person.objects.using(pg).create(full_name="Lê Thị Mới", sex="female")
        assert person.pk > Person.objects.exclude(pk=person.pk).order_by("pk").last().pk
        person.delete()
        second = backup.backup(tmp_path / "2.tar", using=pg, media_root=tmp_path / "media-pg")

    with sqlite_database(tmp_path / "restored.sqlite3") as lite:
        backup.restore(second.path, using=lite, media_root=tmp_path / "media-lite")
        third = backup.backup(tmp_path / "3.tar", using=lite, media_root=tmp_path / "media-lite")
        assert Decision.objects.using(lite).get().file.name == committee.decisions.get().file.name

    one, two, three = (manifest_of(a.path) for a in (first, second, third))
    assert two["source_database"] == "postgresql" and three["source_database"] == "sqlite"
    assert content(one) == content(two) == content(three)
    name = committee.decisions.get().file.name
    assert (tmp_path / "media-lite" / name).read_bytes() == PDF


@pytest.mark.django_db
def test_restore_into_sqlite_keeps_history_and_file_links_work(
    committee, personas, media, tmp_path
):
    archive = backup.backup(tmp_path / "b.tar").path
    decision = committee.decisions.get()
    url = reverse("committees:decision_file", args=[decision.pk])
    client = Client(raise_request_exception=False)
    client.force_login(personas["province_admin"])
    assert b"".join(client.get(url).streaming_content) == PDF

    # A new server: the database restored, the uploaded files not (dumpdata's way) → no file.
    media_after = tmp_path / "media-after"
    media_after.mkdir()
    with _media_root(media_after):
        assert client.get(url).status_code != 200
    with sqlite_database(tmp_path / "r.sqlite3") as lite:
        report = backup.restore(archive, using=lite, media_root=media_after)
        assert report.files == 1
        assert LogEntry.objects.using(lite).count() == LogEntry.objects.count()
        assert Membership.objects.using(lite).count() == 2
    with _media_root(media_after):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF


@contextmanager
def _media_root(path):
    with override_settings(MEDIA_ROOT=path):
        yield


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(committee, tmp_path):
    archive = backup.backup(tmp_path / "b.tar").path
    with pytest.raises(backup.BackupError, match="không trống"):
        backup.restore(archive, media_root=tmp_path / "elsewhere")
    assert Committee.objects.count() == 1
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.django_db
def test_restore_refuses_files_that_would_be_overwritten(committee, media, tmp_path):
    archive = backup.backup(tmp_path / "b.tar").path
    with sqlite_database(tmp_path / "r.sqlite3") as lite:
        with pytest.raises(backup.BackupError, match="trùng tên"):
            backup.restore(archive, using=lite, media_root=media)
        # Refused before anything was written: not even the tables were made.
        assert "committees_committee" not in connections[lite].introspection.table_names()
    assert (media / committee.decisions.get().file.name).read_bytes() == PDF


def _rewrite(source, target, change) -> None:
    """Copy an archive member by member, passing each (name, bytes) through `change`."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old:
            data = change(member.name, old.extractfile(member).read())
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda name, data: data + b"x" if name.startswith("media/") else data, "bị hỏng"),
        (lambda name, data: None if "committees.decision." in name else data, "thiếu"),
        (lambda name, data: None if name == "manifest.json" else data, "không phải bản sao lưu"),
    ],
    ids=["altered-file", "missing-part", "no-manifest"],
)
def test_restore_refuses_a_damaged_archive(committee, tmp_path, change, message):
    archive = backup.backup(tmp_path / "b.tar").path
    _rewrite(archive, tmp_path / "bad.tar", change)
    with pytest.raises(backup.BackupError, match=message):
        backup.restore(tmp_path / "bad.tar", media_root=tmp_path / "m")
    assert not (tmp_path / "m").exists()


@pytest.mark.django_db
def test_restore_refuses_a_path_outside_the_media_directory(committee, tmp_path):
    archive = backup.backup(tmp_path / "b.tar").path

    def escape(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["files"][0]["name"] = "../../etc/cron.d/evil"
        return json.dumps(manifest).encode()

    _rewrite(archive, tmp_path / "bad.tar", escape)
    with pytest.raises(backup.BackupError, match="không hợp lệ"):
        backup.restore(tmp_path / "bad.tar", media_root=tmp_path / "m")


@pytest.mark.django_db
def test_a_natural_key_dump_recreates_history_where_restore_does_not(committee, tmp_path):
    """Why not dumpdata/loaddata: loading saves every object again, and each save writes a new
    "created" entry into the history, dated today, by nobody."""
    dump = tmp_path / "committees.json"
    call_command(
        "dumpdata", "committees", natural_foreign=True, natural_primary=True, output=str(dump)
    )
    objects = len(json.loads(dump.read_text()))
    with disable_auditlog():
        for model in (Membership, Decision, Committee, Person):
            model.objects.all().delete()
    before = LogEntry.objects.count()
    call_command("loaddata", str(dump), verbosity=0)
    fake = LogEntry.objects.filter(pk__gt=LogEntry.objects.order_by("pk")[before - 1].pk)
    assert fake.count() == objects
    assert set(fake.values_list("action", flat=True)) == {LogEntry.Action.CREATE}
    assert not fake.filter(actor__isnull=False).exists()


@pytest.mark.django_db
def test_backup_and_restore_commands(committee, tmp_path, monkeypatch, capsys):
    from binhdang import cli

    monkeypatch.chdir(tmp_path)
    cli._backup_or_restore(type("Options", (), {"command": "backup", "output": None})())
    made = list(tmp_path.glob("binhdang-backup-*.tar"))
    assert len(made) == 1 and oct(made[0].stat().st_mode)[-3:] == "600"
    assert "Đã sao lưu" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="^binhdang restore: .*(không trống|trùng tên)"):
        cli._backup_or_restore(type("Options", (), {"command": "restore", "archive": made[0]})())
