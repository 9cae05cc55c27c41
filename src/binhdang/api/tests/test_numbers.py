"""Figures in JSON: read exactly as written (no binary rounding), and text never taken for a
number — property tests of the API's reader."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from binhdang.api.base import Problem, StrictParser
from binhdang.api.schemas import EntryIn

FIGURES = st.decimals(
    min_value=0, max_value=Decimal(10) ** 11 - 1, places=4, allow_nan=False, allow_infinity=False
)


class _Request:
    def __init__(self, body: bytes):
        self.body = body


def _read(text: str) -> EntryIn:
    return EntryIn.model_validate(StrictParser().parse_body(_Request(text.encode())))


@given(FIGURES, FIGURES)
def test_a_json_number_is_read_with_exactly_its_digits(numerator, denominator):
    line = _read(f'{{"indicator": 1, "numerator": {numerator:f}, "denominator": {denominator:f}}}')
    assert (line.numerator, line.denominator) == (numerator, denominator)


@given(FIGURES)
def test_the_same_figure_as_text_is_refused(figure):
    with pytest.raises(ValidationError):
        _read(json.dumps({"indicator": 1, "value": f"{figure:f}"}))


@given(st.integers(min_value=17, max_value=200))
def test_nesting_beyond_the_limit_is_refused_not_crashed(depth):
    with pytest.raises(Problem) as refused:
        StrictParser().parse_body(_Request(b"[" * depth + b"]" * depth))
    assert refused.value.status == 400


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused(text):
    with pytest.raises((Problem, ValidationError)):
        _read(f'{{"indicator": 1, "value": {text}}}')
