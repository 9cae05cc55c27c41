"""Entering figures and rolling them up the tree without counting anything twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from binhdang.indicators.models import DataValue
from binhdang.indicators.rollup import rollup, rollup_children
from binhdang.indicators.services import record_value
from binhdang.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_share_rolls_up_by_summing_numerators_and_denominators(catalogue, personas, tree):
    wage = catalogue["2.1"]
    admin = personas["system_admin"]
    record_value(admin, wage, tree["commune"], 2026, numerator=30, denominator=100)
    record_value(admin, wage, tree["neighbour"], 2026, numerator=20, denominator=50)
    province = rollup(wage, tree["province"], 2026)
    assert (province.numerator, province.denominator, province.entries) == (50, 150, 2)
    assert round(province.value, 2) == Decimal("33.33")  # not the mean of 30% and 40%

    # The province's own statistics stand for its whole subtree.
    record_value(admin, wage, tree["province"], 2026, numerator=400, denominator=1000)
    assert rollup(wage, tree["province"], 2026).value == 40
    record_value(admin, wage, tree["far_commune"], 2026, numerator=10, denominator=10)
    nation = rollup(wage, tree["nation"], 2026)
    assert (nation.numerator, nation.denominator) == (410, 1010)
    children = rollup_children(wage, tree["nation"], 2026)
    assert children[tree["province"].pk].value == 40
    assert children[tree["other_province"].pk].numerator == 10


def test_computed_target_counts_communes_answering_yes(catalogue, personas, tree):
    leaders = catalogue["4.4"]  # computed from lower units (1.1 is judged per level instead)
    admin = personas["system_admin"]
    record_value(admin, leaders, tree["commune"], 2026, numerator=1, denominator=1)
    record_value(admin, leaders, tree["neighbour"], 2026, numerator=0, denominator=1)
    # The province also typed "105 of 173": the communes' own answers take precedence.
    record_value(admin, leaders, tree["province"], 2026, numerator=105, denominator=173)
    province = rollup(leaders, tree["province"], 2026)
    assert (province.numerator, province.denominator, province.value) == (1, 2, 50)
    # Where no commune answered, the province's own entry is used.
    record_value(admin, leaders, tree["other_province"], 2026, numerator=10, denominator=20)
    nation = rollup(leaders, tree["nation"], 2026)
    assert (nation.numerator, nation.denominator) == (11, 22)


def test_three_levels_of_the_pre_2025_map(catalogue, personas, tree):
    wage = catalogue["2.1"]
    old_province = tree["legacy_province"]
    old_communes = list(
        OrgUnit.objects.subtree(old_province).filter(level=4).order_by("path")[:1]
    ) + list(OrgUnit.objects.subtree(old_province).filter(level=4).order_by("-path")[:1])
    assert old_communes[0].parent != old_communes[1].parent  # two different districts
    admin = personas["system_admin"]
    record_value(admin, wage, old_communes[0], 2023, numerator=9, denominator=13)
    record_value(admin, wage, old_communes[1], 2023, numerator=4, denominator=13)
    district = rollup(wage, old_communes[0].parent, 2023)
    assert (district.numerator, district.denominator) == (9, 13)
    province = rollup(wage, old_province, 2023)
    assert (province.numerator, province.denominator, province.entries) == (13, 26, 2)
    assert rollup(wage, tree["province"], 2023).entries == 0  # the new province did not exist


def test_milestone_rolls_up_as_k_of_n(catalogue, personas, tree):
    curricula = catalogue["5.3"]
    admin = personas["system_admin"]
    record_value(admin, curricula, tree["province"], 2026, value=1)
    record_value(admin, curricula, tree["other_province"], 2026, value=0)
    nation = rollup(curricula, tree["nation"], 2026)
    assert (nation.numerator, nation.denominator) == (1, 2)
    assert rollup(curricula, tree["province"], 2026).value == 1


def test_correcting_a_value_replaces_it(catalogue, personas, tree):
    wage = catalogue["2.1"]
    record_value(
        personas["commune_officer"], wage, tree["commune"], 2026, numerator=3, denominator=10
    )
    record_value(
        personas["commune_officer"], wage, tree["commune"], 2026, numerator=4, denominator=10
    )
    assert DataValue.objects.get(indicator=wage, unit=tree["commune"], year=2026).value == 40


@pytest.mark.parametrize(
    ("number", "unit", "year", "kwargs", "field"),
    [
        ("2.1", "commune", 2026, {"numerator": 11, "denominator": 10}, "numerator"),
        ("2.1", "commune", 2026, {"numerator": -1, "denominator": 10}, "numerator"),
        ("2.1", "commune", 2026, {"numerator": "mười", "denominator": 10}, "numerator"),
        ("2.1", "commune", 2026, {"numerator": 1, "denominator": 0}, "denominator"),
        ("2.1", "commune", 2031, {"numerator": 1, "denominator": 2}, "year"),
        ("2.1", "commune", 2023, {"numerator": 1, "denominator": 2}, "year"),
        ("2.1", "legacy_commune", 2026, {"numerator": 1, "denominator": 2}, "year"),
        ("5.3", "province", 2026, {"value": 2}, "value"),
        ("2.1", "commune", 2026, {"numerator": 1}, None),
    ],
)
def test_bad_figures_are_refused_naming_the_field(
    catalogue, personas, tree, number, unit, year, kwargs, field
):
    with pytest.raises(ValidationError) as error:
        record_value(personas["system_admin"], catalogue[number], tree[unit], year, **kwargs)
    if field:
        assert field in error.value.message_dict
    assert not DataValue.objects.exists()


def test_text_in_a_number_field_is_named_in_vietnamese(catalogue, personas, tree):
    with pytest.raises(ValidationError) as error:
        record_value(
            personas["system_admin"],
            catalogue["2.1"],
            tree["commune"],
            2026,
            numerator="mười",
            denominator=10,
        )
    assert "Không đọc được “mười” là một số" in error.value.message_dict["numerator"][0]


@pytest.mark.parametrize("persona", ["neighbour_officer", "province_viewer", "ministry_officer"])
def test_figures_outside_scope_or_role_are_refused(catalogue, personas, tree, persona):
    with pytest.raises(PermissionDenied):
        record_value(
            personas[persona], catalogue["2.1"], tree["commune"], 2026, numerator=1, denominator=2
        )


def test_historical_units_take_their_years_figures(catalogue, personas, tree):
    # A commune officer inherits the units their commune was formed from (issue 2's scope).
    row = record_value(
        personas["commune_officer"],
        catalogue["2.1"],
        tree["legacy_commune"],
        2023,
        numerator=1,
        denominator=4,
    )
    assert row.value == 25
