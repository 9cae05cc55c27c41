"""Indicator pages: a unit's figures and summary, data entry, ranking, scope by URL."""

import pytest
from django.urls import reverse

from binhdang.indicators.models import DataValue

pytestmark = pytest.mark.django_db


def _entry(catalogue, number, **fields):
    return {f"{catalogue[number].pk}-{name}": value for name, value in fields.items()}


def test_commune_enters_figures_and_the_province_sees_them(client, personas, tree, catalogue):
    client.force_login(personas["commune_officer"])
    url = reverse("indicators:enter", args=[tree["commune"].pk]) + "?year=2025"
    page = client.get(url).content.decode()
    assert "Có" in page  # 1.1 is a yes/no question for a commune
    data = {
        **_entry(catalogue, "1.1", answer="1"),
        **_entry(catalogue, "2.1", numerator="45", denominator="100"),
        **_entry(catalogue, "5.3", answer="1"),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert DataValue.objects.filter(unit=tree["commune"], year=2025).count() == 3

    client.force_login(personas["province_viewer"])
    overview = client.get(
        reverse("indicators:overview", args=[tree["province"].pk]), {"year": 2025}
    ).content.decode()
    assert "45%" in overview.replace("45,0%", "45%") and "1/1" in overview
    assert "chỉ tiêu đạt và vượt" in overview
    ranking = client.get(
        reverse("indicators:ranking", args=[tree["province"].pk, catalogue["2.1"].pk]),
        {"year": 2025},
    ).content.decode()
    assert tree["commune"].name in ranking


def test_bad_cells_are_named_and_nothing_is_saved(client, personas, tree, catalogue):
    client.force_login(personas["commune_officer"])
    url = reverse("indicators:enter", args=[tree["commune"].pk]) + "?year=2025"
    data = {
        **_entry(catalogue, "2.1", numerator="120", denominator="100"),
        **_entry(catalogue, "2.2", numerator="abc", denominator="10"),
        **_entry(catalogue, "2.3", numerator="3", denominator="10"),
    }
    page = client.post(url, data).content.decode()
    assert "Không đọc được “abc” là một số" in page and "1.234.567" in page
    assert not DataValue.objects.exists()
    data.update(_entry(catalogue, "2.2", numerator="4", denominator="10"))
    page = client.post(url, data).content.decode()
    assert "Tử số không được lớn hơn mẫu số" in page
    assert not DataValue.objects.exists()


def test_a_sharp_change_needs_a_note(client, personas, tree, catalogue):
    client.force_login(personas["commune_officer"])
    base = reverse("indicators:enter", args=[tree["commune"].pk])
    client.post(base + "?year=2024", _entry(catalogue, "2.1", numerator="20", denominator="100"))
    assert not DataValue.objects.exists()  # the new commune did not exist in 2024
    client.post(base + "?year=2025", _entry(catalogue, "2.1", numerator="20", denominator="100"))
    page = client.post(
        base + "?year=2026", _entry(catalogue, "2.1", numerator="60", denominator="100")
    ).content.decode()
    assert "cần ghi chú giải thích" in page and "20 → 60" in page
    assert not DataValue.objects.filter(year=2026).exists()
    client.post(
        base + "?year=2026",
        _entry(catalogue, "2.1", numerator="60", denominator="100", note="Thống kê lại"),
    )
    assert DataValue.objects.get(year=2026).value == 60


@pytest.mark.parametrize(
    ("persona", "view", "enter"),
    [
        ("commune_officer", 404, 404),
        ("province_viewer", 200, 403),
        ("province_approver", 200, 200),
        ("ministry_officer", 404, 404),
    ],
)
def test_indicator_pages_by_url(client, personas, tree, catalogue, persona, view, enter):
    client.force_login(personas[persona])
    unit = tree["province"]
    assert client.get(reverse("indicators:overview", args=[unit.pk])).status_code == view
    assert client.get(reverse("indicators:enter", args=[unit.pk])).status_code == enter
