import pytest

from binhdang.orgunits import queries
from binhdang.orgunits.models import Kind, OrgUnit

pytestmark = pytest.mark.django_db


def test_ancestors_and_subtree_are_single_queries(tree, django_assert_num_queries):
    commune = tree["commune"]
    with django_assert_num_queries(1):
        assert [u.code for u in commune.ancestors()] == ["VN", "P51"]
    with django_assert_num_queries(1):
        codes = set(OrgUnit.objects.subtree(tree["province"]).values_list("code", flat=True))
    assert commune.code in codes and tree["far_commune"].code not in codes
    assert commune.is_within(tree["province"]) and not commune.is_within(tree["other_province"])


def test_breadcrumb_runs_from_the_nation_down(tree):
    assert [u.code for u in queries.breadcrumb(tree["commune"])] == [
        "VN",
        "P51",
        tree["commune"].code,
    ]


def test_descendant_counts_by_kind(tree):
    counts = dict(queries.descendant_counts(tree["province"]))
    communes = tree["province"].children.live().filter(kind="commune").count()
    assert communes > 0
    assert counts[Kind.COMMUNE] == communes
    assert Kind.RURAL_DISTRICT not in counts  # districts ended in 2025


@pytest.mark.parametrize("text", ["Quang Ngai", "quảng ngãi", "QUANG NGÃI", "tinh quang ngai"])
def test_search_finds_with_or_without_diacritics(text):
    results = queries.search(OrgUnit.objects.all(), text)
    assert results[0].code == "P51"
    assert "LP51" in [u.code for u in results]  # the pre-2025 province, listed after


def test_search_respects_the_given_scope(tree):
    inside = queries.search(OrgUnit.objects.subtree(tree["province"]), tree["commune"].name)
    assert tree["commune"] in inside
    outside = queries.search(OrgUnit.objects.subtree(tree["other_province"]), "Quang Ngai")
    assert outside == []


def test_search_ignores_blank_text():
    assert queries.search(OrgUnit.objects.all(), "   ") == []
