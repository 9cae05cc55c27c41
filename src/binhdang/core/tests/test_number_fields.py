"""The form fields every numeric input goes through: read and shown the language's way, bounded."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from binhdang.core.forms import IntegerNumberField, NumberField, decimals


class _Form(forms.Form):
    figure = NumberField(required=False)
    count = IntegerNumberField(required=False)
    percent = IntegerNumberField(required=False, min_value=0, max_value=100, below=1000)


def _clean(language: str, **data):
    with translation.override(language):
        form = _Form(data)
        form.is_valid()
        return form


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("vi", "1.250", Decimal(1250)),
        ("vi", "2.400", Decimal(2400)),
        ("vi", "1.234,5", Decimal("1234.5")),
        ("vi", "45.000.000", Decimal(45_000_000)),
        ("vi", " 120 ", Decimal(120)),
        ("en", "1,250", Decimal(1250)),
        ("en", "1,234.5", Decimal("1234.5")),
    ],
)
def test_numbers_are_read_the_languages_way(language, typed, expected):
    form = _clean(language, figure=typed)
    assert form.cleaned_data["figure"] == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1.25", "Không đọc được “1.25” là một số"),  # English writing in Vietnamese: ambiguous
        ("abc", "Không đọc được “abc”"),
        ("1e30", "Không đọc được “1e30”"),
        ("1.000.000.000.000.000", "Số liệu phải nhỏ hơn 100.000.000.000"),
        ("1,23456", "Chỉ ghi tối đa 4 chữ số thập phân"),
        ("-1", "Hãy nhập số không nhỏ hơn 0"),
    ],
)
def test_bad_numbers_are_refused_in_vietnamese(typed, message):
    form = _clean("vi", figure=typed)
    assert message in " ".join(form.errors["figure"])


def test_whole_numbers_and_ranges():
    form = _clean("vi", count="45.000.000", percent="100")
    assert form.cleaned_data == {"figure": None, "count": 45_000_000, "percent": 100}
    assert isinstance(form.cleaned_data["count"], int)
    form = _clean("vi", count="2,5", percent="101")
    assert "Hãy nhập số nguyên." in form.errors["count"]
    assert "Hãy nhập số không lớn hơn 100." in form.errors["percent"]


def test_stored_values_are_shown_the_languages_way_never_in_scientific_notation():
    for language, shown in (("vi", "1.250"), ("en", "1,250")):
        with translation.override(language):
            form = _Form(initial={"figure": Decimal("1.25E+3"), "count": 45_000_000})
            html = str(form["figure"])
            assert f'value="{shown}"' in html and "E+" not in html
            assert 'inputmode="decimal"' in html
            count = "45.000.000" if language == "vi" else "45,000,000"
            assert f'value="{count}"' in str(form["count"])
            assert 'inputmode="decimal"' in str(form["count"])  # 45.000.000 needs the dot
    with translation.override("vi"):  # what was typed stays as typed when the form is refused
        assert 'value="1.25"' in str(_Form({"figure": "1.25"})["figure"])


def test_decimals_count_only_real_decimals():
    assert decimals(Decimal("1250.0000")) == 0
    assert decimals(Decimal("0.000")) == 0
    assert decimals(Decimal("1.25")) == 2
    assert decimals(Decimal("1E+3")) == 0


@given(
    number=st.decimals(min_value=0, max_value=Decimal(10) ** 11 - 1, places=4),
    language=st.sampled_from(["vi", "en"]),
)
def test_what_is_shown_reads_back_as_the_same_number(number, language):
    with translation.override(language):
        shown = _Form(initial={"figure": number})["figure"].value()
        shown = _Form().fields["figure"].prepare_value(number)
        form = _Form({"figure": shown})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["figure"] == number
        assert not form.fields["figure"].has_changed(number, shown)
