"""The analyst export through the API: the same rows and refusals as the overview's, streamed,
and never a row outside the token's user's scope."""

import csv
import io

import pytest

from binhdang.indicators.services import record_value

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/figures/export"


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def figures(personas, tree, catalogue):
    admin = personas["system_admin"]
    wage = catalogue["2.1"]
    record_value(admin, wage, tree["commune"], 2025, numerator=3, denominator=10)
    record_value(admin, wage, tree["neighbour"], 2025, numerator=5, denominator=10)
    record_value(admin, wage, tree["far_commune"], 2025, numerator=7, denominator=10)
    return wage


def test_a_province_exports_its_communes_rows_and_no_other_provinces(
    personas, tree, figures, token_for
):
    approver = token_for(personas["province_approver"])
    response = approver.get(EXPORT, {"unit": tree["province"].pk, "first_year": 2025})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = _rows(response)
    units = {row[0] for row in rows}
    assert {tree["commune"].code, tree["neighbour"].code} <= units
    assert tree["far_commune"].code not in units  # Hà Nội's commune
    assert len(header) == len(rows[0])


def test_a_commune_officer_sees_only_the_commune(personas, tree, figures, token_for):
    officer = token_for(personas["commune_officer"])
    response = officer.get(EXPORT, {"unit": tree["commune"].pk, "last_year": 2025})
    _header, *rows = _rows(response)
    assert rows and {row[0] for row in rows} == {tree["commune"].code}
    outside = officer.get(EXPORT, {"unit": tree["province"].pk})
    assert outside.status_code == 404
    assert outside["Content-Type"] == "application/problem+json"


def test_excel_streams_a_workbook(personas, tree, figures, token_for):
    approver = token_for(personas["province_approver"])
    response = approver.get(EXPORT, {"unit": tree["province"].pk, "format": "xlsx"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"  # a zip, as every .xlsx


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"first_year": 2026, "last_year": 2025}, "__all__"),
        ({"indicator": 999999}, "indicators"),
    ],
)
def test_bad_filters_are_refused_with_the_forms_messages(
    personas, tree, figures, token_for, params, field
):
    approver = token_for(personas["province_approver"])
    response = approver.get(EXPORT, {"unit": tree["province"].pk, **params})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] and field in problem["errors"]
