"""The sub-units' sums the roll-up reads (decision 82): after any sequence of writes through the
services they equal the sums recomputed from the values, and the roll-up read from them is the
roll-up read from every value, figure for figure, verdict for verdict, provenance included."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.indicators import queries, revision, rollup, sums
from binhdang.indicators.loading import load_catalogue
from binhdang.indicators.models import DataValue, Framework, Indicator, SubunitSum
from binhdang.indicators.services import (
    Entry,
    Line,
    record_value,
    record_values,
    record_values_bulk,
)
from binhdang.indicators.tests.test_bulk_and_speed_paths import (  # noqa: F401 (fixtures)
    _fill_randomly,
    count_indicator,
    sample,
)
from binhdang.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db

# A share, a ratio, a count and a milestone; 1.1 is answered yes/no by communes, held per level
# above them; 6.1 is broken down by sex.
NUMBERS = ["2.1", "4.1", "1.1", "5.3", "6.1"]
UNITS = [
    "nation",
    "province",
    "commune",
    "neighbour",
    "far_commune",
    "ministry",
    "other_province",
    "legacy_province",  # its communes lie under districts: a level between them (until 2025)
    "legacy_commune",
]
YEARS = [2025, 2026]


def stored() -> dict:
    """The sums as kept, without the empty ones."""
    return {
        (s.indicator_id, s.year, s.category, s.parent_id, s.level): (
            s.entries,
            s.numerator,
            s.denominator,
            s.value,
        )
        for s in SubunitSum.objects.all()
        if s.entries
    }


def described(rows) -> list:
    """What a page shows of the rows: figures, targets, verdicts, breakdowns, level lines and
    provenance (rule, units counted, coverage per level, precedence)."""

    def figure(f):
        p = f.provenance
        return (
            f.numerator,
            f.denominator,
            f.value,
            f.entries,
            p and (p.rule, p.counted, [(c.level, c.entered) for c in p.coverage], p.precedence),
            p and p.own,
            p and p.below,
            [(line.level, figure(line.figure), line.verdict) for line in f.levels],
        )

    return [
        (
            row.indicator.pk,
            figure(row.figure),
            row.target and row.target.pk,
            row.verdict,
            [(part.category, figure(part.figure)) for part in row.parts],
        )
        for row in rows
    ]


def figures_of(rows) -> list:
    """The figures of the rows, their verdicts, level lines and breakdowns (not the provenance:
    several units' rows do not count the units expected below each)."""

    def figure(f):
        return (f.numerator, f.denominator, f.value, f.entries)

    return [
        (
            row.indicator.pk,
            figure(row.figure),
            row.verdict,
            [(line.level, figure(line.figure), line.verdict) for line in row.figure.levels],
            [(part.category, figure(part.figure)) for part in row.parts],
        )
        for row in rows
    ]


def assert_same_rollups(units, years, indicators):
    framework = Framework.objects.get()
    for unit in units:
        for year in years:
            from_sums = queries.unit_overview(framework, unit, year)
            with rollup.from_values():
                from_values = queries.unit_overview(framework, unit, year)
            assert described(from_sums) == described(from_values)
            assert queries.summary(from_sums) == queries.summary(from_values)
    for year in years:
        # One unit's rows are read in one pass for totals and breakdowns; several units' rows
        # by another path (`rollup_years`, one read per category, `level_lines_many`): the
        # same figures and verdicts either way.
        every = queries.framework_indicators(framework)
        together = queries.figure_rows(every, units, year)
        for unit in units:
            alone = queries.figure_rows(every, [unit], year)[unit.pk]
            assert figures_of(together[unit.pk]) == figures_of(alone)
    for unit in units:
        for year in years:
            for indicator in indicators:
                children = rollup.rollup_children(indicator, unit, year)
                with rollup.from_values():
                    assert children == rollup.rollup_children(indicator, unit, year)


def _figures(indicator: Indicator, unit: OrgUnit, draw) -> dict:
    if indicator.asks_yes_no(unit):
        if indicator.measure == "milestone":
            return {"value": draw(st.integers(0, 1))}
        return {"numerator": draw(st.integers(0, 1)), "denominator": 1}
    if indicator.measure == "count":
        return {"value": draw(st.integers(0, 10**6))}
    denominator = draw(st.integers(1, 3000))
    # Quarters and thirds: the derived value is rounded when stored, as the sums must know.
    numerator = Decimal(draw(st.integers(0, denominator * 4))) / 4
    return {"numerator": numerator, "denominator": denominator}


write = st.tuples(
    st.sampled_from(["one", "bulk", "form"]),
    st.sampled_from(UNITS),
    st.sampled_from(NUMBERS),
    st.sampled_from(YEARS),
    st.sampled_from(["", "sex:female", "sex:male", "level:province", "level:commune"]),
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=st.lists(write, min_size=1, max_size=10), data=st.data())
def test_after_any_writes_the_sums_are_the_values_sums_and_the_rollups_agree(
    catalogue, personas, tree, writes, data
):
    actor = personas["system_admin"]
    with transaction.atomic():
        for kind, unit_name, number, year, category in writes:
            unit, indicator = tree[unit_name], catalogue[number]
            figures = _figures(indicator, unit, data.draw)
            try:
                if kind == "one":
                    record_value(
                        actor, indicator, unit, year, category=category, note="Kiểm tra", **figures
                    )
                elif kind == "form":
                    line = Line(indicator, {**figures, "note": "Kiểm tra"}, category=category)
                    record_values(actor, unit, year, [line])
                else:  # an upload of the same figure for the unit and its neighbour
                    record_values_bulk(
                        actor,
                        [
                            Entry(indicator, u, year, category=category, note="Tải lên", **figures)
                            for u in (unit, tree["neighbour"])
                        ],
                    )
            except ValidationError:
                pass  # refused by the rules: nothing written, nothing added
        kept = stored()
        sums.rebuild()
        assert kept == stored()
        assert_same_rollups(
            [tree[name] for name in ("nation", "province", "legacy_province", "commune")],
            YEARS,
            [catalogue[n] for n in NUMBERS],
        )
        transaction.set_rollback(True)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_rollups_from_the_sums_are_those_from_every_value(
    catalogue,
    personas,
    tree,
    sample,  # noqa: F811 (the fixture imported above)
    count_indicator,  # noqa: F811
    seed,
):
    """On the speed tests' random data at every level (both maps, every category): every
    figure, verdict, "k/19 met" summary and provenance the same whichever way it is read."""
    _fill_randomly(seed, list(catalogue.values()), sample)
    units = [tree["nation"], tree["legacy_province"], tree["province"], tree["ministry"]]
    units += sample[2026][:3]
    assert_same_rollups(units, [2023, 2026], list(catalogue.values()))


def test_an_own_figure_above_a_level_without_entries_still_hides_the_communes_below(
    catalogue, personas, tree
):
    """A pre-2025 province's own figure, its districts without any, its communes with theirs:
    the nation counts the province's figure, not the communes' as well."""
    actor, share = personas["system_admin"], catalogue["2.1"]
    record_value(actor, share, tree["legacy_province"], 2024, numerator=30, denominator=100)
    record_value(actor, share, tree["legacy_commune"], 2024, numerator=1, denominator=2)
    figure = rollup.rollup(share, tree["nation"], 2024)
    assert (figure.numerator, figure.denominator, figure.entries) == (30, 100, 1)
    with rollup.from_values():
        assert rollup.rollup(share, tree["nation"], 2024) == figure


def test_a_derived_value_is_kept_as_its_column_keeps_it_so_the_sums_match_a_rebuild(
    catalogue, personas, tree
):
    """A share's value is rounded to 4 decimals half away from zero when computed, on every
    database: SQLite would otherwise keep 14 digits, and the sums kept at each save would differ
    from the sums of the stored values in the 4th decimal (found by the property above)."""
    actor, share = personas["system_admin"], catalogue["2.1"]
    assert share.multiplier == 100
    # 1 / 2,000,000 × 100 = 0.00005 exactly: half away from zero gives 0.0001 (half to even, 0).
    record_value(actor, share, tree["commune"], 2026, numerator=1, denominator=2_000_000)
    record_value(actor, share, tree["neighbour"], 2026, numerator=1, denominator=3)
    stored_values = sorted(
        DataValue.objects.filter(indicator=share, year=2026).values_list("value", flat=True)
    )
    assert stored_values == [Decimal("0.0001"), Decimal("33.3333")]
    kept = stored()
    sums.rebuild()
    assert kept == stored()
    assert SubunitSum.objects.get(indicator=share, year=2026, category="").value == Decimal(
        "33.3334"
    )


def test_writes_around_the_services_are_caught_up_by_the_rebuild_command(catalogue, personas, tree):
    share = catalogue["2.1"]
    record_value(
        personas["system_admin"], share, tree["commune"], 2026, numerator=3, denominator=10
    )
    DataValue.objects.filter(unit=tree["commune"]).update(numerator=5)  # a hand-made fix
    assert rollup.rollup(share, tree["province"], 2026).numerator == 3
    call_command("rebuild_rollup", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert rollup.rollup(share, tree["province"], 2026).numerator == 5
    with rollup.from_values():
        assert rollup.rollup(share, tree["province"], 2026).numerator == 5


def test_a_rebuild_moves_the_figures_revision_on(catalogue, tree):
    """Series cached under the revision (forecasts, at-risk panels) are read again after figures
    written outside the services are caught up."""
    DataValue.objects.create(
        indicator=catalogue["2.1"], unit=tree["commune"], year=2026, numerator=1, denominator=2
    )
    before = revision.fingerprint("default")
    sums.rebuild()
    assert revision.fingerprint("default") != before


def test_a_bulk_save_adds_each_unit_once_and_a_correction_replaces_its_figure(
    catalogue, personas, tree
):
    actor, share = personas["system_admin"], catalogue["2.1"]
    communes = [tree["commune"], tree["neighbour"]]
    record_values_bulk(actor, [Entry(share, c, 2026, numerator=1, denominator=4) for c in communes])
    record_value(actor, share, tree["commune"], 2026, numerator="2,5", denominator="4")
    [kept] = SubunitSum.objects.filter(indicator=share, year=2026, category="")
    assert kept.parent_id == tree["province"].pk
    assert (kept.entries, kept.numerator, kept.denominator) == (2, Decimal("3.5"), 8)
    assert kept.value == Decimal("87.5")  # 62.5 % + 25 %, each as stored


@pytest.mark.django_db(transaction=True)
def test_two_transactions_adding_to_one_sum_both_count(live_map):
    """Two communes of one province saving at the same moment (PostgreSQL): the second upsert
    waits for the first transaction and adds to what it committed; nothing is lost."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite writes one transaction at a time")
    load_catalogue()
    province = OrgUnit.objects.get(code="P51")
    first_commune, second_commune = province.children.live().filter(level=4)[:2]
    officer = make_user("tinh.so.lieu", province, Role.DATA_OFFICER)
    share = Indicator.objects.get(number="2.1", owner_unit=None)
    wrote = threading.Event()

    def first():
        try:
            with transaction.atomic():
                record_value(officer, share, first_commune, 2025, numerator=3, denominator=10)
                wrote.set()
                threading.Event().wait(1.0)  # hold the sum's row while the second one adds
        finally:
            connection.close()

    def second():
        try:
            wrote.wait(10)
            record_values_bulk(
                officer, [Entry(share, second_commune, 2025, numerator=4, denominator=20)]
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    kept = SubunitSum.objects.get(indicator=share, year=2025, category="", parent=province)
    assert (kept.entries, kept.numerator, kept.denominator) == (2, 7, 30)
    assert rollup.rollup(share, province, 2025).numerator == 7
