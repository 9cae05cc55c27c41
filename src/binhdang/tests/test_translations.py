"""Every message of the interface has its Vietnamese translation."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

import binhdang

PACKAGE = Path(binhdang.__file__).parent
PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_vietnamese_translation(tmp_path, monkeypatch):
    """Collect the msgids as `makemessages` would (from a copy, so the real catalogue is left
    alone) and compare: msgcmp counts an empty or fuzzy translation as missing."""
    # Not skipped without them: compiling the catalogue needs the same tools.
    assert shutil.which("msgcmp"), "GNU gettext is needed (apt-get install gettext)"
    copy = tmp_path / "binhdang"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "static", "*.mo")
    )
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["vi"], keep_pot=True, no_location=True, verbosity=0)
    pot = copy / "locale" / "django.pot"
    assert pot.read_text().count("\nmsgid ") > 1000, "makemessages found too few messages"
    result = subprocess.run(
        ["msgcmp", str(PO), str(pot)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [("en", "1 workshop", "2 workshops"), ("vi", "1 hội thảo", "2 hội thảo")],
)
def test_counted_activities_read_naturally(language, one, two):
    from django.utils import translation

    from binhdang.activities.models import Kind
    from binhdang.activities.queries import _counted

    with translation.override(language):
        assert _counted(Kind.WORKSHOP, 1) == one
        assert _counted(Kind.WORKSHOP, 2) == two
