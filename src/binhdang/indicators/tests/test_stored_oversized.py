"""Issue 11: "an oversized number … is accepted, after which the unit's entry page, the Excel
preview and the national DHIS2 export answer 500". The service now refuses such figures
(test_entry_form), but a value already in the database — an old import, a hand-made fix — must
still not break a page: the largest figures the columns hold are stored directly here, and every
page and file that shows them answers."""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from binhdang.indicators import sums
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import record_value
from binhdang.indicators.tests.test_excel import _download, _fill, _upload

pytestmark = pytest.mark.django_db

# The largest whole figure the columns hold (max_digits=18, decimal_places=4) on both databases:
# SQLite keeps decimals as floats, and 99999999999999.9999 would come back as 1e14, past the column.
LARGEST = Decimal("99999999999999")
SMALLEST = Decimal("0.0001")


@pytest.fixture
def oversized(personas, tree, catalogue):
    """The commune and its neighbour each hold the largest figures their columns can."""
    admin = personas["system_admin"]
    for unit in (tree["commune"], tree["neighbour"]):
        ratio = record_value(admin, catalogue["4.1"], unit, 2025, numerator=1, denominator=2)
        share = record_value(admin, catalogue["2.1"], unit, 2025, numerator=1, denominator=2)
        rate = record_value(admin, catalogue["4.2"], unit, 2025, numerator=1, denominator=2)
        milestone = record_value(admin, catalogue["5.3"], unit, 2025, value=1)
        DataValue.objects.filter(pk=ratio.pk).update(numerator=LARGEST, denominator=SMALLEST)
        DataValue.objects.filter(pk__in=[share.pk, rate.pk]).update(
            numerator=LARGEST, denominator=LARGEST
        )
        DataValue.objects.filter(pk=milestone.pk).update(value=LARGEST)
    sums.rebuild()  # written around the services: the roll-up's sums recomputed
    return catalogue


def test_pages_showing_an_oversized_stored_figure_answer(client, personas, tree, oversized):
    client.force_login(personas["system_admin"])
    urls = [
        reverse("indicators:enter", args=[tree["commune"].pk]),
        reverse("indicators:overview", args=[tree["commune"].pk]),
        reverse("indicators:overview", args=[tree["province"].pk]),
        reverse("indicators:overview", args=[tree["nation"].pk]),
        reverse("indicators:forecast", args=[tree["province"].pk]),
        reverse("indicators:ranking", args=[tree["province"].pk, oversized["4.1"].pk]),
        reverse("indicators:excel_template", args=[tree["province"].pk]),
        reverse("indicators:dhis2_export", args=[tree["nation"].pk, "json"]),
        reverse("indicators:dhis2_export", args=[tree["nation"].pk, "csv"]),
    ]
    for url in urls:
        response = client.get(url, {"year": 2025})
        assert response.status_code == 200, url
        if response.get("Content-Type", "").startswith("text/html"):
            assert "E+" not in response.content.decode(), url  # never scientific notation


def test_the_excel_preview_over_an_oversized_stored_figure_answers(
    client, personas, tree, oversized
):
    """The file changes the commune's 4.1, whose stored figure is the oversized one; the other
    oversized lines are emptied (the template pre-fills them, and the reader refuses them)."""
    client.force_login(personas["province_admin"])
    lines = {
        (unit.code, oversized[number].code): (None, None, None)
        for unit in (tree["commune"], tree["neighbour"])
        for number in ("4.1", "2.1", "4.2", "5.3")
    }
    lines[(tree["commune"].code, oversized["4.1"].code)] = (5, 10, None)
    response = _upload(client, tree["province"], _fill(_download(client, tree["province"]), lines))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="preview"' in page
    assert "Thay đổi: <strong>1</strong>" in page
    assert "E+" not in page


def test_1e30_in_an_excel_cell_is_refused_by_row_not_a_500(client, personas, tree, catalogue):
    client.force_login(personas["province_admin"])
    content = _fill(
        _download(client, tree["province"]),
        {(tree["commune"].code, catalogue["4.1"].code): (1e30, 10, None)},
    )
    response = _upload(client, tree["province"], content)
    assert response.status_code == 200
    assert "cột “Tử số”" in response.content.decode()
    assert not DataValue.objects.exists()


def test_a_figure_past_its_column_from_before_the_bound_is_moved_into_the_note(
    client, personas, tree, catalogue
):
    """Issue 11's own 1000000000000000, stored on SQLite before figures were bounded, breaks
    every read of its row; the migration takes it out into the note and the page answers."""
    migration = import_module("binhdang.indicators.migrations.0004_figures_past_their_columns")
    admin = personas["system_admin"]
    row = record_value(
        admin, catalogue["2.1"], tree["commune"], 2025, numerator=1, denominator=2, note="Cũ"
    )
    kept = record_value(admin, catalogue["4.1"], tree["commune"], 2025, numerator=3, denominator=4)
    with connection.cursor() as cursor:  # past the ORM's checks, as an old import wrote it
        cursor.execute(
            "UPDATE indicators_datavalue SET numerator = %s WHERE id = %s",
            [10**15 if connection.vendor == "sqlite" else 10**13, row.pk],
        )

    class Editor:  # what RunPython hands the function: the schema editor, for its connection
        pass

    Editor.connection = connection
    migration.clear_figures_past_their_columns(apps, Editor)

    row.refresh_from_db()
    if connection.vendor == "sqlite":
        assert row.numerator is None and row.denominator == 2
        assert row.note.startswith("Cũ\nSố liệu cũ quá lớn")
        assert "numerator=1000000000000000" in row.note
    else:  # PostgreSQL's column refuses such values, so nothing is past it
        assert row.numerator == 10**13 and row.note == "Cũ"
    kept.refresh_from_db()
    assert (kept.numerator, kept.denominator, kept.note) == (3, 4, "")
    client.force_login(admin)
    response = client.get(reverse("indicators:enter", args=[tree["commune"].pk]), {"year": 2025})
    assert response.status_code == 200
