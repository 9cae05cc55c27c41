"""The roll-up invariant, over random trees and random entries: the root's numerator and
denominator are the sums over the counted units, each counted once (a unit's own figure stands
for its subtree, or, for targets computed from lower units, the lowest answers count first)."""

import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binhdang.indicators import sums
from binhdang.indicators.models import DataValue
from binhdang.indicators.rollup import Rule, deepest_first, rollup, rollup_children
from binhdang.orgunits.models import Kind, OrgUnit

pytestmark = pytest.mark.django_db

_codes = itertools.count()

# A tree: provinces, each with communes directly below it and districts with their communes.
district = st.integers(0, 3)  # its communes
province = st.tuples(st.integers(0, 3), st.lists(district, max_size=3))
trees = st.lists(province, min_size=1, max_size=3)
entry = st.none() | st.integers(1, 1000).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d)))


def _unit(kind: str, parent: OrgUnit | None) -> OrgUnit:
    number = next(_codes)
    unit = OrgUnit(code=f"HYP{number}", name=f"Đơn vị {number}", kind=kind, parent=parent)
    unit.save()
    return unit


def _build(shape) -> tuple[OrgUnit, list[OrgUnit]]:
    root = _unit(Kind.NATION, None)
    units = [root]
    for communes, districts in shape:
        prov = _unit(Kind.PROVINCE, root)
        units.append(prov)
        units += [_unit(Kind.COMMUNE, prov) for _ in range(communes)]
        for commune_count in districts:
            dist = _unit(Kind.RURAL_DISTRICT, prov)
            units.append(dist)
            units += [_unit(Kind.COMMUNE, dist) for _ in range(commune_count)]
    return root, units


def _counted(entries: dict, deepest: bool) -> list:
    """The units whose entries count, by the rule's definition (not the platform's code)."""
    paths = [u.path for u in entries]
    if deepest:
        return [u for u in entries if not any(p != u.path and p.startswith(u.path) for p in paths)]
    return [u for u in entries if not any(p != u.path and u.path.startswith(p) for p in paths)]


# Top-most entries; lowest answers first; judged per level (its total keeps the usual rule).
@pytest.mark.parametrize("number", ["2.1", "4.4", "1.1"])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=trees, data=st.data())
def test_the_root_is_the_sum_of_the_counted_units_each_once(catalogue, number, shape, data):
    indicator = catalogue[number]
    with transaction.atomic():
        root, units = _build(shape)
        drawn = data.draw(st.lists(entry, min_size=len(units), max_size=len(units)))
        entries = {unit: figure for unit, figure in zip(units, drawn, strict=True) if figure}
        DataValue.objects.bulk_create(
            DataValue(
                indicator=indicator, unit=unit, year=2026, numerator=n, denominator=d, value=0
            )
            for unit, (n, d) in entries.items()
        )
        sums.rebuild()  # written around the services: the roll-up's sums recomputed
        counted = _counted(entries, deepest_first(indicator))
        figure = rollup(indicator, root, 2026)

        assert figure.entries == len(counted)  # no unit counted twice
        if counted:
            assert figure.numerator == sum(entries[u][0] for u in counted)
            assert figure.denominator == sum(entries[u][1] for u in counted)
        else:
            assert figure.numerator is None and figure.provenance.rule == Rule.NONE

        explained = figure.provenance
        below = [u for u in entries if u != root]
        assert sum(c.entered for c in explained.coverage) == len(below)
        assert all(c.entered <= c.expected_units.by_level[c.level] for c in explained.coverage)
        if explained.rule == Rule.OWN:
            assert counted == [root]
        elif counted:
            assert explained.counted == len(counted) and root not in counted

        # The sub-units' figures add up to the sub-units' figure shown beside the root's own.
        children = rollup_children(indicator, root, 2026)
        if below:
            assert explained.below.numerator == sum(c.numerator for c in children.values())
            assert explained.below.denominator == sum(c.denominator for c in children.values())
            assert explained.below.entries == sum(c.entries for c in children.values())
        else:
            assert explained.below is None and not children
        transaction.set_rollback(True)
