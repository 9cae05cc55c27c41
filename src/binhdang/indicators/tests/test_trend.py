"""Trends across the 2025 reorganisation, and the chart with the targets drawn."""

from decimal import Decimal

import pytest
from django.urls import reverse

from binhdang.indicators import queries
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import Indicator
from binhdang.indicators.services import record_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def wage(db):
    load_catalogue()
    return Indicator.objects.get(number="2.1")


def test_trend_combines_the_predecessors_before_the_merger(personas, tree, wage):
    admin = personas["system_admin"]
    old = list(tree["province"].predecessors.order_by("code"))
    assert len(old) == 2  # Quảng Ngãi and Kon Tum
    record_value(admin, wage, old[0], 2023, numerator=30, denominator=100)
    record_value(admin, wage, old[1], 2023, numerator=20, denominator=100)
    record_value(admin, wage, tree["province"], 2026, numerator=60, denominator=120)
    points = {p.year: p for p in queries.trend(wage, tree["province"])}
    assert points[2023].from_predecessors and points[2023].figure.value == 25
    assert (points[2023].figure.numerator, points[2023].figure.denominator) == (50, 200)
    assert not points[2026].from_predecessors and points[2026].figure.value == 50
    assert points[2024].figure.value is None and not points[2024].from_predecessors


def test_chart_page_draws_series_and_targets_and_says_where_data_came_from(
    client, personas, tree, wage
):
    admin = personas["system_admin"]
    old = tree["province"].predecessors.order_by("code").first()
    record_value(admin, wage, old, 2023, numerator=30, denominator=100)
    record_value(admin, wage, tree["province"], 2026, numerator=60, denominator=120)
    client.force_login(personas["province_viewer"])
    page = client.get(
        reverse("indicators:ranking", args=[tree["province"].pk, wage.pk]), {"year": 2026}
    ).content.decode()
    assert page.count("<circle") == 2
    assert 'fill="#fff"' in page  # the inherited 2023 point is drawn hollow
    assert "chỉ tiêu 2025" in page and "chỉ tiêu 2030" in page
    assert old.name in page
    assert 'cx="' in page and not any("," in part.split('"')[0] for part in page.split('cx="')[1:])


def test_chart_scales_within_its_box(personas, tree, wage):
    from binhdang.indicators.charts import HEIGHT, trend_chart

    record_value(personas["system_admin"], wage, tree["province"], 2026, numerator=1, denominator=2)
    chart = trend_chart(queries.trend(wage, tree["province"]), {2025: Decimal(50), 2030: None})
    assert all(0 <= float(p["y"]) <= HEIGHT for p in chart.points + chart.targets)
    assert all("," not in p["x"] for p in chart.points)  # SVG needs decimal points
    assert [t["year"] for t in chart.targets] == ["2025"]
