"""Many units' subtrees at once (`subtree_ids`, `OrgUnitQuerySet.subtrees`): the same units
whichever way they are found, for a few units (paths in SQL) or thousands (one read below the
common ancestor)."""

import pytest
from django.db.models import Q
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from binhdang.orgunits.models import OR_ED_PATHS, OrgUnit, common_path, path_lines, subtree_ids

pytestmark = pytest.mark.django_db


def _by_paths(units) -> set[int]:
    condition = Q(pk__in=[])
    for unit in units:
        condition |= Q(path__startswith=unit.path)
    return set(OrgUnit.objects.filter(condition).values_list("pk", flat=True))


def test_every_commune_of_the_nation_is_its_own_subtree():
    communes = list(OrgUnit.objects.filter(kind="commune").live())
    assert len(communes) > OR_ED_PATHS
    assert sorted(subtree_ids(communes)) == sorted(u.pk for u in communes)


def test_provinces_and_a_commune_inside_one_of_them():
    provinces = list(OrgUnit.objects.filter(depth=1).order_by("code"))
    inside = OrgUnit.objects.get(code="P51").children.first()
    units = [*provinces, inside]
    assert len(units) > OR_ED_PATHS
    found = subtree_ids(units)
    assert len(found) == len(set(found))  # a unit under two of them comes back once
    assert set(found) == _by_paths(units)
    assert set(OrgUnit.objects.subtrees(units).values_list("pk", flat=True)) == set(found)


def test_common_path():
    assert common_path(["/1/35/1234/", "/1/35/99/", "/1/35/"]) == "/1/35/"
    assert common_path(["/1/35/1234/", "/1/36/"]) == "/1/"
    assert common_path(["/1/35/"]) == "/1/35/"
    assert common_path([]) == ""
    assert common_path(["/1/3/", "/1/35/"]) == "/1/"  # "/1/3" is not above "/1/35/"


class SubtreesOfAnySelection(TestCase):
    @given(st.data())
    def test_the_same_units_as_their_paths_in_sql(self, data):
        everyone = list(OrgUnit.objects.order_by("pk").only("pk", "path"))
        units = data.draw(st.lists(st.sampled_from(everyone), max_size=120))
        found = subtree_ids(units)
        assert set(found) == _by_paths(units)
        assert len(found) == len(set(found))


def test_path_lines_run_from_the_root():
    assert path_lines("/1/35/1234/") == ("/1/", "/1/35/", "/1/35/1234/")
