"""Figures of a former ministry: entered in its years, counted below the nation in those years
and carried into its successor's trend, as for a pre-2025 province (issue 12)."""

import pytest
from django.core.exceptions import ValidationError

from binhdang.indicators import queries
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import Indicator
from binhdang.indicators.rollup import _ExpectedUnits
from binhdang.indicators.services import record_value
from binhdang.orgunits.models import Level, OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def wage(db):
    load_catalogue()
    return Indicator.objects.get(number="2.1")


def test_the_merged_ministry_trend_combines_its_predecessors(personas, wage):
    admin = personas["system_admin"]
    monre, mard = OrgUnit.objects.get(code="BTNMT"), OrgUnit.objects.get(code="BNNPTNT")
    record_value(admin, wage, monre, 2023, numerator=30, denominator=100)
    record_value(admin, wage, mard, 2023, numerator=20, denominator=100)
    points = {p.year: p for p in queries.trend(wage, OrgUnit.objects.get(code="BNNMT"))}
    assert points[2023].from_predecessors
    assert (points[2023].figure.numerator, points[2023].figure.denominator) == (50, 200)


def test_a_figure_of_the_former_ministry_after_it_ended_is_refused(personas, wage):
    with pytest.raises(ValidationError):
        record_value(
            personas["system_admin"],
            wage,
            OrgUnit.objects.get(code="BTNMT"),
            2026,
            numerator=1,
            denominator=2,
        )


def test_central_agencies_expected_below_the_nation_year_by_year(tree):
    expected = {
        year: _ExpectedUnits(tree["nation"], year).by_level[Level.CENTRAL]
        for year in (2023, 2025, 2026)
    }
    # 2025 counts the 22 until 28/02 and the 2 formed on 01/03, as 2025 counts old and new
    # provinces alike.
    assert expected == {2023: 22, 2025: 24, 2026: 17}
