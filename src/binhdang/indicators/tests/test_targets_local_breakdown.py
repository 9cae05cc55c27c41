"""A unit's own targets, its local indicators, and figures broken down by sex or residence."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhdang.indicators.models import DataValue, Indicator, Target
from binhdang.indicators.queries import applicable_target
from binhdang.indicators.rollup import rollup
from binhdang.indicators.services import (
    Line,
    record_value,
    record_values,
    save_local_indicator,
)

pytestmark = pytest.mark.django_db


def test_an_approver_sets_and_removes_the_provinces_own_target_through_the_page(
    client, catalogue, personas, tree
):
    wage, province = catalogue["2.1"], tree["province"]
    url = reverse("indicators:own_target", args=[province.pk, wage.pk, 2025])
    client.force_login(personas["province_approver"])
    listing = client.get(reverse("indicators:unit_targets", args=[province.pk])).content.decode()
    assert "quốc gia" in listing and url in listing

    bad = client.post(url, {"comparator": ">=", "value": "140", "source": ""})
    assert "không được vượt quá 100" in bad.content.decode()
    assert not Target.objects.filter(unit=province).exists()

    client.post(url, {"comparator": ">=", "value": "45", "source": "KH 12/KH-UBND"})
    own = Target.objects.get(unit=province, indicator=wage, year=2025)
    # It judges the province's communes too; the national target still judges Hà Nội.
    assert applicable_target(wage, tree["commune"], 2025) == own
    assert applicable_target(wage, tree["far_commune"], 2025).unit is None

    client.post(url, {"remove": "1"})
    assert not Target.objects.filter(unit=province).exists()
    assert applicable_target(wage, tree["commune"], 2025).unit is None


def test_only_the_units_approvers_set_its_targets(client, catalogue, personas, tree):
    url = reverse("indicators:own_target", args=[tree["province"].pk, catalogue["2.1"].pk, 2025])
    client.force_login(personas["commune_officer"])
    assert client.get(url).status_code == 404  # the province is above the commune
    client.force_login(personas["province_viewer"])
    assert client.post(url, {"comparator": ">=", "value": "45"}).status_code == 403
    client.force_login(personas["province_approver"])
    wrong_year = reverse(
        "indicators:own_target", args=[tree["province"].pk, catalogue["2.1"].pk, 2027]
    )
    assert client.get(wrong_year).status_code == 404
    assert not Target.objects.exclude(unit=None).exists()


def _local(actor, unit, **extra):
    fields = {
        "number": "ĐP1",
        "name_vi": "Tỷ lệ xã có câu lạc bộ bình đẳng giới",
        "name_en": "",
        "measure": "share",
        "multiplier": None,
        "unit_label_vi": "%",
        "direction": "higher",
        "dimensions": [],
        "notes": "",
        "source": "KH 45/KH-UBND",
    }
    fields.update(extra)
    return save_local_indicator(actor, unit, **fields)


def test_a_province_adds_a_local_indicator_its_communes_enter_and_it_rolls_up(
    client, catalogue, personas, tree
):
    approver = personas["province_approver"]
    client.force_login(approver)
    response = client.post(
        reverse("indicators:local_new", args=[tree["province"].pk]),
        {
            "number": "ĐP1",
            "name_vi": "Tỷ lệ xã có câu lạc bộ bình đẳng giới",
            "measure": "share",
            "direction": "higher",
            "dimensions": ["sex"],
        },
    )
    assert response.status_code == 302
    local = Indicator.objects.get(owner_unit=tree["province"])
    assert (local.code, local.multiplier, local.disaggregations) == ("P51.ĐP1", 100, "sex")

    record_value(
        personas["commune_officer"], local, tree["commune"], 2025, numerator=1, denominator=2
    )
    record_value(
        personas["neighbour_officer"], local, tree["neighbour"], 2025, numerator=2, denominator=2
    )
    assert rollup(local, tree["province"], 2025).value == 75
    # It appears on the commune's entry form and on the province's figures page.
    client.force_login(personas["commune_officer"])
    entry = client.get(reverse("indicators:enter", args=[tree["commune"].pk]) + "?year=2025")
    assert "ĐP1" in entry.content.decode()
    client.force_login(approver)
    overview = client.get(reverse("indicators:overview", args=[tree["province"].pk]) + "?year=2025")
    assert "local-figures" in overview.content.decode()
    # Hà Nội's units cannot use Quảng Ngãi's indicator.
    with pytest.raises(ValidationError):
        record_value(
            personas["system_admin"], local, tree["far_commune"], 2025, numerator=1, denominator=2
        )


def test_local_indicator_refusals(catalogue, personas, tree):
    approver = personas["province_approver"]
    with pytest.raises(PermissionDenied):
        _local(personas["province_viewer"], tree["province"])
    with pytest.raises(ValidationError):  # communes use their province's indicators
        _local(personas["system_admin"], tree["commune"])
    with pytest.raises(ValidationError) as no_wording:
        _local(approver, tree["province"], name_vi="  ")
    assert "name_vi" in no_wording.value.message_dict
    with pytest.raises(ValidationError) as bad_dimension:
        _local(approver, tree["province"], dimensions=["religion"])
    assert "dimensions" in bad_dimension.value.message_dict
    local = _local(approver, tree["province"])
    with pytest.raises(ValidationError) as duplicate:
        _local(approver, tree["province"])
    assert "number" in duplicate.value.message_dict
    record_value(approver, local, tree["province"], 2025, numerator=1, denominator=2)
    with pytest.raises(ValidationError) as frozen:
        _local(approver, tree["province"], indicator=local, measure="count")
    assert "measure" in frozen.value.message_dict
    assert Indicator.objects.filter(owner_unit=tree["province"]).count() == 1


def test_a_breakdown_by_sex_is_entered_rolled_up_and_never_exceeds_the_total(
    catalogue, personas, tree
):
    victims = catalogue["3.2a"]  # broken down by sex
    officer, commune = personas["commune_officer"], tree["commune"]
    assert [key for key, _label in victims.categories()] == ["sex:female", "sex:male"]
    record_values(
        officer,
        commune,
        2025,
        [
            Line(victims, {"numerator": 8, "denominator": 10}),
            Line(victims, {"numerator": 7, "denominator": 8}, "sex:female"),
        ],
    )
    assert rollup(victims, tree["province"], 2025, "sex:female").numerator == 7

    with pytest.raises(ValidationError) as too_many:
        record_value(
            officer, victims, commune, 2025, numerator=1, denominator=3, category="sex:male"
        )
    assert "denominator" in too_many.value.message_dict  # 8 + 3 women and men > 10 in all
    with pytest.raises(ValidationError) as lowered_total:
        record_value(officer, victims, commune, 2025, numerator=7, denominator=7)
    assert "denominator" in lowered_total.value.message_dict
    with pytest.raises(ValidationError) as not_asked:
        record_value(
            officer,
            catalogue["2.1"],
            commune,
            2025,
            numerator=1,
            denominator=2,
            category="sex:female",
        )
    assert "category" in not_asked.value.message_dict
    assert DataValue.objects.filter(unit=commune).count() == 2


def test_the_entry_form_takes_the_breakdown_and_names_the_bad_cell(
    client, catalogue, personas, tree
):
    victims = catalogue["3.2a"]
    client.force_login(personas["commune_officer"])
    url = reverse("indicators:enter", args=[tree["commune"].pk]) + "?year=2025"
    page = client.get(url).content.decode()
    assert f'name="{victims.pk}-sex:female-numerator"' in page
    response = client.post(
        url,
        {
            f"{victims.pk}-numerator": "5",
            f"{victims.pk}-denominator": "10",
            f"{victims.pk}-sex:female-numerator": "4",
            f"{victims.pk}-sex:female-denominator": "12",
        },
    )
    assert response.status_code == 200
    assert "vượt quá" in response.content.decode()
    assert not DataValue.objects.filter(indicator=victims).exists()  # nothing half-written
    client.post(
        url,
        {
            f"{victims.pk}-numerator": "5",
            f"{victims.pk}-denominator": "10",
            f"{victims.pk}-sex:female-numerator": "4",
            f"{victims.pk}-sex:female-denominator": "6",
        },
    )
    female = DataValue.objects.get(indicator=victims, category="sex:female")
    assert (female.numerator, female.denominator) == (Decimal(4), Decimal(6))
