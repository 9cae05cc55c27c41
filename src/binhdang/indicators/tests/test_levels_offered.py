"""Target 1.1's level lines are offered only where they mean something: a unit's own level and
the levels with units below it in the year; never to a unit answering for itself (a commune, a
department). One rule (`services.categories_for`) for the entry form, the Excel template, the
Excel and DHIS2 imports and `record_value`."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from binhdang.indicators import dhis2, spreadsheets
from binhdang.indicators.models import DataValue
from binhdang.indicators.queries import figure_rows
from binhdang.indicators.rollup import levels_below, levels_below_each
from binhdang.indicators.services import categories_for, record_value
from binhdang.indicators.tests.test_entry_form import opened
from binhdang.orgunits.models import Kind, Level, OrgUnit

pytestmark = pytest.mark.django_db


def _levels(categories) -> set[str]:
    return {key.removeprefix("level:") for key, _label in categories if key.startswith("level:")}


def _form_levels(client, user, unit, indicator, year) -> set[str]:
    client.force_login(user)
    url = reverse("indicators:enter", args=[unit.pk]) + f"?year={year}"
    prefix = f"{indicator.pk}-level:"
    return {
        name.removeprefix(prefix).split("-")[0]
        for name in opened(client, url).data
        if name.startswith(prefix)
    }


def test_a_commune_answers_yes_or_no_and_gets_no_level_inputs(client, catalogue, personas, tree):
    leaders = catalogue["1.1"]
    officer = personas["commune_officer"]
    assert _form_levels(client, officer, tree["commune"], leaders, 2026) == set()
    assert (
        f"{leaders.pk}-answer"
        in opened(
            client, reverse("indicators:enter", args=[tree["commune"].pk]) + "?year=2026"
        ).data
    )
    assert categories_for(leaders, tree["commune"], 2026) == []
    assert categories_for(leaders, tree["legacy_commune"], 2024) == []


def test_a_province_gets_its_own_level_and_the_levels_below_it_that_year(
    client, catalogue, personas, tree
):
    leaders = catalogue["1.1"]
    admin = personas["system_admin"]
    # Since the 2025 reform a province has communes only.
    assert _form_levels(client, admin, tree["province"], leaders, 2026) == {"province", "commune"}
    # Before it, districts too.
    assert _form_levels(client, admin, tree["legacy_province"], leaders, 2024) == {
        "province",
        "district",
        "commune",
    }
    # A breakdown that is not by level is offered as before.
    assert _levels(categories_for(catalogue["3.2a"], tree["province"], 2026)) == set()
    assert len(categories_for(catalogue["3.2a"], tree["province"], 2026)) == 2


def test_the_nation_ministries_and_departments(catalogue, tree):
    leaders = catalogue["1.1"]
    nation_2026 = _levels(categories_for(leaders, tree["nation"], 2026))
    assert {"central", "province", "commune"} <= nation_2026 and "district" not in nation_2026
    assert "district" in _levels(categories_for(leaders, tree["nation"], 2024))
    ministry = _levels(categories_for(leaders, tree["ministry"], 2026))
    assert "central" in ministry and ministry <= {"central", "department"}
    department = OrgUnit.objects.create(
        code="S-THU", name="Sở thử", kind=Kind.PROVINCIAL_DEPARTMENT, parent=tree["province"]
    )
    assert categories_for(leaders, department, 2026) == []  # it answers in its total
    assert _levels(categories_for(leaders, tree["province"], 2026)) == {
        "province",
        "commune",
        "department",
    }


def test_the_levels_below_many_units_are_read_at_once_and_agree_with_one_by_one(
    tree, django_assert_num_queries
):
    units = list(OrgUnit.objects.all())
    found = {}
    for year in (2024, 2025, 2026):  # before, across and after the 2025 reform
        with django_assert_num_queries(1):
            found[year] = levels_below_each(units, year)
        assert found[year] == {unit.pk: levels_below(unit, year) for unit in units}
    nation = tree["nation"].pk
    assert Level.DISTRICT in found[2024][nation] and Level.DISTRICT not in found[2026][nation]
    assert found[2026][tree["commune"].pk] == set()


def test_the_excel_template_has_no_level_lines_for_communes(catalogue, tree):
    leaders = catalogue["1.1"]
    communes = list(tree["province"].children.live().filter(level=4).order_by("code")[:3])
    content = spreadsheets.template([tree["province"], *communes], [leaders], 2026)
    sheet = load_workbook(io.BytesIO(content))[spreadsheets.SHEET]
    lines: dict[str, list[str]] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        lines.setdefault(row[spreadsheets.UNIT], []).append(row[spreadsheets.CATEGORY])
    for commune in communes:
        assert lines[commune.code] == [spreadsheets.TOTAL]
    assert lines["P51"] == [spreadsheets.TOTAL, "Cấp: Cấp tỉnh", "Cấp: Cấp xã"]


def test_the_services_refuse_a_level_line_that_does_not_apply(catalogue, personas, tree):
    leaders = catalogue["1.1"]
    admin = personas["system_admin"]
    with pytest.raises(ValidationError) as refused:
        record_value(
            admin,
            leaders,
            tree["commune"],
            2026,
            numerator=1,
            denominator=1,
            category="level:commune",
        )
    assert refused.value.message_dict["category"] == [
        f"“{tree['commune'].name}” tự trả lời chỉ tiêu này ở dòng tổng số, không có dòng “Cấp xã”."
    ]
    with pytest.raises(ValidationError) as refused:
        record_value(
            admin,
            leaders,
            tree["province"],
            2026,
            numerator=9,
            denominator=13,
            category="level:district",
        )
    assert "Năm 2026, “Tỉnh Quảng Ngãi” không có dòng “Cấp huyện (trước 1/7/2025)”" in str(
        refused.value
    )
    assert not DataValue.objects.exists()
    # Where the level exists, the line is taken.
    record_value(
        admin,
        leaders,
        tree["legacy_province"],
        2024,
        numerator=9,
        denominator=13,
        category="level:district",
    )
    record_value(
        admin,
        leaders,
        tree["province"],
        2026,
        numerator=50,
        denominator=96,
        category="level:commune",
    )
    assert DataValue.objects.count() == 2


def _single_line(year, unit, indicator, category, numerator, denominator) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = spreadsheets.SHEET
    sheet.append(spreadsheets.HEADERS)
    sheet.append([year, unit, "", indicator, "", category, numerator, denominator, None, "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_communes_level_line_in_an_upload_is_refused(client, catalogue, personas, tree):
    commune = tree["commune"]
    client.force_login(personas["province_admin"])
    content = _single_line(2026, commune.code, catalogue["1.1"].code, "Cấp xã", 1, 1)
    page = client.post(
        reverse("indicators:excel_import", args=[tree["province"].pk]),
        {"file": SimpleUploadedFile("so-lieu.xlsx", content)},
    ).content.decode()
    assert f"Dòng 2: “{commune.name}” tự trả lời chỉ tiêu này ở dòng tổng số" in page
    assert not DataValue.objects.exists()


def test_a_communes_level_value_in_a_dhis2_set_is_refused(catalogue, personas, tree):
    commune, code = tree["commune"], catalogue["1.1"].code
    items = [
        {
            "dataElement": f"{code}.{part}",
            "period": "2026",
            "orgUnit": commune.code,
            "categoryOptionCombo": "level:commune",
            "value": "1",
        }
        for part in ("NUM", "DEN")
    ]
    cells = dhis2.parse(json.dumps({"dataValues": items}).encode(), "set.json")
    with pytest.raises(ValidationError) as refused:
        dhis2.import_values(personas["province_admin"], cells)
    assert "Dòng 1, 2" in str(refused.value) and "tự trả lời chỉ tiêu này" in str(refused.value)
    assert not DataValue.objects.exists()


def test_level_lines_are_not_shown_as_breakdowns_of_the_figure(catalogue, personas, tree):
    leaders = catalogue["1.1"]
    admin = personas["system_admin"]
    province = tree["province"]
    record_value(admin, leaders, province, 2026, numerator=60, denominator=100)
    record_value(
        admin, leaders, province, 2026, numerator=50, denominator=96, category="level:commune"
    )
    row = figure_rows([leaders], [province], 2026)[province.pk][0]
    assert row.parts == []  # levels are the figure's level lines, not "– Cấp xã" under it
    assert [line.level for line in row.figure.levels] == [4]
