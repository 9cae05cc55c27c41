"""Nobody sees or changes anything outside their subtree: by rule, by URL and by listing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from binhdang.accounts import permissions
from binhdang.accounts.models import OversightFunction, Role
from binhdang.conftest import make_user
from binhdang.indicators.services import record_value
from binhdang.orgunits.models import OrgUnit

from .oversight import grant, national_department

pytestmark = pytest.mark.django_db

TARGETS = [
    "commune",
    "neighbour",
    "province",
    "other_province",
    "far_commune",
    "ministry",
    "other_ministry",
    "nation",
    "legacy_province",
    "legacy_commune",
    "other_legacy_province",
]

# A unit's scope is its subtree and the subtrees of the units it was formed from in 2025.
PROVINCE_SCOPE = {"commune", "neighbour", "province", "legacy_province", "legacy_commune"}
SEES = {
    "commune_officer": {"commune", "legacy_commune"},
    "neighbour_officer": {"neighbour"},
    "province_viewer": PROVINCE_SCOPE,
    "province_approver": PROVINCE_SCOPE,
    "province_admin": PROVINCE_SCOPE,
    "ministry_officer": {"ministry"},
    "system_admin": set(TARGETS),
}
# Data officers and above change what they see; a viewer changes nothing.
CHANGES = {**SEES, "province_viewer": set()}
ADMINISTERS = {
    "province_admin": PROVINCE_SCOPE,
    "system_admin": set(TARGETS),
}

CASES = [(p, t) for p in SEES for t in TARGETS]


@pytest.mark.parametrize(("persona", "target"), CASES)
def test_rules(personas, tree, persona, target):
    user, unit = personas[persona], tree[target]
    assert permissions.can_view(user, unit) == (target in SEES[persona])
    assert permissions.can_edit(user, unit) == (target in CHANGES[persona])
    assert permissions.can_administer(user, unit) == (target in ADMINISTERS.get(persona, set()))
    assert permissions.visible_units(user).filter(pk=unit.pk).exists() == (target in SEES[persona])
    assert permissions.editable_units(user).filter(pk=unit.pk).exists() == (
        target in CHANGES[persona]
    )


@pytest.mark.parametrize(("persona", "target"), CASES)
def test_unit_pages_by_url(client, personas, tree, persona, target):
    client.force_login(personas[persona])
    unit = tree[target]
    expected = 200 if target in SEES[persona] else 404
    assert client.get(reverse("orgunits:detail", args=[unit.pk])).status_code == expected
    assert client.get(reverse("orgunits:history", args=[unit.pk])).status_code == expected


@pytest.mark.parametrize(("persona", "target"), CASES)
def test_changing_units_by_url(client, personas, tree, persona, target):
    client.force_login(personas[persona])
    unit = tree[target]
    url = reverse("orgunits:add_departments", args=[unit.pk])
    response = client.post(url, {"others": "Sở Kiểm Thử"})
    if target not in SEES[persona]:
        assert response.status_code == 404
    elif target not in ADMINISTERS.get(persona, set()):
        assert response.status_code == 403
    assert unit.children.filter(name="Sở Kiểm Thử").exists() == (response.status_code == 302)


@pytest.mark.parametrize("persona", list(SEES))
def test_search_lists_only_the_subtree(client, personas, tree, persona):
    client.force_login(personas[persona])
    for target in TARGETS:
        unit = tree[target]
        page = client.get(reverse("orgunits:search"), {"q": unit.name}).content.decode()
        link = f'href="{reverse("orgunits:detail", args=[unit.pk])}"'
        assert (link in page) == (target in SEES[persona]), (persona, target)


@pytest.mark.parametrize("persona", list(SEES))
def test_restrict_filters_any_unit_owned_queryset(personas, tree, persona):
    user = personas[persona]
    from binhdang.accounts.models import User

    owners = User.objects.filter(pk__in=[p.pk for p in personas.values()])
    seen = set(permissions.restrict(user, owners).values_list("unit_id", flat=True))
    for other in personas.values():
        visible = OrgUnit.objects.filter(pk=other.unit_id).first()
        assert (other.unit_id in seen) == permissions.can_view(user, visible)


def test_unit_in_scope_but_unknown_id_is_404(client, personas):
    client.force_login(personas["system_admin"])
    assert client.get("/units/999999999/").status_code == 404


def test_inactive_user_sees_nothing(personas, tree):
    user = personas["province_admin"]
    user.is_active = False
    assert not permissions.visible_units(user).exists()
    assert not permissions.can_view(user, tree["province"])


# Oversight beyond the subtree: the national gender-equality department, granted oversight of the
# nation, reads and inspects everywhere and changes nothing outside its own subtree.


@pytest.fixture
def overseers(personas, tree):
    department = national_department(tree)
    grant(personas["system_admin"], department, tree["nation"])
    return {
        "department_approver": make_user("vu_pheduyet", department, Role.APPROVER),
        "department_officer": make_user("vu_nhaplieu", department, Role.DATA_OFFICER),
    }


@pytest.mark.parametrize("persona", ["department_approver", "department_officer"])
@pytest.mark.parametrize("target", TARGETS)
def test_overseer_reads_and_inspects_but_never_changes(overseers, tree, persona, target):
    user, unit = overseers[persona], tree[target]
    assert permissions.can_read_reports(user, unit)
    assert permissions.may_inspect(user.unit, unit)
    assert permissions.oversees(user, unit, OversightFunction.FOLLOW_RECOMMENDATIONS)
    assert not permissions.can_view(user, unit)
    assert not permissions.can_edit(user, unit)
    assert not permissions.can_approve(user, unit)
    assert not permissions.can_review(user, unit)
    assert not permissions.can_administer(user, unit)
    assert not permissions.editable_units(user).filter(pk=unit.pk).exists()


@pytest.mark.parametrize("persona", ["department_approver", "department_officer"])
def test_overseer_cannot_edit_a_province_s_figures(client, overseers, tree, catalogue, persona):
    user = overseers[persona]
    with pytest.raises(PermissionDenied):
        record_value(user, catalogue["5.3"], tree["province"], 2025, value=1)
    client.force_login(user)
    for name in ("indicators:enter", "indicators:excel_import", "orgunits:add_departments"):
        response = client.post(reverse(name, args=[tree["province"].pk]), {})
        assert response.status_code in (403, 404), name
