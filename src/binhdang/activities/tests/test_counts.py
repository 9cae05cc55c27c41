"""Counts roll up the tree: a commune's activities are counted in its province and the nation,
never in a neighbouring commune; the summary sentence is written the Vietnamese way."""

import datetime

import pytest
from django.utils import translation

from binhdang.activities import queries
from binhdang.activities.models import Kind, Topic
from binhdang.activities.queries import KindCount, activity_counts, activity_summary

pytestmark = pytest.mark.django_db

Y2025 = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


@pytest.fixture
def activities(record, tree):
    """2025 activities at three levels and in another province, plus two outside the period."""
    record(tree["commune"], participants=100, women=60, topics=[Topic.MAINSTREAMING])
    record(
        tree["commune"],
        title="Tập huấn phòng, chống bạo lực gia đình",
        participants=200,
        women=150,
        start_date=datetime.date(2025, 12, 31),
        end_date=datetime.date(2026, 1, 2),
        topics=[Topic.MAINSTREAMING, Topic.DOMESTIC_VIOLENCE],
    )
    record(
        tree["commune"],
        title="Hội nghị triển khai",
        kind=Kind.CONFERENCE,
        participants=50,
        women=None,
    )
    record(tree["neighbour"], actor="neighbour_officer", participants=40, women=20)
    record(
        tree["province"],
        actor="province_approver",
        title="Hội thảo lồng ghép giới",
        kind=Kind.WORKSHOP,
        participants=30,
        women=10,
        start_date=datetime.date(2025, 3, 8),
    )
    record(tree["far_commune"], actor="system_admin", participants=10, women=5)
    # Outside 2025: the day before, and the day after.
    record(tree["commune"], title="Năm cũ", start_date=datetime.date(2024, 12, 31))
    record(tree["commune"], title="Năm mới", start_date=datetime.date(2026, 1, 1))


def as_tuples(rows: list[KindCount]):
    return [(r.kind, r.count, r.participants, r.women) for r in rows]


def test_commune_counts_its_own_activities_only(activities, tree):
    assert as_tuples(activity_counts(tree["commune"], *Y2025)) == [
        ("conference", 1, 50, 0),
        ("training", 2, 300, 210),
    ]
    # The neighbour's training is not counted in the commune, nor the commune's in the neighbour.
    assert as_tuples(activity_counts(tree["neighbour"], *Y2025)) == [("training", 1, 40, 20)]


def test_province_and_nation_count_everything_below(activities, tree):
    assert as_tuples(activity_counts(tree["province"], *Y2025)) == [
        ("conference", 1, 50, 0),
        ("training", 3, 340, 230),
        ("workshop", 1, 30, 10),
    ]
    assert as_tuples(activity_counts(tree["nation"], *Y2025)) == [
        ("conference", 1, 50, 0),
        ("training", 4, 350, 235),
        ("workshop", 1, 30, 10),
    ]
    # Another province sees only its own.
    assert as_tuples(activity_counts(tree["other_province"], *Y2025)) == [("training", 1, 10, 5)]


def test_period_is_by_start_date_inclusive(activities, tree):
    day = datetime.date(2025, 12, 31)
    assert as_tuples(activity_counts(tree["commune"], day, day)) == [("training", 1, 200, 150)]
    assert as_tuples(
        activity_counts(tree["commune"], datetime.date(2024, 12, 31), datetime.date(2024, 12, 31))
    ) == [("training", 1, 100, 60)]


def test_labels_follow_the_language(activities, tree):
    with translation.override("vi"):
        labels = [r.label for r in activity_counts(tree["province"], *Y2025)]
    assert labels == ["Hội nghị", "Tập huấn", "Hội thảo"]
    with translation.override("en"):
        assert activity_counts(tree["province"], *Y2025)[0].label == "Conference"


def test_counts_take_few_queries(activities, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        activity_counts(tree["nation"], *Y2025)


def test_history_of_merged_units_rolls_up(record, tree):
    """A 2024 activity of a commune that merged into `commune` counts in the commune, the
    province and the nation, and not in the neighbour."""
    record(
        tree["legacy_commune"],
        actor="system_admin",
        start_date=datetime.date(2024, 5, 20),
        participants=70,
        women=35,
    )
    y2024 = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    for unit in ("commune", "province", "nation"):
        assert as_tuples(activity_counts(tree[unit], *y2024)) == [("training", 1, 70, 35)], unit
    assert activity_counts(tree["neighbour"], *y2024) == []
    by_unit = queries.counts_by_subunit(
        tree["province"], queries.in_subtree(tree["province"], *y2024)
    )
    assert len(by_unit) == 1 and not by_unit[0].unit.is_live  # the former district


def test_counts_by_subunit_topic_and_month(activities, tree):
    in_2025 = queries.in_subtree(tree["province"], *Y2025)
    rows = queries.counts_by_subunit(tree["province"], in_2025)
    assert [(r.unit, r.count, r.participants, r.is_self) for r in rows] == [
        (tree["province"], 1, 30, True),
        (tree["commune"], 3, 350, False),
        (tree["neighbour"], 1, 40, False),
    ]
    nation_rows = queries.counts_by_subunit(
        tree["nation"], queries.in_subtree(tree["nation"], *Y2025)
    )
    assert [(r.unit.code, r.count) for r in nation_rows] == [("P51", 5), ("P01", 1)]

    topics = queries.counts_by_topic(in_2025)
    assert [(t.topic, t.count, t.participants) for t in topics] == [
        ("mainstreaming", 2, 300),
        ("domestic_violence", 1, 200),
    ]
    months = queries.counts_by_month(in_2025)
    assert len(months) == 12
    assert (months[2].count, months[8].count, months[11].count) == (1, 3, 1)


def test_summary_sentence_in_vietnamese(activities, tree):
    with translation.override("vi"):
        text = activity_summary(tree["province"], *Y2025)
    assert text == (
        "Năm 2025, tỉnh Quảng Ngãi tổ chức 5 hoạt động cho 420 lượt người tham gia, 57,1% là nữ, "
        "gồm: 1 hội nghị cho 50 lượt người tham gia; 3 lớp tập huấn cho 340 lượt người tham gia, "
        "67,6% là nữ; 1 hội thảo cho 30 lượt người tham gia, 33,3% là nữ."
    )


def test_summary_of_one_kind_reads_like_a_report(record, tree):
    neighbour = tree["neighbour"]
    # 12 trainings for 1.340 participants, 831 of them women (62,0%).
    for index in range(12):
        record(
            neighbour,
            actor="neighbour_officer",
            title=f"Lớp tập huấn số {index + 1}",
            participants=1340 - 11 * 100 if index == 0 else 100,
            women=831 - 11 * 62 if index == 0 else 62,
        )
    name = neighbour.name[0].lower() + neighbour.name[1:]
    with translation.override("vi"):
        assert activity_summary(neighbour, *Y2025) == (
            f"Năm 2025, {name} tổ chức 12 lớp tập huấn cho 1.340 lượt người tham gia, 62,0% là nữ."
        )
        half = (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
        assert activity_summary(neighbour, *half) == (
            f"Từ ngày 01/01/2025 đến ngày 30/06/2025, {name} chưa ghi nhận hoạt động nào."
        )
    with translation.override("en"):
        assert activity_summary(neighbour, *Y2025) == (
            f"In 2025, {name} held 12 training courses for 1,340 participants, 62.0% of them women."
        )


def test_summary_without_participants(record, tree):
    record(tree["commune"], kind=Kind.CAMPAIGN, participants=None, women=None)
    with translation.override("vi"):
        text = activity_summary(tree["commune"], *Y2025)
    assert text.endswith("tổ chức 1 đợt truyền thông.")
