"""Issue 12: activities as the reviews write them — one record for several events of a kind ("hơn
10 hội thảo, tập huấn"; "18 đoàn quốc tế"), counted as events everywhere and said "at least" when a
count is a minimum; participants by level as well as by sex; years from 2007 on."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from binhdang.activities import queries, services, spreadsheets
from binhdang.activities.models import FIRST_YEAR, LAW_IN_FORCE, Activity, Kind
from binhdang.reporting import narrative

from .conftest import activity_data
from .test_pages import form_data

Y2009 = (datetime.date(2009, 1, 1), datetime.date(2009, 12, 31))


@pytest.fixture
def review_2009(record, tree):
    """The 2009 review entered as two records: more than 10 trainings and workshops, and 18
    international delegations."""
    trainings = record(
        tree["province"],
        actor="province_admin",
        title="hội thảo, tập huấn",
        kind=Kind.TRAINING,
        start_date=datetime.date(2009, 3, 1),
        end_date=datetime.date(2009, 11, 30),
        event_count=10,
        count_is_minimum=True,
        participants=None,
        women=None,
    )
    delegations = record(
        tree["province"],
        actor="province_admin",
        title="đoàn quốc tế",
        kind=Kind.DELEGATION,
        start_date=datetime.date(2009, 6, 1),
        event_count=18,
        participants=None,
        women=None,
    )
    return trainings, delegations


@pytest.mark.django_db
def test_the_2009_review_counts_at_least_28_events(review_2009, tree):
    trainings, delegations = review_2009
    with translation.override("vi"):
        assert trainings.display_title == "Hơn 10 hội thảo, tập huấn"
        assert delegations.display_title == "18 đoàn quốc tế"
        counts = queries.activity_counts(tree["province"], *Y2009)
        assert [(c.kind, c.count, c.minimum) for c in counts] == [
            (Kind.TRAINING, 10, True),
            (Kind.DELEGATION, 18, False),
        ]
        total = queries.total_of(counts)
        assert (total.count, total.minimum, total.count_label) == (28, True, "≥ 28")
        summary = queries.activity_summary(tree["province"], *Y2009)
    assert summary.startswith("Năm 2009, tỉnh Quảng Ngãi")
    assert "ít nhất 28 hoạt động" in summary
    assert "ít nhất 10 lớp tập huấn" in summary and "18 đoàn" in summary
    # Rolled up to the nation, by sub-unit and by month, the records count as events.
    nation = queries.in_subtree(tree["nation"], *Y2009)
    assert queries.event_total(nation) == (28, True)
    (row,) = queries.counts_by_subunit(tree["nation"], nation)
    assert (row.count, row.count_label) == (28, "≥ 28")
    months = queries.counts_by_month(nation)
    assert (months[2].count_label, months[5].count_label) == ("≥ 10", "18")


@pytest.mark.django_db
def test_the_annual_report_says_at_least(review_2009, tree):
    with translation.override("vi"):
        facts = narrative.gather(None, tree["province"], 2009, *Y2009)
    assert [line.count_text for line in facts.activities] == ["≥ 10", "18"]
    assert "ít nhất 28 hoạt động" in facts.activity_summary


@pytest.mark.django_db
def test_year_filters_start_at_the_law_and_find_2009(client, personas, review_2009, tree):
    assert datetime.date(2007, 7, 1) == LAW_IN_FORCE and FIRST_YEAR == 2007
    client.force_login(personas["province_admin"])
    url = reverse("activities:unit", args=[tree["province"].pk])
    page = client.get(url, {"year": "2009"}).content.decode()
    assert '<option value="2007"' in page and '<option value="2006"' not in page
    assert "Hơn 10 hội thảo, tập huấn" in page and "18 đoàn quốc tế" in page
    assert 'id="stat-activities">≥ 28<' in page
    assert "ít nhất 28 hoạt động" in page
    detail = client.get(review_2009[0].get_absolute_url()).content.decode()
    assert "Hơn 10 hội thảo, tập huấn" in detail


@pytest.mark.django_db
def test_a_2021_training_with_participants_by_level_and_sex(record, tree):
    activity = record(
        tree["province"],
        actor="province_admin",
        start_date=datetime.date(2021, 10, 12),
        participants=120,
        women=70,
        from_province=20,
        from_district=40,
        from_commune=60,
    )
    activity.refresh_from_db()
    assert (activity.from_province, activity.from_district, activity.from_commune) == (20, 40, 60)
    assert activity.from_departments is None and activity.event_count == 1
    assert activity.display_title == activity.title  # one event: no number before the title
    # A review may give a level without the total: nothing to compare it with, so it is kept.
    alone = record(
        tree["province"],
        actor="province_admin",
        title="Tập huấn cấp xã",
        participants=None,
        women=None,
        from_commune=200,
    )
    assert alone.from_commune == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        (
            {"participants": 100, "from_province": 50, "from_commune": 60},
            "from_province",
            "cộng lại (110) không được lớn hơn tổng số người tham gia (100)",
        ),
        ({"from_commune": -3}, "from_commune", "Số người tham gia cấp xã không được là số âm"),
        ({"event_count": -2}, "event_count", "Số sự kiện không được là số âm"),
        ({"event_count": 0}, "event_count", "ít nhất là 1"),
    ],
)
def test_bad_counts_are_refused_in_vietnamese(personas, tree, overrides, field, fragment):
    data = activity_data(tree["commune"], **overrides)
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        services.create_activity(personas["commune_officer"], data)
    assert fragment in " ".join(error.value.message_dict[field])
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_the_form_reads_counts_as_typed_and_refuses_abc(client, personas, tree):
    client.force_login(personas["commune_officer"])
    url = reverse("activities:create", args=[tree["commune"].pk])
    response = client.post(
        url, form_data(tree["commune"], participants="1.200", from_commune="abc", women="")
    )
    assert response.status_code == 200
    assert "Không đọc được “abc” là một số" in response.content.decode()
    response = client.post(
        url,
        form_data(
            tree["commune"],
            title="hội thảo, tập huấn",
            event_count="10",
            count_is_minimum="on",
            participants="1.200",
            women="700",
            from_district="200",
            from_commune="1.000",
        ),
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.event_count, activity.count_is_minimum) == (10, True)
    assert (activity.from_district, activity.from_commune) == (200, 1000)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "Hơn 10 hội thảo, tập huấn" in page
    # Re-saving the edit page unchanged keeps the record as it is.
    edit = client.get(reverse("activities:edit", args=[activity.pk])).content.decode()
    assert 'value="1.000"' in edit and "checked" in edit


@pytest.mark.django_db
def test_the_sheet_carries_count_at_least_and_levels(review_2009, personas, tree):
    content = spreadsheets.export_activities(Activity.objects.order_by("pk"), [])
    book = load_workbook(io.BytesIO(content))
    sheet = book[spreadsheets.SHEET]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert (rows[0][spreadsheets.EVENTS], rows[0][spreadsheets.AT_LEAST]) == (10, "Có")
    assert (rows[1][spreadsheets.EVENTS], rows[1][spreadsheets.AT_LEAST]) == (18, None)
    # A new file written as reviews write it: "hơn" in the at-least column, levels by number.
    sheet.delete_rows(2, 2)
    sheet.append(
        [
            {
                spreadsheets.TITLE: "hội nghị tuyên truyền",
                spreadsheets.KIND: "Hội nghị",
                spreadsheets.EVENTS: 12,
                spreadsheets.AT_LEAST: "hơn",
                spreadsheets.START: "05/05/2009",
                spreadsheets.ORGANISER: tree["province"].code,
                spreadsheets.TOTAL: 500,
                spreadsheets.FROM_COMMUNE: 300,
                spreadsheets.FROM_DISTRICT: 150,
            }.get(h)
            for h in header
        ]
    )
    sheet.append(
        [
            {
                spreadsheets.TITLE: "tập huấn khác",
                spreadsheets.KIND: "Lớp tập huấn",
                spreadsheets.AT_LEAST: "có lẽ",
                spreadsheets.START: "06/05/2009",
                spreadsheets.ORGANISER: tree["province"].code,
                spreadsheets.TOTAL: 10,
                spreadsheets.FROM_COMMUNE: 30,
            }.get(h)
            for h in header
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(spreadsheets.ImportErrors) as error:
        spreadsheets.parse(
            SimpleUploadedFile("hd.xlsx", buffer.getvalue()), personas["province_admin"]
        )
    messages = [str(p) for p in error.value.problems]
    assert any("Dòng 3" in m and "“có lẽ” không rõ" in m for m in messages)
    assert any(
        "Dòng 3" in m and "không được lớn hơn tổng số người tham gia (10)" in m for m in messages
    )
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    (row,) = spreadsheets.parse(
        SimpleUploadedFile("hd.xlsx", buffer.getvalue()), personas["province_admin"]
    )
    assert (row.data.event_count, row.data.count_is_minimum) == (12, True)
    assert (row.data.from_commune, row.data.from_district) == (300, 150)
    with translation.override("vi"):
        assert row.display_title == "Hơn 12 hội nghị tuyên truyền"  # as the preview lists it


@given(st.lists(st.tuples(st.integers(min_value=1, max_value=10**6), st.booleans()), max_size=12))
def test_a_total_is_the_sum_and_a_minimum_if_any_part_is(parts):
    rows = [
        queries.KindCount(Kind.OTHER, "", count, 0, 0, minimum=minimum) for count, minimum in parts
    ]
    total = queries.total_of(rows)
    assert total.count == sum(count for count, _ in parts)
    assert total.minimum == any(minimum for _, minimum in parts)
    assert total.count_label.startswith("≥ ") == total.minimum
