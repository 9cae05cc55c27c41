"""The intake scorer's arithmetic, and the corpus it scores against."""

import datetime
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binhdang.activities.models import Kind
from binhdang.committees.models import Role
from binhdang.indicators.models import CATEGORIES, Dimension
from binhdang.intake import scoring
from binhdang.intake.scoring import KINDS, SCORED, UNSCORED, plain, score
from binhdang.orgunits.models import OrgUnit

REPORTS = scoring.load_corpus()
LEVELS = {value for value, _ in CATEGORIES[Dimension.LEVEL]}


# --- Arithmetic on a worked example -------------------------------------------------------------


def training(**changes):
    record = {
        "kind": "activity",
        "kind_value": "training",
        "start": "2023-05-21",
        "end": "2023-05-22",
        "organiser": "BTNMT",
        "participants": 120,
        "online": False,
    }
    return record | changes


def test_a_perfect_reading_scores_one_in_every_family_it_touches():
    expected = [training(), {"kind": "task", "lead": "LP27", "deadline": "2024-09-30"}]
    result = score([dict(r) for r in expected], expected)
    assert result.families["dates"].precision == result.families["dates"].recall == 1
    assert result.families["tasks"].correct == 1
    assert result.overall.precision == result.overall.recall == 1
    assert not result.misses and not result.false_findings
    assert result.families["decisions"].precision is None  # nothing proposed, nothing expected


def test_fields_are_counted_one_by_one_within_a_paired_record():
    proposed = training(end="2023-05-21", participants=Decimal("120"), organiser=None)
    result = score([proposed], [training()])
    dates, units, figures = (result.families[f] for f in ("dates", "units", "figures"))
    assert (dates.proposed, dates.expected, dates.correct) == (2, 2, 1)
    assert (units.proposed, units.expected, units.correct) == (0, 1, 0)
    assert figures.correct == 1  # 120 and Decimal("120") are the same number
    assert result.misses == ["activity.end = 2023-05-22", "activity.organiser = BTNMT"]
    assert result.false_findings == ["activity.end = 2023-05-21"]
    assert result.missed_fields == {"activity.end": 1, "activity.organiser": 1}


def test_an_unflagged_boolean_is_no_finding_and_a_flag_counts():
    online = score([training(online=True)], [training()])
    assert online.families["kinds"].proposed == 2  # training, online
    assert online.families["kinds"].expected == 1
    assert online.families["kinds"].precision == 0.5


def test_names_and_numbers_compare_without_diacritics_case_or_grouping():
    expected = [
        {"kind": "member", "name": "Trương Cảnh Tuấn", "role": "head", "unit": None},
        {"kind": "summary", "met": 16, "total": 19, "percent": "84.2", "year": 2024},
        {"kind": "decision", "number": "2967/QĐ-BTNMT", "date": "2019-11-20", "issuer": "BTNMT"},
    ]
    proposed = [
        {"kind": "member", "name": "truong canh tuan", "role": "head", "unit": None},
        {"kind": "summary", "met": 16, "total": 19, "percent": Decimal("84.20"), "year": "2024"},
        {"kind": "decision", "number": "2967/qđ-btnmt", "date": "2019-11-20", "issuer": "BTNMT"},
    ]
    result = score(proposed, expected)
    assert result.overall.precision == result.overall.recall == 1


def test_a_list_of_units_counts_each_unit():
    result = score([training(others=["LD903", "LP01"])], [training(others=["LD903", "LD902"])])
    units = result.families["units"]
    assert (units.proposed, units.expected, units.correct) == (3, 3, 2)


def test_records_pair_only_within_a_kind_and_the_closest_pair_wins():
    near = training(start="2023-05-20")
    far = training(kind_value="talk", start="2020-01-01", end="2020-01-01", participants=None)
    counted = {"kind": "counted", "kind_value": "training", "count": 20, "year": 2023}
    result = score([far, near, counted], [training()])
    assert result.records.correct == 1
    assert result.families["dates"].correct == 1  # the near one is paired: its end is right
    assert "counted not expected: kind_value=training count=20 year=2023" in (result.false_findings)
    assert any(f.startswith("activity not expected") for f in result.false_findings)


def test_nothing_proposed_is_recall_zero_and_precision_undefined():
    result = score([], [training()])
    assert result.overall.recall == 0 and result.overall.precision is None
    assert result.missed_fields["activity.organiser"] == 1
    assert sum(result.missed_fields.values()) == result.overall.expected
    assert result.misses[0].startswith("activity not found: kind_value=training")


def test_plain_turns_a_proposal_into_a_corpus_record():
    mention = SimpleNamespace(text="Bộ TN&MT", start=0, end=8, candidates=[7, 9], chosen=7)
    open_question = SimpleNamespace(text="Sở", start=0, end=2, candidates=[3, 4], chosen=None)
    fields = {
        "kind": "training",
        "start": datetime.date(2023, 5, 21),
        "organiser": mention,
        "others": [open_question, mention],
        "participants": 120,
    }
    record = plain("activity", fields, {7: "BTNMT"}.get)
    assert record == {
        "kind": "activity",
        "kind_value": "training",
        "start": "2023-05-21",
        "organiser": "BTNMT",
        "others": [None, "BTNMT"],
        "participants": 120,
    }
    lenient = plain("activity", {"others": [open_question]}, {3: "LP27"}.get, first_candidate=True)
    assert lenient == {"kind": "activity", "others": ["LP27"]}


def test_a_false_field_is_described_from_its_own_proposal():
    task = {"kind": "task", "lead": "LP27", "deadline": "2024-09-30"}
    result = score([training(end="2023-05-30"), task], [training(), task])
    assert result.false_findings == ["activity.end = 2023-05-30"]


# --- Properties ----------------------------------------------------------------------------------

codes = st.sampled_from(["BTNMT", "BLDTBXH", "LP27", "LD215", "P08", "X00769", None])
days = st.dates(datetime.date(2009, 1, 1), datetime.date(2025, 12, 31)).map(str)
years = st.integers(2009, 2025)
small = st.integers(0, 5000)
kinds = st.sampled_from([k.value for k in Kind])
RECORDS = st.one_of(
    st.fixed_dictionaries(
        {"kind": st.just("activity"), "kind_value": kinds, "start": days, "end": days},
        optional={
            "organiser": codes,
            "others": st.lists(codes, max_size=3),
            "participants": small,
            "online": st.booleans(),
        },
    ),
    st.fixed_dictionaries(
        {"kind": st.just("counted"), "kind_value": kinds, "count": small, "year": years},
        optional={"at_least": st.booleans()},
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("decision"),
            "number": st.from_regex(r"[1-9][0-9]{0,3}/QĐ-UBND", fullmatch=True),
            "date": days,
            "issuer": codes,
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("member"),
            "name": st.sampled_from(["", "Nguyễn Văn Hòa", "Lê Thị Thu Hằng"]),
            "role": st.sampled_from([r.value for r in Role]),
            "unit": codes,
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("summary"),
            "met": st.integers(0, 19),
            "total": st.just(19),
            "percent": st.decimals(0, 100, places=1).map(str),
            "year": years,
        }
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("figure"),
            "indicator": st.just("1.1"),
            "level": st.sampled_from(sorted(LEVELS)),
            "numerator": small,
            "denominator": small,
            "year": years,
        }
    ),
    st.fixed_dictionaries({"kind": st.just("task"), "lead": codes, "deadline": days}),
)
# A finding that agrees with nothing a report can expect (no kind, date or unit of the corpus).
FALSE_FINDINGS = st.sampled_from(
    [
        {"kind": "activity", "kind_value": "invented", "start": "1900-01-01", "end": "1900-01-02"},
        {"kind": "counted", "kind_value": "invented", "count": -1, "year": 1900},
        {"kind": "decision", "number": "0/X", "date": "1900-01-01", "issuer": "NOWHERE"},
        {"kind": "member", "name": "Không Ai", "role": "nobody", "unit": "NOWHERE"},
        {"kind": "summary", "met": -1, "total": -1, "percent": "-1", "year": 1900},
        {"kind": "task", "lead": "NOWHERE", "deadline": "1900-01-01"},
    ]
)


def rates(result):
    tallies = [*result.families.values(), result.overall, result.records]
    return [t.precision for t in tallies] + [t.recall for t in tallies]


@settings(max_examples=150, deadline=None)
@given(st.lists(RECORDS, max_size=8), st.lists(RECORDS, max_size=8))
def test_every_score_is_between_zero_and_one(proposed, expected):
    result = score(proposed, expected)
    assert all(0 <= rate <= 1 for rate in rates(result) if rate is not None)
    for tally in [*result.families.values(), result.records]:
        assert tally.correct <= min(tally.proposed, tally.expected)


@settings(max_examples=150, deadline=None)
@given(st.lists(RECORDS, min_size=1, max_size=8))
def test_a_perfect_reading_scores_one(expected):
    result = score([dict(r) for r in expected], expected)
    assert all(rate == 1 for rate in rates(result) if rate is not None)
    assert result.records.recall == 1 and not result.misses and not result.false_findings


@settings(max_examples=150, deadline=None)
@given(st.lists(RECORDS, min_size=1, max_size=8), FALSE_FINDINGS)
def test_an_extra_false_finding_lowers_precision_only(expected, extra):
    result = score([*expected, extra], expected)
    assert result.overall.recall == 1 and result.records.recall == 1
    assert result.overall.precision < 1 and result.records.precision < 1
    assert not result.misses and len(result.false_findings) == 1


@settings(max_examples=150, deadline=None)
@given(st.lists(RECORDS, min_size=1, max_size=8), st.data())
def test_a_missed_record_lowers_recall_only(expected, data):
    left_out = data.draw(st.integers(0, len(expected) - 1))
    proposed = [r for i, r in enumerate(expected) if i != left_out]
    result = score(proposed, expected)
    assert result.overall.precision in (1, None) and result.records.precision in (1, None)
    assert result.overall.recall < 1 and result.records.recall < 1
    assert not result.false_findings


# --- The corpus ----------------------------------------------------------------------------------

REQUIRED = {
    "activity": {"kind_value", "start", "end", "organiser", "online"},
    "counted": {"kind_value", "count", "at_least", "year"},
    "decision": {"number", "date", "issuer"},
    "member": {"name", "position", "role", "unit"},
    "summary": {"met", "total", "percent", "year"},
    "figure": {"indicator", "level", "numerator", "denominator", "year"},
    "task": {"lead", "deadline"},
}


def record_years(report) -> set[int]:
    found = set()
    for record in report.expected:
        for name in ("start", "date", "year"):
            if record.get(name):
                found.add(int(str(record[name])[:4]))
    return found


def test_the_corpus_is_large_and_covers_every_year_and_kind():
    assert len(REPORTS) >= 40
    years = set().union(*(record_years(r) for r in REPORTS))
    assert set(range(2009, 2026)) <= years
    assert {record["kind"] for r in REPORTS for record in r.expected} == set(KINDS)
    assert {
        record["kind_value"]
        for r in REPORTS
        for record in r.expected
        if record["kind"] in ("activity", "counted")
    } >= {"conference", "training", "workshop", "talk", "meeting", "campaign", "delegation"}
    texts = {path.stem for path in scoring.CORPUS.glob("*.txt")}
    specs = {path.stem for path in scoring.CORPUS.glob("*.json")}
    assert texts == specs, "every text has its expected records and the other way round"


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_every_corpus_record_is_well_formed(report):
    spec = json.loads((scoring.CORPUS / f"{report.name}.json").read_text(encoding="utf-8"))
    assert set(spec) == {"published", "home_unit", "expected"}
    assert report.text.strip() and report.expected
    for record in report.expected:
        kind = record["kind"]
        assert kind in KINDS, record
        allowed = {"kind", *SCORED[kind], *UNSCORED.get(kind, ())}
        assert set(record) <= allowed, f"unknown field in {record}"
        assert REQUIRED[kind] <= set(record), f"missing field in {record}"
        for name in ("start", "end", "date", "deadline"):
            if record.get(name) is not None:
                datetime.date.fromisoformat(record[name])
        if kind in ("activity", "counted"):
            assert record["kind_value"] in Kind.values
        if kind == "activity":
            assert record["start"] <= record["end"]
            assert isinstance(record["online"], bool)
        if kind == "member":
            assert record["role"] in Role.values
        if kind == "figure":
            assert record["level"] in LEVELS and record["indicator"] == "1.1"
            assert 0 <= record["numerator"] <= record["denominator"]
        if kind == "summary":
            share = Decimal(record["met"] * 100) / record["total"]
            assert Decimal(record["percent"]) == share.quantize(Decimal("0.1"))
        if kind == "counted":
            assert record["count"] >= 1 and isinstance(record["at_least"], bool)


@pytest.mark.django_db
def test_every_unit_of_the_corpus_is_in_the_map_and_valid_on_the_day():
    units = {u.code: u for u in OrgUnit.objects.all()}
    for report in REPORTS:
        named = [report.home_unit]
        for record in report.expected:
            named += [record.get(f) for f in ("organiser", "issuer", "lead", "unit")]
            named += record.get("others", [])
            if record["kind"] == "activity" and record["organiser"] in units:
                organiser = units[record["organiser"]]
                start = datetime.date.fromisoformat(record["start"])
                assert organiser.valid_from is None or organiser.valid_from <= start, report.name
                assert organiser.valid_to is None or start <= organiser.valid_to, report.name
        missing = [code for code in named if code and code not in units]
        assert not missing, f"{report.name}: {missing} are not units of the map"
