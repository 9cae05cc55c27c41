"""An activity's counts and cost typed the Vietnamese way: 45.000.000 đồng is 45 million."""

import pytest
from django.urls import reverse

from binhdang.activities.models import Activity

from .test_pages import form_data

pytestmark = pytest.mark.django_db


def test_a_cost_of_45_000_000_is_stored_as_written_and_shown_back(client, personas, tree):
    client.force_login(personas["commune_officer"])
    response = client.post(
        reverse("activities:create", args=[tree["commune"].pk]),
        form_data(tree["commune"], cost="45.000.000", participants="1.250", women="800"),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.cost, activity.participants, activity.women) == (45_000_000, 1250, 800)
    page = client.get(reverse("activities:edit", args=[activity.pk])).content.decode()
    assert 'value="45.000.000"' in page and 'value="1.250"' in page


def test_an_english_style_cost_is_refused_not_misread(client, personas, tree):
    client.force_login(personas["commune_officer"])
    response = client.post(
        reverse("activities:create", args=[tree["commune"].pk]),
        form_data(tree["commune"], cost="45,000,000"),
    )
    assert response.status_code == 200
    assert "Không đọc được “45,000,000” là một số" in response.content.decode()
    assert not Activity.objects.exists()
