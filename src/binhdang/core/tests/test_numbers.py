"""The one number reader and writer: Vietnamese and English writing, refusals, round trips."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from binhdang.core.numbers import read_number, round_half_up, write_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.250", Decimal(1250)),
        ("2.400", Decimal(2400)),
        ("45.000.000", Decimal(45_000_000)),
        ("1.234,5", Decimal("1234.5")),
        ("1,5", Decimal("1.5")),
        ("120", Decimal(120)),
        (" 1 234 567 ", Decimal(1_234_567)),
        ("1\u00a0234", Decimal(1234)),
        (",5", Decimal("0.5")),
        ("0", Decimal(0)),
        ("-3", Decimal(-3)),
        ("", None),
        ("   ", None),
        (None, None),
        (7, Decimal(7)),
        (0.1, Decimal("0.1")),
    ],
)
def test_vietnamese_reading(text, expected):
    assert read_number(text, "vi") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,250", Decimal(1250)),
        ("45,000,000", Decimal(45_000_000)),
        ("1,234.5", Decimal("1234.5")),
        ("1.5", Decimal("1.5")),
    ],
)
def test_english_reading(text, expected):
    assert read_number(text, "en") == expected


@pytest.mark.parametrize(
    "text",
    ["1.25", "12.34.567", "1.2345", "1,2,3", "1,234.5", "abc", "1e3", "1.25E+3", "--1", ".", "1,"],
)
def test_ambiguous_or_wrong_vietnamese_is_refused_with_an_example(text):
    with pytest.raises(ValidationError) as caught:
        read_number(text, "vi")
    message = caught.value.messages[0]
    assert text.strip() in message
    assert "1.234.567" in message and "1.234,5" in message


@pytest.mark.parametrize("value", ["1000000000000000000000", 1e30, float("inf"), float("nan")])
def test_oversized_or_infinite_is_refused(value):
    with pytest.raises(ValidationError) as caught:
        read_number(value, "vi")
    assert caught.value.code in ("too_large", "number")


def test_writing_groups_and_never_uses_scientific_notation():
    assert write_number(Decimal("1.25E+3"), language="vi") == "1.250"
    assert write_number(Decimal("2.4E+2"), language="vi") == "240"
    assert write_number(Decimal("1234567.5"), language="vi") == "1.234.567,5"
    assert write_number(Decimal("1234567.5"), language="en") == "1,234,567.5"
    assert write_number(Decimal("0.00001"), language="vi") == "0,00001"
    assert write_number(None) == ""


def test_rounding_is_half_up_once():
    # 230/205 = 112.195…: one place is 112,2 everywhere.
    share = Decimal(230) / Decimal(205) * 100
    assert write_number(share, 1, "vi") == "112,2"
    assert write_number(Decimal("1.75"), 1, "vi") == "1,8"
    assert write_number(Decimal("0.125"), 2, "en") == "0.13"
    assert write_number(Decimal("2.5"), 0, "vi") == "3"
    assert write_number(Decimal("84.20"), 1, "vi") == "84,2"
    assert write_number(Decimal("84.0"), 1, "vi", trim=True) == "84"
    assert round_half_up(Decimal("-0.05"), 1) == Decimal("-0.1")


finite_decimals = st.decimals(
    min_value=Decimal("-999999999999"), max_value=Decimal("999999999999"), places=4
)


@given(value=finite_decimals, language=st.sampled_from(["vi", "en"]))
def test_round_trip_in_both_languages(value, language):
    written = write_number(value, language=language)
    assert "E" not in written and "e" not in written
    assert read_number(written, language) == value


@given(value=finite_decimals, digits=st.integers(0, 3), language=st.sampled_from(["vi", "en"]))
def test_rounded_writing_reads_back_as_the_rounded_value(value, digits, language):
    written = write_number(value, digits, language)
    assert read_number(written, language) == round_half_up(value, digits)
    assert abs(read_number(written, language) - value) <= Decimal(1).scaleb(-digits) / 2
