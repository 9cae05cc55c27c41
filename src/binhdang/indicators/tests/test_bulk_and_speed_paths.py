"""The fast paths give the same answers as the plain ones.

- The grouped roll-up (`rollup_many`, and `rollup`/`rollup_children` built on it) counts exactly
  the entries that the row-by-row pass (`_counted` over every row of the subtree) counts, across
  three levels, for computed targets and for breakdowns; a unit's overview takes a fixed number
  of queries and still shows a value the moment it is entered.
- The bulk save of uploads refuses everything `record_value` refuses, with the same message,
  writes nothing when anything is refused, behaves as if the entries were saved one after the
  other, and leaves one summary entry per unit in the history.
"""

import random
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from binhdang.core.audit import unit_history
from binhdang.indicators import queries, sums
from binhdang.indicators.models import DataValue, Framework, Indicator, Measure, Target
from binhdang.indicators.rollup import (
    RollUp,
    _combine,
    _counted,
    deepest_first,
    rollup,
    rollup_children,
    rollup_many,
    rollup_years,
    subtree_rows,
)
from binhdang.indicators.services import (
    EntriesRefused,
    Entry,
    lock_year,
    record_value,
    record_values_bulk,
    set_target,
)
from binhdang.orgunits.models import REFORM_DATE, Kind, Level, OrgUnit

pytestmark = pytest.mark.django_db

CATEGORIES = ("", "sex:female", "sex:male")


# The plain algorithms, as they were before the grouped query: the reference.


def _plain_rollup(indicator, unit, year, category=""):
    rows = subtree_rows(indicator, unit, year, category)
    return _combine(indicator, _counted(rows, deepest=deepest_first(indicator)))


def _plain_children(indicator, unit, year, category=""):
    by_child = {}
    for row in subtree_rows(indicator, unit, year, category):
        if row.unit_id == unit.pk:
            continue
        child = int(row.unit.path.strip("/").split("/")[unit.depth + 1])
        by_child.setdefault(child, []).append(row)
    return {
        child: _combine(indicator, _counted(rows, deepest=deepest_first(indicator)))
        for child, rows in by_child.items()
    }


def _plain_target(indicator, unit, year):
    own_line = [*unit.ancestor_ids(), unit.pk]
    candidates = Target.objects.filter(indicator=indicator, year__gte=year).filter(
        Q(unit__isnull=True) | Q(unit_id__in=own_line)
    )
    ranked = sorted(
        candidates.select_related("unit"),
        key=lambda t: (t.unit is None, -(t.unit.depth if t.unit else 0), t.year),
    )
    return ranked[0] if ranked else None


def _department(parent, code, kind=Kind.PROVINCIAL_DEPARTMENT, **extra):
    return OrgUnit.objects.create(
        code=code, name=f"Sở thử {code}", kind=kind, parent=parent, **extra
    )


@pytest.fixture
def count_indicator(tree):
    """A local count indicator of the nation, broken down by sex."""
    return Indicator.objects.create(
        code="VN.TEST1",
        number="T1",
        owner_unit=tree["nation"],
        name_vi="Số người tham gia tập huấn",
        measure=Measure.COUNT,
        direction="higher",
        disaggregations="sex",
    )


@pytest.fixture
def sample(tree):
    """Units on three levels of both maps, departments included."""
    legacy = tree["legacy_province"]
    districts = list(OrgUnit.objects.filter(parent=legacy, level=Level.DISTRICT).order_by("path"))
    old_communes = [
        c for d in districts[:2] for c in OrgUnit.objects.filter(parent=d).order_by("path")[:3]
    ]
    new_communes = list(tree["province"].children.filter(level=Level.COMMUNE).order_by("path")[:5])
    far = list(tree["other_province"].children.filter(level=Level.COMMUNE).order_by("path")[:3])
    department = _department(tree["province"], "P51.S1", valid_from=REFORM_DATE)
    ministry_department = _department(tree["ministry"], "BNV.V1", kind=Kind.CENTRAL_DEPARTMENT)
    return {
        2023: [
            tree["nation"],
            legacy,
            *districts[:2],
            *old_communes,
            tree["other_legacy_province"],
            tree["ministry"],
            ministry_department,
        ],
        2026: [
            tree["nation"],
            tree["province"],
            *new_communes,
            department,
            tree["other_province"],
            *far,
            tree["ministry"],
            ministry_department,
        ],
    }


def _fill_randomly(seed, indicators, sample):
    """Entries at every level, some missing, for both years and every category."""
    chance = random.Random(seed)
    rows = []
    for year, units in sample.items():
        for unit in units:
            for indicator in indicators:
                for category in CATEGORIES:
                    if chance.random() < 0.45:
                        continue
                    row = DataValue(indicator=indicator, unit=unit, year=year, category=category)
                    if indicator.measure == Measure.MILESTONE:
                        row.value = Decimal(chance.randint(0, 1))
                    elif indicator.measure == Measure.COUNT:
                        row.value = Decimal(chance.randint(0, 900))
                    else:
                        row.numerator = Decimal(chance.randint(0, 400)) / 4
                        row.denominator = row.numerator + chance.randint(1, 300)
                        row.value = row.numerator / row.denominator * indicator.multiplier
                    rows.append(row)
    DataValue.objects.bulk_create(rows)
    sums.rebuild()  # written around the services: the roll-up's sums recomputed


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_grouped_rollup_counts_what_the_row_by_row_pass_counts(
    catalogue, tree, sample, count_indicator, seed
):
    # A share (top-most), a computed target (deepest), a ratio, a rate, a milestone, a count.
    indicators = [catalogue[n] for n in ("2.1", "1.1", "4.1", "4.2", "5.3")] + [count_indicator]
    assert catalogue["1.1"].computed_from_children and not catalogue["2.1"].computed_from_children
    _fill_randomly(seed, indicators, sample)
    checked = 0
    for year, units in sample.items():
        for unit in units:
            for category in CATEGORIES:
                many = rollup_many(indicators, unit, year, category)
                for indicator in indicators:
                    expected = _plain_rollup(indicator, unit, year, category)
                    assert many[indicator.pk] == expected, (indicator.number, unit.code, year)
                    assert rollup(indicator, unit, year, category) == expected
                    assert rollup_children(indicator, unit, year, category) == _plain_children(
                        indicator, unit, year, category
                    )
                    checked += expected.entries > 1
    assert checked > 30  # the comparison covered real roll-ups, not only empty ones


@pytest.mark.parametrize("seed", [5, 6])
def test_figures_over_years_give_each_unit_its_own_figure(
    catalogue, tree, sample, count_indicator, seed
):
    """`rollup_years` (the forecasts' read): a unit, units inside it and units beside it, in
    one query, each with the figure `rollup` gives it."""
    indicators = [catalogue[n] for n in ("2.1", "1.1", "4.1", "5.3")] + [count_indicator]
    _fill_randomly(seed, indicators, sample)
    units = list({u.pk: u for year_units in sample.values() for u in year_units}.values())
    small = [u for u in units if u.level not in (Level.NATION, Level.CENTRAL)]
    # The whole tree is read by paths; a few provinces' subtrees by the list of their units.
    for asked in (units, small):
        figures = rollup_years(indicators, asked, (2023, 2026))
        for unit in asked:
            for indicator in indicators:
                for year in (2023, 2026):
                    expected = _plain_rollup(indicator, unit, year)
                    got = figures.get((unit.pk, indicator.pk, year))
                    assert (got or RollUp(None, None, None, 0)) == expected, (unit.code, year)
    assert rollup_years(indicators, [], (2026,)) == {}


def test_three_levels_and_a_computed_target_by_hand(catalogue, personas, tree, sample):
    """The pre-2025 province, a district, its communes: the same numbers either way."""
    wage, leaders = catalogue["2.1"], catalogue["4.4"]  # 4.4: the lowest answers count first
    district = sample[2023][2]
    communes = list(OrgUnit.objects.filter(parent=district).order_by("path")[:3])
    admin = personas["system_admin"]
    for commune, (num, den) in zip(communes, [(9, 13), (4, 13), (1, 3)], strict=True):
        record_value(admin, wage, commune, 2023, numerator=num, denominator=den)
    record_value(admin, wage, district, 2023, numerator=50, denominator=100)  # stands for all
    for commune, answer in zip(communes, (1, 0, 1), strict=True):
        record_value(admin, leaders, commune, 2023, numerator=answer, denominator=1)
    record_value(admin, leaders, district, 2023, numerator=7, denominator=9)  # communes first
    record_value(admin, leaders, tree["legacy_province"], 2023, numerator=60, denominator=80)
    province = tree["legacy_province"]
    figures = rollup_many([wage, leaders], province, 2023)
    assert (figures[wage.pk].numerator, figures[wage.pk].denominator) == (50, 100)
    assert (figures[leaders.pk].numerator, figures[leaders.pk].denominator) == (2, 3)
    by_district = rollup_children(leaders, province, 2023)
    assert by_district[district.pk].value == Decimal(2) / 3 * 100
    for indicator in (wage, leaders):
        for unit in (tree["nation"], province, district, *communes):
            assert rollup(indicator, unit, 2023) == _plain_rollup(indicator, unit, 2023)


def test_overview_takes_a_fixed_number_of_queries_and_matches_the_plain_path(
    catalogue, personas, tree, sample, count_indicator, django_assert_max_num_queries
):
    framework = Framework.objects.get()
    _fill_randomly(7, list(catalogue.values()), sample)
    set_target(
        personas["province_approver"],
        catalogue["2.1"],
        year=2030,
        value=Decimal(55),
        comparator=">=",
        unit=tree["province"],
    )
    # The indicators, the totals, the targets, and the breakdowns (women, men, urban, rural),
    # each of the two read from the sub-units' sums, then the entries above them (decision 82):
    # a fixed number whatever the subtree and the breakdowns asked.
    for unit in (tree["nation"], tree["province"], sample[2026][2], tree["ministry"]):
        with django_assert_max_num_queries(6):
            rows = queries.unit_overview(framework, unit, 2026)
            # The template reads these; they must not cost a query each.
            [(r.indicator.objective.number, r.target and r.target.unit) for r in rows]
        assert [r.indicator.number for r in rows] == sorted(
            (i.number for i in catalogue.values()),
            key=lambda n: (catalogue[n].objective.number, n),
        )
        for row in rows:
            assert row.figure == _plain_rollup(row.indicator, unit, 2026)
            assert row.target == _plain_target(row.indicator, unit, 2026)
    wage = next(
        r
        for r in queries.unit_overview(framework, tree["province"], 2026)
        if r.indicator.number == "2.1"
    )
    assert wage.target.unit == tree["province"]  # the province's own target wins
    assert queries.applicable_target(catalogue["2.1"], tree["nation"], 2026).unit is None


def test_a_value_entered_is_in_every_superiors_overview_at_once(catalogue, personas, tree):
    framework = Framework.objects.get()

    def leaders(unit):
        row = next(
            r for r in queries.unit_overview(framework, unit, 2026) if r.indicator.number == "1.1"
        )
        return row.figure

    assert leaders(tree["nation"]).entries == 0
    record_value(
        personas["commune_officer"],
        catalogue["1.1"],
        tree["commune"],
        2026,
        numerator=1,
        denominator=1,
    )
    for unit in (tree["commune"], tree["province"], tree["nation"]):
        assert (leaders(unit).numerator, leaders(unit).denominator) == (1, 1)


# The bulk save.


def _refusal(call) -> list[str]:
    try:
        call()
    except PermissionDenied as error:
        return [str(error)]
    except ValidationError as error:
        return error.messages
    raise AssertionError("not refused")


HALF = {"numerator": 1, "denominator": 2}
CASES = {
    "outside scope": ("neighbour_officer", "2.1", "commune", 2026, HALF),
    "viewer": ("province_viewer", "2.1", "commune", 2026, HALF),
    "year after the strategy": ("system_admin", "2.1", "commune", 2031, HALF),
    "unit did not exist yet": ("system_admin", "2.1", "commune", 2023, HALF),
    "unit no longer existed": ("system_admin", "2.1", "legacy_commune", 2026, HALF),
    "locked year": ("system_admin", "2.1", "commune", 2025, HALF),
    "local indicator of another unit": ("system_admin", "local", "far_commune", 2026, {"value": 3}),
    "no such breakdown": (
        "system_admin",
        "2.1",
        "commune",
        2026,
        {**HALF, "category": "sex:female"},
    ),
    "numerator over denominator": (
        "system_admin",
        "2.1",
        "commune",
        2026,
        {"numerator": 11, "denominator": 10},
    ),
    "negative": ("system_admin", "2.1", "commune", 2026, {"numerator": -1, "denominator": 10}),
    "text": ("system_admin", "2.1", "commune", 2026, {"numerator": "mười", "denominator": 10}),
    "zero denominator": (
        "system_admin",
        "2.1",
        "commune",
        2026,
        {"numerator": 1, "denominator": 0},
    ),
    "missing denominator": ("system_admin", "2.1", "commune", 2026, {"numerator": 1}),
    "milestone not yes or no": ("system_admin", "5.3", "province", 2026, {"value": 2}),
    "count not whole": ("system_admin", "count", "commune", 2026, {"value": "2,5"}),
    "count missing": ("system_admin", "count", "commune", 2026, {}),
    "sharp change without a note": (
        "system_admin",
        "2.1",
        "neighbour",
        2026,
        {"numerator": 90, "denominator": 100},
    ),
    "breakdown over the total": (
        "system_admin",
        "5.1",
        "neighbour",
        2026,
        {"numerator": 60, "denominator": 70, "category": "sex:female"},
    ),
}


@pytest.fixture
def situation(catalogue, personas, tree, count_indicator):
    """Stored figures the rules compare with, a lock, and a local indicator of P51."""
    admin = personas["system_admin"]
    record_value(admin, catalogue["2.1"], tree["neighbour"], 2025, numerator=30, denominator=100)
    record_value(admin, catalogue["5.1"], tree["neighbour"], 2026, numerator=50, denominator=100)
    lock_year(admin, tree["commune"], 2025, "Báo cáo đã tiếp nhận")
    local = Indicator.objects.create(
        code="P51.L1",
        number="L1",
        owner_unit=tree["province"],
        name_vi="Chỉ tiêu riêng của tỉnh",
        measure=Measure.COUNT,
        direction="higher",
    )
    return {**catalogue, "local": local, "count": count_indicator}


@pytest.mark.parametrize("case", CASES)
def test_every_refusal_of_record_value_is_a_refusal_of_the_bulk_save(
    personas, tree, situation, case
):
    persona, number, unit, year, fields = CASES[case]
    actor, indicator = personas[persona], situation[number]
    expected = _refusal(lambda: record_value(actor, indicator, tree[unit], year, **fields))
    before = DataValue.objects.count()
    logged = LogEntry.objects.count()
    # A valid entry before and after the bad one: nothing is written at all.
    good = {"indicator": situation["2.1"], "numerator": 1, "denominator": 4}
    entries = [
        Entry(unit=tree["commune"], year=2026, ref=2, **good),
        Entry(indicator, tree[unit], year, ref=3, **fields),
        Entry(unit=tree["commune"], year=2027, ref=4, **good),
    ]
    if persona != "system_admin":  # the good entries must be the actor's to enter
        entries = [entries[1]]
    with pytest.raises(EntriesRefused) as refused:
        record_values_bulk(actor, entries, origin="Excel")
    assert [(e.ref, message) for e, message in refused.value.problems] == [
        (3, message) for message in expected
    ]
    assert refused.value.messages == expected  # also a plain ValidationError
    assert DataValue.objects.count() == before
    assert LogEntry.objects.count() == logged


def test_bulk_save_lists_every_bad_entry_in_order(personas, tree, situation):
    admin = personas["system_admin"]
    entries = [
        Entry(situation["2.1"], tree["commune"], 2026, numerator=11, denominator=10, ref=5),
        Entry(situation["2.1"], tree["commune"], 2025, numerator=1, denominator=10, ref=6),
        Entry(situation["2.1"], tree["commune"], 2027, numerator=1, denominator=10, ref=7),
        Entry(situation["2.2"], tree["commune"], 2025, numerator=1, denominator=10, ref=8),
    ]
    with pytest.raises(EntriesRefused) as refused:
        record_values_bulk(admin, entries)
    assert [e.ref for e, _message in refused.value.problems] == [5, 6, 8]
    assert "khóa" in refused.value.problems[1][1]  # the lock, named for each of its entries
    assert not DataValue.objects.filter(unit=tree["commune"]).exists()


def test_bulk_save_behaves_like_saving_one_entry_after_the_other(personas, tree, situation):
    admin, commune = personas["system_admin"], tree["commune"]
    wage, schooling = situation["2.1"], situation["5.1"]
    # Last year's figure in the same upload is the one a sharp change is measured against...
    saved = record_values_bulk(
        admin,
        [
            Entry(wage, commune, 2026, numerator=20, denominator=100),
            Entry(wage, commune, 2027, numerator=25, denominator=100),
            # ...the total and its parts are checked together...
            Entry(schooling, commune, 2026, numerator=50, denominator=100),
            Entry(schooling, commune, 2026, numerator=20, denominator=40, category="sex:female"),
            Entry(schooling, commune, 2026, numerator=30, denominator=60, category="sex:male"),
            # ...and a cell given twice keeps its last value.
            Entry(wage, commune, 2028, numerator=30, denominator=100),
            Entry(wage, commune, 2028, numerator=26, denominator=100, note="Sửa lại"),
        ],
    )
    assert saved == 7
    stored = {
        (v.indicator.number, v.year, v.category): (v.numerator, v.denominator, v.note)
        for v in DataValue.objects.filter(unit=commune).select_related("indicator")
    }
    assert stored[("2.1", 2028, "")] == (26, 100, "Sửa lại")
    assert len(stored) == 6
    # Measured against the upload's own 2026 figure (20), 90 is a sharp change.
    with pytest.raises(EntriesRefused) as refused:
        record_values_bulk(
            admin,
            [
                Entry(wage, tree["neighbour"], 2026, numerator=20, denominator=100),
                Entry(wage, tree["neighbour"], 2027, numerator=90, denominator=100, ref="x"),
            ],
        )
    assert refused.value.problems[0][0].ref == "x" and "20 → 90" in refused.value.problems[0][1]
    # A female part over the total given earlier in the same upload is refused.
    with pytest.raises(EntriesRefused):
        record_values_bulk(
            admin,
            [
                Entry(schooling, tree["neighbour"], 2027, numerator=10, denominator=20),
                Entry(
                    schooling,
                    tree["neighbour"],
                    2027,
                    numerator=15,
                    denominator=20,
                    category="sex:female",
                ),
            ],
        )


def test_bulk_save_creates_updates_and_leaves_one_summary_per_unit(personas, tree, situation):
    admin, wage, curricula = personas["system_admin"], situation["2.1"], situation["5.3"]
    record_value(admin, wage, tree["commune"], 2026, numerator=30, denominator=100)
    first = DataValue.objects.get(unit=tree["commune"], year=2026)
    entries = [
        Entry(wage, tree["commune"], 2026, numerator=40, denominator=100, note="Rà soát"),
        Entry(wage, tree["commune"], 2027, numerator=42, denominator=100, source="Thống kê"),
        Entry(curricula, tree["province"], 2026, value=1),
        Entry(wage, tree["province"], 2026, numerator="412", denominator="903"),
    ]
    assert record_values_bulk(admin, entries, origin="Excel") == 4
    updated = DataValue.objects.get(pk=first.pk)  # the same row, changed in place
    assert (updated.numerator, updated.value, updated.note) == (40, 40, "Rà soát")
    assert updated.updated_at > first.updated_at
    assert DataValue.objects.get(unit=tree["commune"], year=2027).source == "Thống kê"
    assert round(DataValue.objects.get(unit=tree["province"], indicator=wage).value, 4) == Decimal(
        "45.6257"
    )

    summary = [e for e in unit_history(tree["commune"].pk) if e.additional_data.get("bulk")]
    assert len(summary) == 1
    entry = summary[0]
    assert entry.actor == admin and entry.action == LogEntry.Action.UPDATE
    assert entry.content_type.model == "datavalue"
    assert "2 " in entry.object_repr and "Excel" in entry.object_repr
    assert entry.additional_data["created"] == 1 and entry.additional_data["updated"] == 1
    assert entry.changes_dict["2.1 · 2026"] == ["30/100", "40/100"]
    assert entry.changes_dict["2.1 · 2027"] == ["", "42/100"]
    province = [e for e in unit_history(tree["province"].pk) if e.additional_data.get("bulk")]
    assert len(province) == 1 and province[0].changes_dict["5.3 · 2026"] == ["", "1"]
    # Bulk writes leave no entry per value.
    assert not LogEntry.objects.filter(
        content_type=entry.content_type, object_pk=str(updated.pk), timestamp__gte=entry.timestamp
    ).exists()


def test_bulk_save_checks_units_and_years_once_and_reads_stored_figures_once(
    personas, tree, situation, django_assert_max_num_queries
):
    communes = list(tree["province"].children.filter(level=Level.COMMUNE)[:12])
    indicators = [situation[n] for n in ("2.1", "2.2", "2.3", "5.1")]
    entries = [
        Entry(indicator, commune, year, numerator=1, denominator=3)
        for commune in communes
        for indicator in indicators
        for year in (2026, 2027)
    ]
    # The actor's scope, locks, stored figures, the writes, savepoints, the content type: a
    # fixed number; then one history entry per unit. Nothing per value.
    with django_assert_max_num_queries(10 + len(communes)):
        assert record_values_bulk(personas["province_admin"], entries) == len(entries)
    written = DataValue.objects.filter(unit__in=communes, year__in=(2026, 2027), category="")
    assert written.count() == len(entries)


def test_an_empty_upload_saves_nothing(personas):
    assert record_values_bulk(personas["system_admin"], []) == 0


def test_dhis2_import_writes_one_history_entry_per_unit(personas, tree, situation):
    from binhdang.indicators import dhis2

    admin = personas["system_admin"]
    cells = dhis2.parse(
        b"dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
        + f"NSGE-2021-2030.2.1.NUM,2026,{tree['commune'].code},,,3\n".encode()
        + f"NSGE-2021-2030.2.1.DEN,2026,{tree['commune'].code},,,10\n".encode()
        + f"NSGE-2021-2030.5.3,2026,{tree['commune'].code},,,1\n".encode(),
        "set.csv",
    )
    assert dhis2.import_values(admin, cells) == 2
    entries = [e for e in unit_history(tree["commune"].pk) if e.additional_data.get("bulk")]
    assert len(entries) == 1 and "DHIS2" in entries[0].object_repr
