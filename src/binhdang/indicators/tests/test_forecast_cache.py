"""The forecasts' series kept in the cache under the figures' revision (decision 76): never a
figure older than the last committed save, whichever connection saved it; and the national
dashboard and outlook pages in a number of queries that does not grow with the tree."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.indicators import revision
from binhdang.indicators.forecast import unit_forecasts
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import DataValue, FiguresRevision, Framework, Indicator
from binhdang.indicators.services import Line, record_value, record_values
from binhdang.orgunits.models import Level, OrgUnit

TODAY = datetime.date(2026, 3, 1)
HEAVY = 'SUM("indicators_datavalue"'  # the grouped roll-up read; the fingerprint has none


def _wage_series(framework, unit) -> dict[int, Decimal]:
    (forecast,) = [f for f in unit_forecasts(framework, unit, TODAY) if f.indicator.number == "2.1"]
    return forecast.series


def _in_another_connection(work) -> None:
    """Run `work` in a thread: its own database connection, committing as another process's."""
    failures = []

    def run():
        try:
            work()
        except Exception as error:  # noqa: BLE001 — handed to the test below
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failures, failures


def _heavy_reads(queries) -> int:
    return sum(1 for query in queries if HEAVY in query["sql"])


@pytest.mark.django_db(transaction=True)
def test_a_save_elsewhere_shows_at_once_while_unchanged_figures_come_from_the_cache(live_map):
    load_catalogue()
    framework = Framework.objects.get()
    nation = OrgUnit.objects.get(code="VN")
    admin = make_user("cache_admin", nation, Role.SYSTEM_ADMIN)
    wage = Indicator.objects.get(number="2.1")
    for year, share in zip(range(2021, 2025), (30, 31, 32, 33), strict=True):
        record_value(admin, wage, nation, year, numerator=share, denominator=100, note="x")

    with CaptureQueriesContext(connection) as first:
        assert _wage_series(framework, nation)[2024] == 33
    with CaptureQueriesContext(connection) as again:
        assert _wage_series(framework, nation)[2024] == 33
    assert _heavy_reads(first.captured_queries) == 1
    assert _heavy_reads(again.captured_queries) == 0  # from the cache

    # Another connection corrects 2024 (an update: no new row) through the entry form's service.
    def correct():
        line = Line(wage, {"numerator": "60", "denominator": "100", "note": "sửa"})
        record_values(admin, nation, 2024, [line])

    _in_another_connection(correct)
    assert _wage_series(framework, nation)[2024] == 60
    # And the same through the outlook page, as the nation's system administrator sees it.
    client = Client()
    client.force_login(admin)
    _in_another_connection(
        lambda: record_value(admin, wage, nation, 2024, numerator=71, denominator=100, note="x")
    )
    page = client.get(reverse("indicators:forecast", args=[nation.pk])).content.decode()
    assert "71,0" in page and "60,0" not in page


@pytest.mark.django_db(transaction=True)
def test_the_revision_moves_on_once_per_committed_transaction_and_not_on_rollback(live_map):
    load_catalogue()
    nation = OrgUnit.objects.get(code="VN")
    admin = make_user("revision_admin", nation, Role.SYSTEM_ADMIN)
    wage, farming = Indicator.objects.get(number="2.1"), Indicator.objects.get(number="2.2")
    FiguresRevision.objects.all().delete()  # a database emptied since its migration

    def total() -> int:
        return sum(FiguresRevision.objects.values_list("number", flat=True))

    lines = [
        Line(wage, {"numerator": "30", "denominator": "100"}),
        Line(farming, {"numerator": "40", "denominator": "100"}),
    ]
    record_values(admin, nation, 2024, lines)
    assert total() == 1  # two figures, one transaction
    before = revision.fingerprint("default")
    with pytest.raises(RuntimeError), transaction.atomic():
        record_value(admin, wage, nation, 2023, numerator=31, denominator=100, note="x")
        raise RuntimeError("the rest of the work failed")
    assert total() == 1 and revision.fingerprint("default") == before
    record_value(admin, wage, nation, 2023, numerator=31, denominator=100, note="x")
    assert total() == 2 and revision.fingerprint("default") != before


@pytest.mark.django_db
def test_the_transaction_that_saved_reads_its_own_figures_not_the_cache(catalogue, personas):
    framework, nation = Framework.objects.get(), OrgUnit.objects.get(code="VN")
    admin, wage = personas["system_admin"], catalogue["2.1"]
    DataValue.objects.bulk_create(
        DataValue(indicator=wage, unit=nation, year=y, numerator=30, denominator=100, value=30)
        for y in range(2021, 2025)
    )
    assert _wage_series(framework, nation)[2024] == 30  # cached: nothing was saved through here
    assert not revision.wrote_in_transaction()
    record_value(admin, wage, nation, 2024, numerator=45, denominator=100, note="x")
    assert revision.wrote_in_transaction()
    assert _wage_series(framework, nation)[2024] == 45


def _fill(indicators, units, years) -> None:
    DataValue.objects.bulk_create(
        DataValue(
            indicator=indicator,
            unit=unit,
            year=year,
            numerator=Decimal(20 + (unit.pk + year) % 30),
            denominator=Decimal(100),
            value=Decimal(20 + (unit.pk + year) % 30),
        )
        for indicator in indicators
        for unit in units
        for year in years
    )


def _page_queries(client, name: str, unit: OrgUnit) -> tuple[int, int]:
    """(queries of a first view after any change, queries of the next view)."""
    url = reverse(name, args=[unit.pk])
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    return len(cold.captured_queries), len(warm.captured_queries)


@pytest.mark.django_db
def test_national_dashboard_and_outlook_do_not_grow_with_the_tree(client, catalogue, personas):
    nation = OrgUnit.objects.get(code="VN")
    shares = [i for i in catalogue.values() if i.measure == "share"][:6]
    client.force_login(personas["system_admin"])
    old_provinces = list(OrgUnit.objects.filter(level=Level.PROVINCE).historical())
    old_communes = list(OrgUnit.objects.filter(level=Level.COMMUNE).historical()[:300])
    provinces = list(OrgUnit.objects.filter(level=Level.PROVINCE).live())
    communes = list(OrgUnit.objects.filter(level=Level.COMMUNE).live()[:300])
    # Figures of a few units at every level, old map and new; then of ten times more units.
    _fill(shares, old_provinces[:3] + old_communes[:30], range(2021, 2025))
    _fill(shares, provinces[:3] + communes[:30], range(2025, 2027))
    small = {name: _page_queries(client, name, nation) for name in PAGES}
    _fill(shares, old_provinces[3:] + old_communes[30:], range(2021, 2025))
    _fill(shares, provinces[3:] + communes[30:], range(2025, 2027))
    large = {name: _page_queries(client, name, nation) for name in PAGES}

    assert large == small
    for cold, warm in small.values():
        assert warm < cold  # the next view reads the series from the cache


PAGES = ("indicators:overview", "indicators:forecast")
