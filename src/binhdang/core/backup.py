"""Backup and restore: one archive with the database, the uploaded files and a manifest.

The archive is a plain tar file:
- `database/NNNN-<app>.<model>.jsonl.gz`: one table per part, one JSON list of raw field values
  per row (in the manifest's column order), rows ordered by primary key, parts in dependency order
  (a table after the tables it points to). Raw values, not `dumpdata`'s objects: restoring inserts
  rows as they were, with their keys, so the audit history is kept exactly and no signal runs.
- `media/<path>`: every uploaded file under MEDIA_ROOT, byte for byte.
- `manifest.json` (last): the row count of every table, the sha256 of every part and file, the
  applied migrations and the versions that wrote it.

The parts are database-neutral (dates in ISO 8601 UTC, decimals as text, JSON sorted), written
deterministically: the same data gives the same part checksums on SQLite and PostgreSQL, which is
how the round-trip test proves nothing changed. Reading and writing stream row by row, so memory
stays bounded whatever the size of the database. Sessions are left out (everyone signs in again);
secrets of the deployment (SECRET_KEY, environment) are not in the database and not in the archive.
"""

import base64
import datetime
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "binhdang-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
# Tables that `migrate` fills by itself: replaced by the archive's rows (their keys are what the
# audit history and permissions point to), and not counted when checking that a database is empty.
FRAMEWORK_MODELS = ("contenttypes.contenttype", "auth.permission")
# Left out of the archive: sign-in sessions are short-lived and carry nothing to keep.
SKIPPED_APPS = ("sessions",)
BATCH = 5000
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Report:
    """What a backup or restore did: rows per table, files, bytes of the archive."""

    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    size: int = 0

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


# ---------------------------------------------------------------------------------------------
# Which tables, in which order.


def backed_up_models(using: str = "default") -> list[type[models.Model]]:
    """Every table of the platform's apps, a table after the tables its foreign keys point to."""
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label not in SKIPPED_APPS
        and router.allow_migrate_model(using, model)
    ]
    candidates.sort(key=lambda model: model._meta.label_lower)
    wanted = set(candidates)
    ordered: list[type[models.Model]] = []
    placed: set = set()
    visiting: set = set()

    def place(model) -> None:
        if model in placed or model in visiting:
            return  # a cycle: foreign keys are checked at commit, so any order of the two loads
        visiting.add(model)
        for column in model._meta.local_concrete_fields:
            target = column.related_model if column.is_relation else None
            if target is not None and target is not model and target in wanted:
                place(target)
        visiting.discard(model)
        placed.add(model)
        ordered.append(model)

    for model in candidates:
        place(model)
    return ordered


def _columns(model) -> list[models.Field]:
    return list(model._meta.local_concrete_fields)


# ---------------------------------------------------------------------------------------------
# Values: database-neutral text in the parts, database values on the way back.


def _kind(column: models.Field) -> str:
    # A foreign key holds its target's kind of value (an integer, or a UUID…).
    return (column.target_field if column.is_relation else column).get_internal_type()


def _encoder(column: models.Field):
    kind = _kind(column)
    if kind == "DateTimeField":
        return lambda v: v.astimezone(datetime.UTC).isoformat() if v.tzinfo else v.isoformat()
    if kind in ("DateField", "TimeField"):
        return lambda v: v.isoformat()
    if kind == "DecimalField":
        return lambda v: format(v, "f")
    if kind == "DurationField":
        return lambda v: v // datetime.timedelta(microseconds=1)
    if kind == "BinaryField":
        return lambda v: base64.b64encode(bytes(v)).decode("ascii")
    if kind == "UUIDField":
        return str
    return None


def _decoder(column: models.Field):
    kind = _kind(column)
    if kind == "DurationField":
        return lambda v: datetime.timedelta(microseconds=v)
    if _encoder(column) is None:
        return None  # JSON gave the value back as it was (numbers, text, booleans, JSON)
    return (column.target_field if column.is_relation else column).to_python


def _encode_row(row: tuple, encoders: list) -> str:
    values = [
        value if value is None or encode is None else encode(value)
        for value, encode in zip(row, encoders, strict=True)
    ]
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# ---------------------------------------------------------------------------------------------
# Writing an archive.


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _check_migrated(using: str) -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError(
            "Cơ sở dữ liệu chưa được cập nhật cấu trúc: chạy `binhdang manage migrate` rồi sao "
            "lưu lại. / The database has unapplied migrations: run migrate first."
        )


def _media_files(media_root: Path) -> Iterator[tuple[Path, str]]:
    if not media_root.is_dir():
        return
    for folder, _dirs, names in sorted(os.walk(media_root)):
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(media_root).as_posix()


def _dump_table(model, using: str, target: Path) -> tuple[int, str]:
    """Write one table to a gzip file; return its row count and the file's sha256."""
    columns = _columns(model)
    encoders = [_encoder(column) for column in columns]
    rows = (
        model._base_manager.using(using)
        .order_by("pk")
        .values_list(*[column.attname for column in columns])
        .iterator(chunk_size=BATCH)
    )
    count = 0
    # No name and a fixed time in the gzip header: the same rows give the same bytes.
    with (
        open(target, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as out,
    ):
        buffer = []
        for row in rows:
            buffer.append(_encode_row(row, encoders))
            count += 1
            if len(buffer) >= BATCH:
                out.write("".join(buffer).encode("utf-8"))
                buffer.clear()
        out.write("".join(buffer).encode("utf-8"))
    return count, _sha256_file(target)


def backup(
    output: Path | str, *, using: str = "default", media_root: Path | str | None = None
) -> Report:
    """Write the database and the uploaded files to one archive at `output`."""
    output = Path(output)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    _check_migrated(using)
    connection = connections[using]
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "binhdang_version": _version(),
        "django_version": django.get_version(),
        "source_database": connection.vendor,
        "migrations": _applied_migrations(using),
        "tables": [],
        "files": [],
    }
    report = Report(path=output)
    partial = output.with_name(output.name + ".partial")
    output.parent.mkdir(parents=True, exist_ok=True)
    # Readable by its owner only from the first byte: the archive holds every account's data.
    handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
    try:
        with (
            handle,
            tempfile.TemporaryDirectory(prefix="binhdang-backup-") as scratch,
            tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as archive,
        ):
            with _snapshot(using):
                for number, model in enumerate(backed_up_models(using), start=1):
                    part = f"database/{number:04d}-{model._meta.label_lower}.jsonl.gz"
                    local = Path(scratch) / "part.jsonl.gz"
                    count, digest = _dump_table(model, using, local)
                    archive.add(local, arcname=part, recursive=False, filter=_plain)
                    local.unlink()
                    manifest["tables"].append(
                        {
                            "model": model._meta.label_lower,
                            "table": model._meta.db_table,
                            "columns": [column.attname for column in _columns(model)],
                            "rows": count,
                            "part": part,
                            "sha256": digest,
                        }
                    )
                    report.tables[model._meta.label_lower] = count
            for path, name in _media_files(media_root):
                info = _plain(archive.gettarinfo(path, arcname=f"media/{name}"))
                with open(path, "rb") as source:
                    reader = _Hashing(source)
                    archive.addfile(info, reader)  # hashed as it is read: one pass per file
                manifest["files"].append(
                    {"name": name, "size": info.size, "sha256": reader.digest.hexdigest()}
                )
                report.files += 1
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(data), 0o600
            info.mtime = int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)  # a half-written archive never carries the final name
    report.size = output.stat().st_size
    return report


def _plain(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


class _Hashing:
    """A file read through, hashing what is read."""

    def __init__(self, source):
        self.source = source
        self.digest = hashlib.sha256()

    def read(self, size=-1) -> bytes:
        data = self.source.read(size)
        self.digest.update(data)
        return data


class _snapshot:
    """Read every table in one consistent snapshot without blocking those who write."""

    def __init__(self, using: str):
        self.connection = connections[using]
        self.atomic = None

    def __enter__(self):
        if self.connection.in_atomic_block:
            return self  # already inside a transaction (a test): its view is the snapshot
        if self.connection.vendor == "postgresql":
            self.atomic = transaction.atomic(using=self.connection.alias)
            self.atomic.__enter__()
            with self.connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        elif self.connection.vendor == "sqlite":
            # Django opens SQLite transactions IMMEDIATE (a write lock); a deferred one only
            # reads, and in WAL mode sees one snapshot while others keep writing.
            self.connection.ensure_connection()
            self.connection.connection.execute("BEGIN DEFERRED")
            self.atomic = "sqlite"
        return self

    def __exit__(self, *exc):
        if self.atomic == "sqlite":
            self.connection.connection.execute("COMMIT")
        elif self.atomic is not None:
            self.atomic.__exit__(*exc)
        return False


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("binhdang")
    except PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------------------------------------
# Reading an archive back.


def read_manifest(archive: tarfile.TarFile) -> dict:
    """The manifest of an open archive, checked to be one of ours."""
    try:
        manifest = json.loads(archive.extractfile(MANIFEST).read())
    except (KeyError, AttributeError, ValueError) as error:
        raise BackupError(
            "Tệp này không phải bản sao lưu Binhdang (không có manifest.json). "
            "/ Not a Binhdang backup: manifest.json is missing."
        ) from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("Định dạng bản sao lưu không được hỗ trợ. / Unsupported backup format.")
    return manifest


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Tên tệp không hợp lệ trong bản sao lưu: {name} / Unsafe path.")
    return path.as_posix()


def verify(archive: tarfile.TarFile, manifest: dict) -> None:
    """Check that every part and file has the checksum the manifest gives, and no more."""
    expected = {table["part"]: table["sha256"] for table in manifest["tables"]}
    expected.update({f"media/{_safe_name(f['name'])}": f["sha256"] for f in manifest["files"]})
    seen = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isfile():
            raise BackupError(
                f"Bản sao lưu có phần không có trong manifest: {member.name}. "
                "/ The archive holds a part the manifest does not list."
            )
        digest = hashlib.sha256()
        handle = archive.extractfile(member)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        if digest.hexdigest() != expected[member.name]:
            raise BackupError(
                f"Bản sao lưu bị hỏng: mã kiểm tra (sha256) của {member.name} không khớp. "
                "Dùng một bản sao lưu khác. / Checksum mismatch: the archive is damaged."
            )
        seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            f"Bản sao lưu thiếu {len(missing)} phần, ví dụ {missing[0]}. "
            "/ The archive is incomplete."
        )


def _check_same_schema(manifest: dict, using: str) -> None:
    applied = _applied_migrations(using)
    if manifest["migrations"] != applied:
        raise BackupError(
            "Bản sao lưu được tạo bởi phiên bản Binhdang "
            f"{manifest.get('binhdang_version')} có cấu trúc dữ liệu khác phiên bản đang cài. "
            "Cài đúng phiên bản đó, khôi phục, rồi nâng cấp và chạy `binhdang manage migrate`. "
            "/ The backup's migrations differ from this version's: restore with the version "
            "that made it, then upgrade."
        )


def _domain_rows(using: str) -> list[str]:
    """Tables that already hold rows, except those `migrate` fills by itself."""
    return [
        model._meta.label_lower
        for model in backed_up_models(using)
        if model._meta.label_lower not in FRAMEWORK_MODELS
        and model._base_manager.using(using).exists()
    ]


def restore(
    path: Path | str, *, using: str = "default", media_root: Path | str | None = None
) -> Report:
    """Restore an archive into an empty database and an empty media directory."""
    path = Path(path)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    if not path.is_file():
        raise BackupError(f"Không tìm thấy tệp sao lưu: {path} / Backup file not found.")
    try:
        archive = tarfile.open(path, "r:")  # noqa: SIM115 (closed by the `with` below)
    except tarfile.TarError as error:
        raise BackupError(
            f"Không đọc được tệp sao lưu {path}: {error}. / Cannot read the archive."
        ) from error
    with archive:
        manifest = read_manifest(archive)
        verify(archive, manifest)
        clashes = [f["name"] for f in manifest["files"] if (media_root / f["name"]).exists()]
        if clashes:
            raise BackupError(
                f"Thư mục tệp tải lên ({media_root}) đã có tệp trùng tên, ví dụ {clashes[0]}. "
                "Khôi phục vào một thư mục trống. / The media directory is not empty."
            )
        call_command("migrate", database=using, interactive=False, verbosity=0)
        _check_same_schema(manifest, using)
        filled = _domain_rows(using)
        if filled:
            raise BackupError(
                "Cơ sở dữ liệu đích không trống (bảng "
                + ", ".join(filled[:5])
                + (" …" if len(filled) > 5 else "")
                + " đã có dữ liệu). Chỉ khôi phục vào một cơ sở dữ liệu mới, trống: tạo cơ sở "
                "dữ liệu mới rồi chạy lại. / The target database is not empty: restore only into "
                "a new, empty database."
            )
        report = Report(path=path, size=path.stat().st_size)
        written = _restore_files(archive, manifest, media_root)
        report.files = len(written)
        try:
            _load(archive, manifest, using, report)
        except BaseException:
            for target in written:  # all or nothing: the database rolled back, so do the files
                target.unlink(missing_ok=True)
            raise
    ContentType.objects.clear_cache()
    return report


def _restore_files(archive: tarfile.TarFile, manifest: dict, media_root: Path) -> list[Path]:
    written = []
    for entry in manifest["files"]:
        name = _safe_name(entry["name"])
        target = media_root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(f"media/{name}") as source, open(target, "xb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        written.append(target)
    return written


def _load(archive: tarfile.TarFile, manifest: dict, using: str, report: Report) -> None:
    from auditlog.context import disable_auditlog

    connection = connections[using]
    known = {model._meta.label_lower: model for model in backed_up_models(using)}
    restored = []
    # One transaction: foreign keys are checked at commit, and a failure leaves nothing behind.
    # Rows go in with raw inserts (no save(), no signal), and auditlog is off all the same, so the
    # history is the archive's and nothing else.
    with disable_auditlog(), transaction.atomic(using=using):
        for label in reversed(FRAMEWORK_MODELS):  # permissions before the types they point to
            known[label]._base_manager.using(using).all().delete()
        for table in manifest["tables"]:
            model = known.get(table["model"])
            if model is None:
                raise BackupError(
                    f"Bảng {table['model']} của bản sao lưu không có trong phiên bản này. "
                    "/ Unknown table in the backup."
                )
            by_name = {column.attname: column for column in _columns(model)}
            columns = [by_name[name] for name in table["columns"]]
            with gzip.open(archive.extractfile(table["part"]), "rt", encoding="utf-8") as lines:
                count = _insert(connection, model, columns, lines)
            if count != table["rows"]:
                raise BackupError(
                    f"Bảng {table['model']}: đọc được {count} dòng, manifest ghi "
                    f"{table['rows']}. / Row count mismatch."
                )
            report.tables[table["model"]] = count
            restored.append(model)
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), restored):
                cursor.execute(statement)  # the next new row gets a key after the restored ones


def _insert(connection, model, columns: list[models.Field], lines) -> int:
    decoders = [_decoder(column) for column in columns]
    names = ", ".join(connection.ops.quote_name(column.column) for column in columns)
    table = connection.ops.quote_name(model._meta.db_table)

    def prepared(batch: list[str]) -> list[tuple]:
        rows = []
        for line in batch:
            values = json.loads(line)
            rows.append(
                tuple(
                    None
                    if value is None
                    else column.get_db_prep_save(
                        value if decode is None else decode(value), connection
                    )
                    for value, decode, column in zip(values, decoders, columns, strict=True)
                )
            )
        return rows

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY, the fastest way into PostgreSQL: one short COPY per batch, prepared before it
            # starts, so the server never waits inside a COPY while Python decodes rows (a
            # backend waiting there holds up other sessions' DROP DATABASE).
            statement = f"COPY {table} ({names}) FROM STDIN"

            def copy(batch: list[str]) -> None:
                rows = prepared(batch)
                with cursor.cursor.copy(statement) as stream:
                    for row in rows:
                        stream.write_row(row)

            batch = []
            for line in lines:
                batch.append(line)
                if len(batch) >= BATCH:
                    copy(batch)
                    count += len(batch)
                    batch.clear()
            if batch:
                copy(batch)
                count += len(batch)
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch = []
        for line in lines:
            batch.append(line)
            if len(batch) >= BATCH:
                cursor.executemany(sql, prepared(batch))
                count += len(batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, prepared(batch))
            count += len(batch)
    return count
