"""Projections to the milestones and the targets at risk, for a unit and its sub-units."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from binhdang.indicators.forecast import (
    Outlook,
    project,
    subunit_risks,
    targets_at_risk,
    unit_forecasts,
)
from binhdang.indicators.models import Framework
from binhdang.indicators.services import record_value, set_target

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 1)


def test_a_straight_series_projects_exactly_with_no_spread():
    line = project({2021: Decimal(40), 2022: Decimal(42), 2023: Decimal(44)}, 2025)
    assert (round(line.value, 6), round(line.low, 6), round(line.high, 6)) == (48, 48, 48)
    assert line.points == 3


def test_a_scattered_series_gets_a_wider_interval_further_out():
    series = {2021: Decimal(40), 2022: Decimal(45), 2023: Decimal(43), 2024: Decimal(48)}
    near, far = project(series, 2025), project(series, 2030)
    assert near.low < near.value < near.high
    assert far.high - far.low > near.high - near.low
    # Slope 11/5 = 2,2 a year through the mean (2022,5; 44): 2025 → 49,5.
    assert round(near.value, 6) == 49.5


def test_too_few_points_give_no_projection_and_shares_stay_within_0_and_100():
    assert project({2023: Decimal(10), 2024: Decimal(20)}, 2025) is None
    steep = {2021: Decimal(70), 2022: Decimal(85), 2023: Decimal(99)}
    assert project(steep, 2030, bounded=True).value == 100
    assert project(steep, 2030).value > 100


def _series(admin, indicator, unit, values: dict[int, tuple[int, int]]):
    for year, (numerator, denominator) in values.items():
        record_value(
            admin, indicator, unit, year, numerator=numerator, denominator=denominator, note="x"
        )


def test_province_outlook_uses_its_predecessors_years_and_its_own_target(catalogue, personas, tree):
    admin, framework = personas["system_admin"], Framework.objects.get()
    wage, farming = catalogue["2.1"], catalogue["2.2"]
    old = tree["legacy_province"]
    # Women wage earners 30, 31, 32, 33% before the merger: 34% projected for 2025 < 50.
    _series(admin, wage, old, {y: (30 + i, 100) for i, y in enumerate(range(2021, 2025))})
    # Women in farming falling fast, 40 → 31 (lower is better, target below 30): 28 projected.
    _series(admin, farming, old, {y: (40 - 3 * i, 100) for i, y in enumerate(range(2021, 2025))})

    outlooks = {f.indicator.number: f for f in unit_forecasts(framework, tree["province"], TODAY)}
    assert outlooks["2.1"].series[2021] == 30  # from the old province
    assert outlooks["2.1"].projection.year == 2025
    assert round(outlooks["2.1"].projection.value, 6) == 34
    assert outlooks["2.1"].outlook == Outlook.OFF_TRACK  # no spread: even the best case misses
    assert outlooks["2.2"].outlook == Outlook.ON_TRACK
    assert outlooks["1.1"].outlook == Outlook.UNKNOWN  # no figures
    assert [f.indicator.number for f in targets_at_risk(framework, tree["province"], TODAY)] == [
        "2.1"
    ]

    # The province's own, lower 2025 target takes precedence over the national 50%.
    set_target(
        personas["province_approver"],
        wage,
        year=2025,
        value=Decimal(30),
        comparator=">=",
        unit=tree["province"],
    )
    assert targets_at_risk(framework, tree["province"], TODAY) == []


def test_a_scattered_miss_is_at_risk_not_off_track(catalogue, personas, tree):
    admin, framework = personas["system_admin"], Framework.objects.get()
    wage = catalogue["2.1"]
    values = {2021: (40, 100), 2022: (46, 100), 2023: (41, 100), 2024: (47, 100)}
    _series(admin, wage, tree["legacy_province"], values)
    (forecast,) = [
        f for f in unit_forecasts(framework, tree["province"], TODAY) if f.indicator == wage
    ]
    assert forecast.projection.value < 50 < forecast.projection.high
    assert forecast.outlook == Outlook.AT_RISK and forecast.at_risk


def test_sub_units_at_risk_are_listed_under_their_parent(catalogue, personas, tree):
    admin, framework = personas["system_admin"], Framework.objects.get()
    wage = catalogue["2.1"]
    commune = tree["commune"]
    # The commune exists from 2025: its series continues the old commune's.
    _series(
        admin, wage, tree["legacy_commune"], {2022: (10, 100), 2023: (11, 100), 2024: (12, 100)}
    )
    _series(admin, wage, tree["neighbour"], {2026: (60, 100)})
    risks = dict(subunit_risks(framework, tree["province"], datetime.date(2026, 3, 1)))
    assert [f.indicator.number for f in risks[commune]] == ["2.1"]
    assert tree["neighbour"] not in risks  # one year only: too few figures to judge
    assert tree["other_province"] not in risks  # not a sub-unit


def test_the_outlook_is_a_constant_number_of_queries(
    catalogue, personas, tree, django_assert_max_num_queries
):
    admin, framework = personas["system_admin"], Framework.objects.get()
    for number in ("2.1", "2.2", "2.3"):
        _series(
            admin,
            catalogue[number],
            tree["legacy_province"],
            {y: (20, 100) for y in range(2021, 2025)},
        )
    with django_assert_max_num_queries(6):
        subunit_risks(framework, tree["province"], TODAY)


def test_the_forecast_page_says_how_it_is_computed(client, catalogue, personas, tree):
    admin = personas["system_admin"]
    _series(
        admin,
        catalogue["2.1"],
        tree["legacy_province"],
        {y: (30 + i, 100) for i, y in enumerate(range(2021, 2025))},
    )
    client.force_login(personas["province_viewer"])
    page = client.get(reverse("indicators:forecast", args=[tree["province"].pk])).content.decode()
    assert "bình phương nhỏ nhất" in page
    assert "Không thể đạt" in page or "Có nguy cơ" in page
    outside = client.get(reverse("indicators:forecast", args=[tree["other_province"].pk]))
    assert outside.status_code == 404
