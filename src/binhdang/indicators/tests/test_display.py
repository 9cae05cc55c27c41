"""One writer of a figure for people (`indicators.display`): half-up rounding once, digits that
agree with the verdict, the same digits on every page, breakdowns under their totals, a summary
line over every target, and no research note on any page."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from binhdang.core.numbers import read_number, round_half_up
from binhdang.indicators import display
from binhdang.indicators.evaluation import Verdict, evaluate, summarise
from binhdang.indicators.loading import CATALOGUE
from binhdang.indicators.models import Comparator, Direction, Indicator, Measure, Target
from binhdang.indicators.rollup import RollUp
from binhdang.indicators.services import record_value

YEAR = 2025


def _indicator(measure=Measure.RATIO, direction=Direction.LOWER) -> Indicator:
    return Indicator(measure=measure, direction=direction, multiplier=Decimal(100))


def _target(value, comparator=Comparator.AT_MOST) -> Target:
    return Target(value=Decimal(value), comparator=comparator, year=YEAR)


# --- The writer, without a database ----------------------------------------------------------


def test_half_up_once_not_truncated():
    sex_ratio = _indicator()
    value = Decimal(230) / Decimal(205) * 100  # 112,195…
    with translation.override("vi"):
        assert display.value_text(value, sex_ratio, _target(111)) == "112,2"
        assert display.value_text(Decimal("1.75"), _indicator(), _target("1.7")) == "1,8"
        assert display.value_text(Decimal("0.25"), _indicator(), None) == "0,3"  # not 0,2
        assert display.percent(Decimal("84.25")) == "84,3%"
        assert display.value_text(Decimal("1234.5"), _indicator(Measure.COUNT)) == "1.235"
    with translation.override("en"):
        assert display.value_text(value, sex_ratio, _target(111)) == "112.2"


def test_digits_never_contradict_the_verdict():
    """175/100 against "≤ 1,7" read "1,7 · ≤ 1,7 · Chưa đạt"; now the digits say why."""
    ratio = _indicator()
    with translation.override("vi"):
        assert display.value_text(Decimal("1.704"), ratio, _target("1.7")) == "1,704"
        assert display.value_text(Decimal("1.704"), ratio, None) == "1,7"  # nothing to contradict
        share = _indicator(Measure.SHARE, Direction.HIGHER)
        at_least_60 = _target(60, Comparator.AT_LEAST)
        assert display.value_text(Decimal("59.96"), share, at_least_60) == "59,96%"
        assert display.value_text(Decimal("60"), share, at_least_60) == "60,0%"
        figure = RollUp(Decimal(1704), Decimal(1000), Decimal("1.704"), 1)
        assert display.figure_text(figure, ratio, _target("1.7")) == "1,704"
        assert display.fraction_text(figure) == "1.704/1.000"


values = st.decimals(min_value=0, max_value=100_000, places=6, allow_nan=False)


@given(
    value=values,
    target=st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False),
    comparator=st.sampled_from([c.value for c in Comparator]),
    direction=st.sampled_from([d.value for d in Direction]),
    measure=st.sampled_from([Measure.SHARE, Measure.RATIO, Measure.RATE, Measure.COUNT]),
)
def test_the_digits_shown_reach_the_verdict_of_the_exact_value(
    value, target, comparator, direction, measure
):
    """Read back as a reader would, the written figure is judged as the exact one is."""
    indicator = _indicator(measure, direction)
    goal = Target(value=target, comparator=comparator, year=YEAR)
    with translation.override("vi"):
        text = display.value_text(value, indicator, goal).removesuffix("%")
        shown = read_number(text, "vi")
    exact = evaluate(value, target, comparator, direction)
    assert evaluate(shown, target, comparator, direction) == exact
    assert abs(shown - value) <= Decimal("0.5")  # rounded, not invented


@given(st.lists(st.sampled_from(list(Verdict)), min_size=1, max_size=40))
def test_the_summary_counts_every_target_once(verdicts):
    summary = summarise(verdicts)
    assert summary.total == len(verdicts)
    assert (summary.met, summary.not_met) == (
        verdicts.count(Verdict.MET),
        verdicts.count(Verdict.NOT_MET),
    )
    with translation.override("vi"):
        line = str(summary)
    if not summary.met and not summary.not_met:
        assert line == "Chưa có số liệu"
    else:
        share = round_half_up(Decimal(100 * summary.met) / len(verdicts), 1)
        assert line.startswith(f"{summary.met}/{len(verdicts)} chỉ tiêu đạt và vượt (")
        assert read_number(line.split("(")[1].split("%")[0], "vi") == share


def test_public_text_drops_research_notes():
    assert display.public_text("Đạt 90% vào năm 2025. [Vế 2030 chưa thấy nguyên văn.]") == (
        "Đạt 90% vào năm 2025."
    )
    assert display.public_text("Comparator: at least. Confidence: high.") == ""
    assert display.is_public("Nghị quyết số 28/NQ-CP ngày 03/03/2021 của Chính phủ")


# --- Pages ---------------------------------------------------------------------------------


def record_figures(admin, province, catalogue) -> None:
    """A province's 2025: a sex ratio of 230/205, unpaid care work 1,704 times men's against
    "≤ 1,7", and victims reached (3.2a) broken down by sex."""
    record_value(admin, catalogue["4.1"], province, YEAR, numerator=230, denominator=205)
    record_value(admin, catalogue["3.1"], province, YEAR, numerator=1704, denominator=1000)
    record_value(admin, catalogue["3.2a"], province, YEAR, numerator=80, denominator=100)
    for category, numerator, denominator in (("sex:female", 50, 60), ("sex:male", 30, 40)):
        record_value(
            admin,
            catalogue["3.2a"],
            province,
            YEAR,
            numerator=numerator,
            denominator=denominator,
            category=category,
        )


@pytest.fixture
def figures(tree, personas, catalogue):
    """Quảng Ngãi's 2025 figures (`record_figures`)."""
    record_figures(personas["system_admin"], tree["province"], catalogue)
    return catalogue


def _row(page: str, number: str) -> str:
    """The overview table's row of a target (up to the next row)."""
    start = page.index(f'<td class="fw-semibold">{number}</td>')
    return page[start : page.index("</tr>", start)]


@pytest.mark.django_db
def test_the_same_figure_reads_the_same_on_every_page(client, personas, tree, figures):
    client.force_login(personas["province_viewer"])
    province = tree["province"]
    overview = client.get(
        reverse("indicators:overview", args=[province.pk]), {"year": YEAR}
    ).content.decode()
    assert "112,2" in _row(overview, "4.1") and "112,1" not in overview
    care = _row(overview, "3.1")
    assert "1,704" in care and "≤ 1,7" in care and "Chưa đạt" in care
    victims = _row(overview, "3.2a")
    assert "80,0%" in victims and "Nữ: 83,3%" in victims and "Nam: 75,0%" in victims
    assert "(50/60)" in victims

    outlook = client.get(reverse("indicators:forecast", args=[province.pk])).content.decode()
    assert "112,2" in outlook and "112,1" not in outlook and "1,704" in outlook

    client.force_login(personas["system_admin"])
    ranking = client.get(
        reverse("indicators:ranking", args=[tree["nation"].pk, figures["3.2a"].pk]),
        {"year": YEAR},
    ).content.decode()
    table = ranking.split("</svg>", 1)[1]
    listed = table[table.index(province.name) :].split("</tr>", 1)[0]
    assert "80,0%" in listed and "Nữ: 83,3%" in listed and "Nam: 75,0%" in listed
    own = client.get(
        reverse("indicators:ranking", args=[province.pk, figures["4.1"].pk]), {"year": YEAR}
    ).content.decode()
    assert "112,2" in own and "112,1" not in own


@pytest.mark.django_db
def test_a_unit_without_figures_says_so_instead_of_zero_percent(client, personas, tree, figures):
    client.force_login(personas["province_viewer"])
    empty = client.get(
        reverse("indicators:overview", args=[tree["neighbour"].pk]), {"year": YEAR}
    ).content.decode()
    summary = empty[empty.index('id="summary"') :][:400]
    assert "Chưa có số liệu" in summary and "0/1" not in summary and "0,0%" not in summary
    full = client.get(
        reverse("indicators:overview", args=[tree["province"].pk]), {"year": YEAR}
    ).content.decode()
    # Over all 19 targets, 6.2 (no target value) included: 3.2a met; 3.1 and 4.1 not.
    assert (
        "1/19 chỉ tiêu đạt và vượt (5,3%); 2 chưa đạt, 15 chưa có số liệu, 1 chưa có mục tiêu"
        in (full)
    )


@pytest.mark.django_db
def test_no_page_shows_the_catalogues_research_notes(client, personas, tree, figures):
    raw = CATALOGUE.read_text(encoding="utf-8")
    assert "[CHƯA XÁC NHẬN]" in raw and "Confidence:" in raw  # kept for the maintainers
    spec = json.loads(raw)
    client.force_login(personas["system_admin"])
    pages = {
        "catalogue": reverse("indicators:catalogue"),
        "overview": reverse("indicators:overview", args=[tree["province"].pk]) + "?year=2025",
        "targets": reverse("indicators:unit_targets", args=[tree["province"].pk]),
        "outlook": reverse("indicators:forecast", args=[tree["province"].pk]),
        "ranking": reverse("indicators:ranking", args=[tree["province"].pk, figures["6.2"].pk]),
        "entry": reverse("indicators:enter", args=[tree["province"].pk]) + "?year=2025",
    }
    for name, url in pages.items():
        page = client.get(url).content.decode()
        assert display.is_public(page), name
    catalogue = client.get(pages["catalogue"]).content.decode()
    assert spec["legal_basis"] in catalogue
    assert "Chỉ tiêu 2 của Mục tiêu 6" in catalogue and "vào năm 2030." in catalogue
    assert "thuvienphapluat.vn" not in catalogue and "Binhdang research notes" not in catalogue
    for indicator in Indicator.objects.all():
        for text in (indicator.name_vi, indicator.name_en, indicator.notes, indicator.source):
            assert display.is_public(text) and "[" not in text, indicator.number
        assert all(t.source == spec["legal_basis"] for t in indicator.targets.all())
