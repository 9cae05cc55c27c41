"""The open-round form follows the year the user picks until they write their own name or
period, and warns before a second open round asks the same units for the same report."""

import datetime
import html

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from binhdang.reporting.forms import RoundForm
from binhdang.reporting.models import ReportingRound

from .conftest import OPENED, open_round

pytestmark = pytest.mark.django_db


def _post(client, tree, **changes):
    """The form as the page shows it in December 2025 (defaults for 2025), with the changes."""
    url = reverse("reporting:open", args=[tree["province"].pk])
    with time_machine.travel(OPENED, tick=False):
        initial = RoundForm.initial_for(tree["province"])
        data = {
            "name": str(initial["name"]),
            "kind": "annual",
            "year": initial["year"],
            "derived_year": str(initial["derived_year"]),
            "period_start": initial["period_start"].strftime("%d/%m/%Y"),
            "period_end": initial["period_end"].strftime("%d/%m/%Y"),
            "deadline": "20/12/2025",
            "mode": "units",
            "units": [tree["commune"].pk],
            "section_1": "Kết quả đạt được",
        }
        data.update(changes)
        return client.post(url, data)


def test_the_page_offers_name_and_period_for_the_year(client, personas, tree, catalogue):
    client.force_login(personas["province_approver"])
    with time_machine.travel(OPENED, tick=False):
        page = client.get(reverse("reporting:open", args=[tree["province"].pk])).content.decode()
    assert "công tác bình đẳng giới năm 2025" in html.unescape(page)
    assert 'name="derived_year"' in page and 'value="2025"' in page
    assert 'data-name-pattern="Báo cáo kết quả thực hiện công tác bình đẳng giới năm {year}"' in (
        html.unescape(page)
    )


def test_changing_the_year_rewrites_the_untouched_name_and_period(
    client, personas, tree, catalogue
):
    client.force_login(personas["province_approver"])
    response = _post(client, tree, year="2024")
    assert response.status_code == 302
    round = ReportingRound.objects.get()
    assert round.year == 2024
    assert round.name == "Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2024"
    assert (round.period_start, round.period_end) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )


def test_a_name_or_period_the_user_wrote_is_kept(client, personas, tree, catalogue):
    client.force_login(personas["province_approver"])
    response = _post(
        client, tree, year="2024", name="Sơ kết   công tác năm 2024", period_end="30/06/2025"
    )
    assert response.status_code == 302
    round = ReportingRound.objects.get()
    assert round.name == "Sơ kết công tác năm 2024"
    # The period was changed by hand (its end): neither end is rewritten.
    assert (round.period_start, round.period_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 6, 30),
    )


def test_an_error_shows_the_rewritten_values_back(client, personas, tree, catalogue):
    client.force_login(personas["province_approver"])
    response = _post(client, tree, year="2024", deadline="31/02/2025")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and not ReportingRound.objects.exists()
    assert 'value="Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2024"' in page
    assert 'value="01/01/2024"' in page and 'value="31/12/2024"' in page


def test_a_second_open_round_for_the_same_units_and_year_is_a_warning_first(
    client, personas, tree, catalogue
):
    first = open_round(personas["province_approver"], tree["province"], units=[tree["commune"]])
    client.force_login(personas["province_approver"])
    response = _post(client, tree, name="Báo cáo lần hai")
    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and ReportingRound.objects.count() == 1
    assert f"“{first.name}”" in page
    assert 'name="allow_overlap"' in page
    response = _post(client, tree, name="Báo cáo lần hai", allow_overlap="on")
    assert response.status_code == 302 and ReportingRound.objects.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "interim"},  # another kind of report
        {"year": 2024, "period_start": datetime.date(2024, 1, 1)},  # another year
        {"units": "neighbour"},  # other units
    ],
)
def test_no_warning_for_another_kind_year_or_units(personas, tree, catalogue, change):
    open_round(personas["province_approver"], tree["province"], units=[tree["commune"]])
    units = [tree[change.pop("units", "commune")]]
    second = open_round(
        personas["province_approver"], tree["province"], units=units, name="Lần hai", **change
    )
    assert second.pk


def test_a_closed_round_does_not_count(personas, tree, catalogue):
    first = open_round(personas["province_approver"], tree["province"], units=[tree["commune"]])
    ReportingRound.objects.filter(pk=first.pk).update(closed_at=OPENED)
    assert open_round(personas["province_approver"], tree["province"], units=[tree["commune"]])


def test_a_round_by_level_that_includes_an_asked_unit_is_refused_until_allowed(
    personas, tree, catalogue
):
    open_round(personas["province_approver"], tree["province"], units=[tree["commune"]])
    with pytest.raises(ValidationError) as refused:
        open_round(personas["province_approver"], tree["province"], levels=[4])
    assert "allow_overlap" in refused.value.message_dict
    wider = open_round(
        personas["province_approver"], tree["province"], levels=[4], allow_overlap=True
    )
    assert wider.submissions.filter(unit=tree["commune"]).exists()
