"""No token reads or writes outside its user's scope: the permission matrix's personas and units
(accounts/tests/test_permission_matrix.py), through the API's endpoints."""

import contextlib

import pytest
from django.core.exceptions import ValidationError

from binhdang.accounts.tests.test_permission_matrix import CHANGES, SEES, TARGETS
from binhdang.indicators.models import DataValue
from binhdang.indicators.services import record_value

pytestmark = [pytest.mark.django_db, pytest.mark.security]


@pytest.fixture
def entered(personas, tree, catalogue):
    """A figure in every unit of the matrix that can hold one in 2025, entered as the system
    administrator."""
    for name in TARGETS:
        # A unit that did not exist in 2025 holds none: its refusal is skipped.
        with contextlib.suppress(ValidationError):
            record_value(
                personas["system_admin"],
                catalogue["2.1"],
                tree[name],
                2025,
                numerator=1,
                denominator=4,
            )


@pytest.mark.parametrize("persona", list(SEES))
def test_a_token_reads_exactly_its_user_s_scope(persona, personas, tree, entered, token_for):
    api = token_for(personas[persona])
    for target in TARGETS:
        unit = tree[target]
        expected = 200 if target in SEES[persona] else 404
        params = {"unit": unit.pk, "year": 2025}
        for url, query in (
            (f"/api/v1/units/{unit.pk}", {}),
            (f"/api/v1/units/{unit.pk}/lineage", {}),
            ("/api/v1/figures", params),
            ("/api/v1/figures/entries", params),
            ("/api/v1/units", {"unit": unit.pk}),
            ("/api/v1/reports/submissions", {"unit": unit.pk}),
            ("/api/v1/activities", {"unit": unit.pk}),
            ("/api/v1/committees", {"unit": unit.pk}),
        ):
            assert api.get(url, query).status_code == expected, (persona, target, url)
        # Searching by name lists the unit only inside the scope.
        found = api.get("/api/v1/units", {"q": unit.name, "limit": 500}).json()["items"]
        assert (unit.pk in {u["id"] for u in found}) == (target in SEES[persona]), target


@pytest.mark.parametrize("persona", list(SEES))
def test_lists_hold_only_what_the_scope_holds(persona, personas, tree, entered, token_for):
    api = token_for(personas[persona])
    seen = {tree[t].pk for t in SEES[persona]}
    hidden = {tree[t].pk for t in TARGETS} - seen
    listed = {u["id"] for u in api.get("/api/v1/units", {"limit": 500}).json()["items"]}
    assert not listed & hidden
    for target in SEES[persona]:
        rows = api.get("/api/v1/figures", {"unit": tree[target].pk, "year": 2025, "children": 1})
        assert not {row["unit_id"] for row in rows.json()["items"]} & hidden


@pytest.mark.parametrize("persona", list(SEES))
def test_a_token_writes_exactly_where_its_user_may(persona, personas, tree, catalogue, token_for):
    api = token_for(personas[persona])
    for target in TARGETS:
        unit = tree[target]
        before = DataValue.objects.filter(unit=unit).count()
        response = api.post(
            "/api/v1/figures/entries",
            {
                "unit": unit.pk,
                "year": 2025,
                "lines": [{"indicator": catalogue["2.1"].pk, "numerator": 2, "denominator": 5}],
            },
        )
        if target not in SEES[persona]:
            assert response.status_code == 404, (persona, target)
        elif target not in CHANGES[persona]:
            assert response.status_code == 403, (persona, target)
        else:
            assert response.status_code in (200, 422), (persona, target, response.content)
        if response.status_code != 200:
            assert DataValue.objects.filter(unit=unit).count() == before, (persona, target)
