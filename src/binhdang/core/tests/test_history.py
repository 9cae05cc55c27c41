"""The history page reads as the records do: field labels, values as the interface shows them,
links to the records, and no keys, reverse relations or raw booleans (issue 13, item 5)."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from binhdang.core.audit import UNIT_KEY, history_rows
from binhdang.indicators.models import DataValue, Indicator
from binhdang.plans import services as plans
from binhdang.plans.models import Task, TaskStatus

pytestmark = pytest.mark.django_db

# What the page used to show: "plans.TaskUpdate.None", "False", "ID: ∅ → 7", raw decimals.
INTERNALS = re.compile(r"\.None\b|\bFalse\b|\bTrue\b|\bID\b|∅|\d\.\d{5,}")


def _history(client, user, unit, language="vi") -> str:
    client.force_login(user)
    response = client.get(
        reverse("orgunits:history", args=[unit.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def task(personas, tree):
    task = plans.create_task(
        personas["province_admin"],
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        title="Tập huấn lồng ghép giới cho cán bộ xã",
        deadline=datetime.date(2026, 3, 31),
    )
    plans.add_update(
        personas["province_admin"],
        task,
        text="Đã tổ chức 2 lớp.",
        date=datetime.date(2026, 3, 20),
        new_status=TaskStatus.DONE,
    )
    return Task.objects.get(pk=task.pk)


def test_a_task_reads_with_labels_dates_choices_and_a_link(client, personas, tree, task):
    page = _history(client, personas["province_admin"], tree["commune"])
    assert "Thời hạn" in page and "31/03/2026" in page
    assert "Chưa thực hiện" in page and "Hoàn thành" in page  # the status by its label
    assert tree["commune"].name in page and tree["province"].name in page  # names, not keys
    assert reverse("plans:task", args=[task.pk]) in page  # the record, one click away
    body = page[page.index("<table") :]
    assert not INTERNALS.search(body), INTERNALS.search(body).group()


def test_new_entries_leave_out_keys_and_reverse_relations(task):
    entry = LogEntry.objects.get_for_object(task).filter(action=LogEntry.Action.CREATE).get()
    assert "id" not in entry.changes_dict
    assert not any(".None" in str(values) for values in entry.changes_dict.values())


def test_numbers_and_booleans_are_written_as_the_interface_writes_them(personas, tree, catalogue):
    officer = personas["commune_officer"]
    LogEntry.objects.log_create(
        officer,
        action=LogEntry.Action.UPDATE,
        changes={"is_active": ["True", "False"], "id": ["None", "7"]},
        additional_data={UNIT_KEY: tree["commune"].pk},
    )
    value = DataValue.objects.create(
        indicator=Indicator.objects.get(number="1.1"), unit=tree["commune"], year=2025
    )
    entry = LogEntry.objects.log_create(
        value,
        action=LogEntry.Action.UPDATE,
        changes={
            "value": ["None", "67.58620689655172413793103448"],
            "numerator": ["1234", "12345.5"],
            "year": ["2024", "2025"],
        },
    )
    with translation.override("vi"):
        (row,) = history_rows([entry])
        shown = {change.label: (change.old, change.new) for change in row.changes}
        assert shown["Giá trị"] == ("", "67,5862")
        assert shown["Tử số"] == ("1.234", "12.345,5")
        assert shown["Năm"] == ("2024", "2025")  # a year is not a quantity: no grouping
        account = history_rows(LogEntry.objects.get_for_object(officer))[0]
        assert [(c.label, c.old, c.new) for c in account.changes] == [
            ("Đang hoạt động", "Có", "Không")
        ]
    with translation.override("en"):
        (row,) = history_rows([entry])
        assert ("", "67.5862") in [(c.old, c.new) for c in row.changes]


def test_a_unit_since_deleted_and_a_removed_field_do_not_leak(personas, tree, task):
    content_type = ContentType.objects.get_for_model(Task)
    entry = LogEntry.objects.create(
        content_type=content_type,
        object_pk="999999",
        object_repr="Nhiệm vụ đã xóa",
        action=LogEntry.Action.UPDATE,
        changes={"lead_unit": [str(tree["commune"].pk), "999999"], "removed_field": ["a", "b"]},
        additional_data={UNIT_KEY: tree["commune"].pk},
    )
    with translation.override("vi"):
        (row,) = history_rows([entry])
    assert row.link == "" and row.record == "Nhiệm vụ đã xóa"
    assert [(c.old, c.new) for c in row.changes] == [(tree["commune"].name, "(không còn tồn tại)")]


def test_a_bulk_import_keeps_its_lines_written_for_people(personas, tree):
    entry = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(DataValue),
        object_pk="",
        object_repr="Xã: 1 figures imported",
        action=LogEntry.Action.UPDATE,
        changes={"1.1 · 2024": ["", "50,5"]},
        additional_data={UNIT_KEY: tree["commune"].pk, "bulk": True},
    )
    (row,) = history_rows([entry])
    assert [(c.label, c.old, c.new) for c in row.changes] == [("1.1 · 2024", "", "50,5")]


def test_the_page_reads_each_kind_of_record_in_a_few_queries(
    client, personas, tree, task, django_assert_max_num_queries
):
    for number in range(5):
        plans.create_task(
            personas["province_admin"],
            assigned_by=tree["province"],
            lead_unit=tree["commune"],
            title=f"Nhiệm vụ {number}",
            deadline=datetime.date(2026, 4, 30),
        )
    client.force_login(personas["province_admin"])
    with django_assert_max_num_queries(20):
        client.get(reverse("orgunits:history", args=[tree["commune"].pk]))


def test_old_values_are_dropped_when_they_equal_the_new(personas, tree, task):
    entry = LogEntry.objects.log_create(
        task,
        action=LogEntry.Action.UPDATE,
        changes={"progress": ["100", "100"], "title": ["A", "B"]},
    )
    (row,) = history_rows([entry])
    assert [(c.old, c.new) for c in row.changes] == [("A", "B")]
