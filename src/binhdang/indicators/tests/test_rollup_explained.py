"""A rolled-up figure says where it comes from: its rule, its coverage, and both figures where
a unit and its sub-units entered theirs (issue 11, "Roll-up that explains itself")."""

from decimal import Decimal

import pytest
from django.urls import reverse

from binhdang.indicators.rollup import Precedence, Rule, rollup, rollup_children
from binhdang.indicators.services import record_value
from binhdang.orgunits.models import Level, OrgUnit

pytestmark = pytest.mark.django_db


def _communes(province, year=2026):
    return OrgUnit.objects.subtree(province).filter(level=Level.COMMUNE).live().count()


def _overview(client, personas, unit, year=2026) -> str:
    client.force_login(personas["province_viewer"])
    url = reverse("indicators:overview", args=[unit.pk])
    return client.get(url, {"year": year}).content.decode()


def test_own_figure_and_a_communes_figure_are_both_shown_with_the_rule(
    client, catalogue, personas, tree
):
    wage = catalogue["2.1"]
    admin = personas["system_admin"]
    record_value(admin, wage, tree["province"], 2026, numerator=412, denominator=903)
    record_value(admin, wage, tree["commune"], 2026, numerator=125, denominator=240)

    figure = rollup(wage, tree["province"], 2026)
    assert (figure.numerator, figure.denominator) == (412, 903)
    explained = figure.provenance
    assert explained.rule == Rule.OWN and explained.both
    assert (explained.own.numerator, explained.own.denominator) == (412, 903)
    assert (explained.below.numerator, explained.below.denominator) == (125, 240)
    assert explained.precedence == Precedence.OWN_FIRST
    total = _communes(tree["province"])
    assert [(c.level, c.entered, c.expected) for c in explained.coverage] == [
        (Level.COMMUNE, 1, total)
    ]

    page = _overview(client, personas, tree["province"])
    assert "45,6%" in page and "52,1%" in page  # both figures, not only the counted one
    assert "412/903" in page and "125/240" in page
    assert "Số liệu của chính đơn vị" in page
    assert "không cộng thêm" in page  # the rule used is named
    assert f"Cấp xã: 1/{total} đơn vị đã nhập" in page


def test_one_ward_of_the_province_is_shown_as_one_of_all(client, catalogue, personas, tree):
    wage = catalogue["2.1"]
    record_value(
        personas["system_admin"], wage, tree["commune"], 2026, numerator=125, denominator=240
    )
    figure = rollup(wage, tree["province"], 2026)
    assert figure.provenance.rule == Rule.SUM and figure.provenance.counted == 1
    assert figure.provenance.own is None and not figure.provenance.both
    total = _communes(tree["province"])
    assert total == 96  # Quảng Ngãi since 1 July 2025
    page = _overview(client, personas, tree["province"])
    assert "52,1%" in page
    assert "Tổng số liệu của 1 đơn vị cấp dưới" in page
    assert "Cấp xã: 1/96 đơn vị đã nhập" in page


def test_a_commune_on_its_own_and_nothing_entered(catalogue, personas, tree):
    wage = catalogue["2.1"]
    record_value(personas["system_admin"], wage, tree["commune"], 2026, numerator=1, denominator=2)
    own = rollup(wage, tree["commune"], 2026).provenance
    assert own.rule == Rule.OWN and own.coverage == [] and not own.both
    nothing = rollup(wage, tree["other_province"], 2026).provenance
    assert nothing.rule == Rule.NONE and nothing.counted == 0


def test_answers_of_n_of_m_units_and_the_lower_first_rule(catalogue, personas, tree):
    curricula = catalogue["4.4"]  # computed from lower units: their answers count first
    admin = personas["system_admin"]
    record_value(admin, curricula, tree["province"], 2026, numerator=50, denominator=100)
    record_value(admin, curricula, tree["commune"], 2026, numerator=1, denominator=1)
    record_value(admin, curricula, tree["neighbour"], 2026, numerator=0, denominator=1)
    figure = rollup(curricula, tree["province"], 2026)
    assert (figure.numerator, figure.denominator) == (1, 2)
    explained = figure.provenance
    assert explained.rule == Rule.ANSWERS and explained.counted == 2
    assert explained.precedence == Precedence.LOWER_FIRST
    assert explained.own.value == Decimal(50)
    assert str(explained) == "Câu trả lời của 2/96 đơn vị"


def test_each_sub_unit_of_the_ranking_says_where_its_figure_comes_from(catalogue, personas, tree):
    wage = catalogue["2.1"]
    admin = personas["system_admin"]
    record_value(admin, wage, tree["province"], 2026, numerator=412, denominator=903)
    record_value(admin, wage, tree["far_commune"], 2026, numerator=3, denominator=4)
    children = rollup_children(wage, tree["nation"], 2026)
    assert children[tree["province"].pk].provenance.rule == Rule.OWN
    hanoi = children[tree["other_province"].pk].provenance
    assert hanoi.rule == Rule.SUM and hanoi.counted == 1


# Target 1.1 ("60% ... at every level") is held and judged per level.


def test_target_1_1_reads_one_line_per_level_each_with_its_verdict(
    client, catalogue, personas, tree
):
    leaders = catalogue["1.1"]
    admin = personas["system_admin"]
    province = tree["legacy_province"]  # before 2025: province, districts, communes
    commune = OrgUnit.objects.subtree(province).filter(level=Level.COMMUNE).first()
    record_value(
        admin, leaders, province, 2024, numerator=1, denominator=1, category="level:province"
    )
    record_value(
        admin, leaders, province, 2024, numerator=9, denominator=13, category="level:district"
    )
    record_value(
        admin, leaders, province, 2024, numerator=105, denominator=173, category="level:commune"
    )
    record_value(admin, leaders, commune, 2024, numerator=1, denominator=1)  # an early answer

    lines = {line.level: line.figure for line in rollup(leaders, province, 2024).levels}
    assert {level: (f.numerator, f.denominator) for level, f in lines.items()} == {
        Level.PROVINCE: (1, 1),
        Level.DISTRICT: (9, 13),
        Level.COMMUNE: (105, 173),  # the commune's early answer does not replace it
    }
    communes = lines[Level.COMMUNE].provenance
    assert communes.rule == Rule.OWN and communes.precedence == Precedence.OWN_FIRST
    assert (communes.below.numerator, communes.below.denominator) == (1, 1)
    assert [(c.level, c.entered) for c in communes.coverage] == [(Level.COMMUNE, 1)]

    client.force_login(admin)
    url = reverse("indicators:overview", args=[province.pk])
    page = client.get(url, {"year": 2024}).content.decode()
    assert "Đánh giá theo từng cấp" in page
    assert "Cấp huyện (trước 1/7/2025): <strong>9/13</strong> (69,2%)" in page
    assert "Cấp xã: <strong>105/173</strong> (60,7%)" in page
    assert page.count("text-bg-success") >= 3  # each level met, and so the target


def test_one_level_not_met_and_the_target_is_not_met(catalogue, personas, tree):
    from binhdang.indicators.evaluation import Verdict
    from binhdang.indicators.models import Framework
    from binhdang.indicators.queries import unit_overview

    leaders = catalogue["1.1"]
    admin = personas["system_admin"]
    record_value(
        admin,
        leaders,
        tree["province"],
        2026,
        numerator=1,
        denominator=1,
        category="level:province",
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
    row = next(
        r
        for r in unit_overview(Framework.objects.get(), tree["province"], 2026)
        if r.indicator == leaders
    )
    verdicts = {line.level: line.verdict for line in row.figure.levels}
    assert verdicts == {Level.PROVINCE: Verdict.MET, Level.COMMUNE: Verdict.NOT_MET}
    assert row.verdict == Verdict.NOT_MET


def test_levels_computed_from_the_answering_units_at_the_nation(catalogue, personas, tree):
    leaders = catalogue["1.1"]
    admin = personas["system_admin"]
    record_value(admin, leaders, tree["commune"], 2026, numerator=1, denominator=1)
    record_value(admin, leaders, tree["neighbour"], 2026, numerator=0, denominator=1)
    record_value(admin, leaders, tree["far_commune"], 2026, numerator=1, denominator=1)
    for unit, answer in ((tree["province"], 1), (tree["other_province"], 0)):
        record_value(
            admin, leaders, unit, 2026, numerator=answer, denominator=1, category="level:province"
        )
    figure = rollup(leaders, tree["nation"], 2026)
    lines = {line.level: line.figure for line in figure.levels}
    assert (lines[Level.PROVINCE].numerator, lines[Level.PROVINCE].denominator) == (1, 2)
    assert (lines[Level.COMMUNE].numerator, lines[Level.COMMUNE].denominator) == (2, 3)
    answers = lines[Level.COMMUNE].provenance
    assert answers.rule == Rule.ANSWERS and answers.counted == 3
    communes = OrgUnit.objects.filter(level=Level.COMMUNE).live().count()
    assert str(answers) == f"Câu trả lời của 3/{communes:,} đơn vị".replace(",", ".")
    # The total: the commune answers (no province typed a total), never counted twice.
    assert (figure.numerator, figure.denominator) == (2, 3)
