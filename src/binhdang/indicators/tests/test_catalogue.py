"""The NSGE catalogue: loading, evaluation in both directions, target precedence, pages."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from binhdang.indicators import queries, services
from binhdang.indicators.evaluation import Verdict, evaluate, summary_line
from binhdang.indicators.loading import CATALOGUE, load_catalogue
from binhdang.indicators.models import Framework, Indicator, Objective, Target

pytestmark = pytest.mark.django_db
SPEC = json.loads(CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture
def nsge(db):
    load_catalogue()
    return Framework.objects.get()


def test_catalogue_matches_its_data_file(nsge):
    assert Objective.objects.count() == len(SPEC["objectives"]) == 6
    assert Indicator.objects.count() == len(SPEC["indicators"]) == 19
    one = Indicator.objects.get(number="1.1")
    assert one.code == "NSGE-2021-2030.1.1" and one.computed_from_children
    assert [t.value for t in one.targets.order_by("year")] == [Decimal(60), Decimal(75)]
    ratio = Indicator.objects.get(number="4.1")
    assert (ratio.measure, ratio.multiplier, ratio.direction) == ("ratio", 100, "lower")


def test_unconfirmed_values_are_unknown_not_invented(nsge):
    unknown = Target.objects.filter(indicator__number="6.2")
    assert unknown.count() == 2 and all(t.value is None and not t.is_known for t in unknown)


def test_loading_twice_changes_nothing(nsge):
    report = load_catalogue()
    assert (report.added, report.changed) == (0, 0)
    assert report.unchanged == 1 + 6 + 19 + 38


def test_admin_filled_value_survives_a_reload(nsge, personas):
    target = Target.objects.get(indicator__number="6.2", year=2025)
    services.set_target(
        personas["system_admin"],
        target.indicator,
        year=2025,
        value=Decimal(90),
        comparator=">=",
        source="Công văn X",
    )
    report = load_catalogue()
    target.refresh_from_db()
    assert target.value == 90 and report.kept == ["6.2 (2025)"]


@pytest.mark.parametrize(
    ("value", "target", "comparator", "direction", "verdict"),
    [
        (60, 60, ">=", "higher", Verdict.MET),
        (59.9, 60, ">=", "higher", Verdict.NOT_MET),
        (29.9, 30, "<", "lower", Verdict.MET),
        (30, 30, "<", "lower", Verdict.NOT_MET),
        (111, 111, "<=", "lower", Verdict.MET),
        (112, 111, "<=", "lower", Verdict.NOT_MET),
        (91, 90, ">", "higher", Verdict.MET),
        (90, 90, ">", "higher", Verdict.NOT_MET),
        (60, 60, "~", "higher", Verdict.MET),
        (58, 60, "~", "higher", Verdict.NOT_MET),
        (1, 1, "=", "higher", Verdict.MET),
        (0, 1, "=", "higher", Verdict.NOT_MET),
        (None, 60, ">=", "higher", Verdict.NO_DATA),
        (50, None, "", "higher", Verdict.NO_TARGET),
    ],
)
def test_evaluate_both_directions(value, target, comparator, direction, verdict):
    value = None if value is None else Decimal(str(value))
    target = None if target is None else Decimal(str(target))
    assert evaluate(value, target, comparator, direction) == verdict


def test_summary_line_reads_like_the_annual_reviews():
    """Over every target of the framework (19), then what the rest are."""
    verdicts = [Verdict.MET] * 16 + [Verdict.NOT_MET, Verdict.NO_DATA, Verdict.NO_TARGET]
    with translation.override("vi"):
        assert summary_line(verdicts) == (
            "16/19 chỉ tiêu đạt và vượt (84,2%); 1 chưa đạt, 1 chưa có số liệu, 1 chưa có mục tiêu"
        )
        assert summary_line([Verdict.MET] * 18 + [Verdict.NO_TARGET], figures=18) == (
            "18/19 chỉ tiêu đạt và vượt (94,7%); 1 chưa có mục tiêu"
        )
        assert summary_line([Verdict.NO_DATA] * 18 + [Verdict.NO_TARGET]) == "Chưa có số liệu"
    with translation.override("en"):
        assert summary_line(verdicts) == (
            "16/19 targets met or exceeded (84.2%); 1 not met, 1 without a figure, "
            "1 without a target value"
        )
        assert summary_line([Verdict.NO_DATA] * 19) == "No figures yet"


def test_applicable_target_nearest_milestone_and_unit_precedence(nsge, personas, tree):
    sex_ratio = Indicator.objects.get(number="4.1")
    assert queries.applicable_target(sex_ratio, tree["commune"], 2023).year == 2025
    assert queries.applicable_target(sex_ratio, tree["commune"], 2027).year == 2030
    assert queries.applicable_target(sex_ratio, tree["commune"], 2031) is None
    services.set_target(
        personas["province_approver"],
        sex_ratio,
        unit=tree["province"],
        year=2025,
        value=Decimal(109),
        comparator="<=",
    )
    own = queries.applicable_target(sex_ratio, tree["commune"], 2023)
    assert (own.unit, own.value) == (tree["province"], 109)
    assert queries.applicable_target(sex_ratio, tree["commune"], 2027).unit is None
    assert queries.applicable_target(sex_ratio, tree["far_commune"], 2023).unit is None
    services.set_target(
        personas["system_admin"],
        sex_ratio,
        unit=tree["commune"],
        year=2025,
        value=Decimal(108),
        comparator="<=",
    )
    assert queries.applicable_target(sex_ratio, tree["commune"], 2024).value == 108


@pytest.mark.parametrize(
    ("number", "value", "year", "field"),
    [
        ("1.1", Decimal(101), 2025, "value"),
        ("1.1", Decimal(-1), 2025, "value"),
        ("5.3", Decimal(2), 2025, "value"),
        ("1.1", Decimal(60), 2031, "year"),
        ("1.1", Decimal(60), 2019, "year"),
    ],
)
def test_bad_target_values_are_refused(nsge, personas, number, value, year, field):
    indicator = Indicator.objects.get(number=number)
    with pytest.raises(ValidationError) as error:
        services.set_target(
            personas["system_admin"], indicator, year=year, value=value, comparator=">="
        )
    assert field in error.value.message_dict


def test_who_may_set_targets(nsge, personas, tree):
    indicator = Indicator.objects.get(number="1.1")
    with pytest.raises(PermissionDenied):
        services.set_target(
            personas["province_admin"], indicator, year=2025, value=Decimal(70), comparator=">="
        )
    with pytest.raises(PermissionDenied):
        services.set_target(
            personas["commune_officer"],
            indicator,
            unit=tree["province"],
            year=2025,
            value=Decimal(70),
            comparator=">=",
        )
    with pytest.raises(PermissionDenied):
        services.set_target(
            personas["province_approver"],
            indicator,
            unit=tree["other_province"],
            year=2025,
            value=Decimal(70),
            comparator=">=",
        )


def test_catalogue_page_shows_targets_and_unknowns(client, nsge, personas):
    client.force_login(personas["commune_officer"])
    page = client.get(reverse("indicators:catalogue")).content.decode()
    assert "Chiến lược quốc gia về bình đẳng giới" in page
    assert "≥ 60" in page and "≤ 111" in page and "&lt; 42" in page
    assert "Chưa rõ" in page
    assert reverse("indicators:edit_target", args=[Target.objects.first().pk]) not in page
    target = Target.objects.get(indicator__number="6.2", year=2030)
    assert client.get(reverse("indicators:edit_target", args=[target.pk])).status_code == 403


def test_system_admin_fills_in_an_unknown_target_audited(client, nsge, personas):
    from auditlog.models import LogEntry

    client.force_login(personas["system_admin"])
    target = Target.objects.get(indicator__number="6.2", year=2030)
    url = reverse("indicators:edit_target", args=[target.pk])
    bad = client.post(url, {"value": "150", "comparator": ">=", "source": ""})
    assert "100" in bad.content.decode()
    client.post(url, {"value": "80", "comparator": ">=", "source": "Văn bản Y"})
    target.refresh_from_db()
    assert target.value == 80
    entry = LogEntry.objects.get_for_object(target).latest("timestamp")
    assert entry.actor == personas["system_admin"] and "value" in entry.changes_dict
