"""`binhdang serve` collects the static files again only when their sources changed
(core/static.py): collecting takes minutes with the compressed manifest storage."""

import os

import pytest
from django.test import override_settings

from binhdang.core import static

FINDER = ["django.contrib.staticfiles.finders.FileSystemFinder"]


@pytest.fixture
def sources(tmp_path):
    source = tmp_path / "source"
    (source / "binhdang").mkdir(parents=True)
    (source / "binhdang" / "app.css").write_text("body { color: #123; }")
    root = tmp_path / "collected"
    with override_settings(STATICFILES_DIRS=[source], STATICFILES_FINDERS=FINDER, STATIC_ROOT=root):
        yield source, root


def test_a_second_start_with_the_same_sources_does_not_collect_again(sources):
    source, root = sources
    assert static.collect_static() is True
    assert (root / "binhdang" / "app.css").read_text() == "body { color: #123; }"
    assert static.collect_static() is False


def test_a_changed_added_or_removed_source_is_collected_again(sources):
    source, root = sources
    css = source / "binhdang" / "app.css"
    static.collect_static()
    css.write_text("body { color: #456; }")
    stat = css.stat()
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert static.collect_static() is True
    assert (root / "binhdang" / "app.css").read_text() == "body { color: #456; }"
    (source / "binhdang" / "new.js").write_text("// new")
    assert static.collect_static() is True
    assert (root / "binhdang" / "new.js").exists()
    assert static.collect_static() is False
    (source / "binhdang" / "new.js").unlink()
    assert static.collect_static() is True


def test_an_emptied_or_interrupted_collection_is_collected_again(sources):
    source, root = sources
    static.collect_static()
    (root / static.STAMP).unlink()
    assert static.collect_static() is True
    (root / static.STAMP).write_text("another fingerprint")
    assert static.collect_static() is True


def test_another_storage_gives_another_fingerprint(sources):
    plain = static.sources_fingerprint()
    manifest = "whitenoise.storage.CompressedManifestStaticFilesStorage"
    with override_settings(STORAGES={"staticfiles": {"BACKEND": manifest}}):
        assert static.sources_fingerprint() != plain
