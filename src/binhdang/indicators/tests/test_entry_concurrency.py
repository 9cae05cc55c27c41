"""Two officers saving the same unit's figures at the same moment, on PostgreSQL: the second save
waits for the first, sees its figure and is refused for that line instead of undoing it."""

import threading

import pytest
from django.db import connection, transaction

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import DataValue, Indicator
from binhdang.indicators.services import Line, record_values
from binhdang.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_saves_of_one_line_keep_the_first_and_refuse_the_second(live_map):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite writes one transaction at a time")
    load_catalogue()
    commune = OrgUnit.objects.get(code="P51").children.live().filter(level=4).first()
    first_officer = make_user("xa.mot", commune, Role.DATA_OFFICER)
    second_officer = make_user("xa.hai", commune, Role.DATA_OFFICER)
    wage = Indicator.objects.get(number="2.1", owner_unit=None)
    ratio = Indicator.objects.get(number="4.1", owner_unit=None)

    def line(indicator, numerator):
        # Both pages showed nothing stored for the line.
        return Line(indicator, {"numerator": numerator, "denominator": 10}, seen=True, key="x-")

    wrote, results = threading.Event(), {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = record_values(first_officer, commune, 2025, [line(wage, 3)])
                wrote.set()
                # Hold the transaction open while the second save starts.
                threading.Event().wait(1.0)
        finally:
            connection.close()

    def second():
        try:
            wrote.wait(10)
            results["second"] = record_values(
                second_officer, commune, 2025, [line(wage, 4), line(ratio, 7)]
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert results["first"].count == 1 and not results["first"].conflicts
    assert results["second"].count == 1  # the other line is saved
    [conflict] = results["second"].conflicts
    assert conflict.line.indicator == wage and conflict.theirs.numerator == 3
    assert DataValue.objects.get(indicator=wage, unit=commune).numerator == 3
    assert DataValue.objects.get(indicator=ratio, unit=commune).numerator == 7
