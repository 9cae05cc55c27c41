import datetime
import os
import subprocess
import sys
from decimal import Decimal

from django.utils import formats, translation
from hypothesis import given
from hypothesis import strategies as st

from binhdang.core.formatting import document_date, percent
from binhdang.core.numbers import round_half_up
from binhdang.core.text import fold


def test_fold_strips_diacritics_and_d_stroke():
    assert fold("Tỉnh Quảng Ngãi") == "tinh quang ngai"
    assert fold("  Đà   Nẵng ") == "da nang"
    assert fold("QUANG NGAI") == fold("Quảng Ngãi")


def test_vietnamese_numbers_and_percent():
    with translation.override("vi"):
        assert formats.number_format(1234567, use_l10n=True, force_grouping=True) == "1.234.567"
        assert percent(84.21) == "84,2%"
        assert percent(16 / 19 * 100) == "84,2%"
        assert percent(None) == "—"
    with translation.override("en"):
        assert percent(84.21) == "84.2%"


@given(st.decimals(min_value=0, max_value=100, places=3))
def test_percent_rounds_half_up_like_every_other_figure(value):
    # Decimal's round() rounds half to even: 84.25 once read "84,2%" on the rates page.
    with translation.override("vi"):
        shown = percent(value)
    assert shown == f"{round_half_up(value, 1):f}".replace(".", ",") + "%"
    assert percent(Decimal("84.25")) == "84,3%"
    assert percent(Decimal("0.05")) == "0,1%"


def test_vietnamese_short_date():
    with translation.override("vi"):
        assert formats.date_format(datetime.date(2024, 4, 10), "SHORT_DATE_FORMAT") == "10/04/2024"


def test_document_date_pads_days_below_ten_and_months_below_three():
    assert document_date(datetime.date(2025, 2, 5)) == "ngày 05 tháng 02 năm 2025"
    assert document_date(datetime.date(2024, 4, 10)) == "ngày 10 tháng 4 năm 2024"
    assert document_date(datetime.date(2024, 12, 1)) == "ngày 01 tháng 12 năm 2024"


def _import_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import binhdang.settings"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_refuses_to_start(tmp_path):
    result = _import_settings({"DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "Thiếu biến môi trường SECRET_KEY" in result.stderr


def test_secret_key_or_debug_lets_settings_load(tmp_path):
    assert _import_settings({"DATA_DIR": str(tmp_path), "SECRET_KEY": "k"}).returncode == 0
    assert _import_settings({"DATA_DIR": str(tmp_path), "DEBUG": "1"}).returncode == 0
