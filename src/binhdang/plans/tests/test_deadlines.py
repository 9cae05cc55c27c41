"""Deadlines said in words: what each means as a date, how it is shown back, and the done-when
case of issue 12: a task due "trước tháng 10/2024" is overdue on 01/10/2024, not on 30/09/2024."""

import datetime
import importlib

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from binhdang.core.text import fold
from binhdang.plans import queries, reminders, services
from binhdang.plans.deadlines import (
    DeadlineKind,
    deadline_label,
    fits,
    format_deadline_input,
    last_day_of_month,
    parse_deadline,
)
from binhdang.plans.models import Task

Kind = DeadlineKind
years = st.integers(min_value=2000, max_value=2100)
months = st.integers(min_value=1, max_value=12)


def d(day: int, month: int, year: int) -> datetime.date:
    return datetime.date(year, month, day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trước tháng 10/2024", (d(30, 9, 2024), Kind.BEFORE_MONTH)),
        ("Hoàn thành trước tháng 10/2024", (d(30, 9, 2024), Kind.BEFORE_MONTH)),
        ("truoc thang 10/2024", (d(30, 9, 2024), Kind.BEFORE_MONTH)),
        ("TRƯỚC  THÁNG  1 / 2025", (d(31, 12, 2024), Kind.BEFORE_MONTH)),
        ("trước tháng 3 năm 2024", (d(29, 2, 2024), Kind.BEFORE_MONTH)),
        ("10/2024", (d(31, 10, 2024), Kind.WITHIN_MONTH)),
        ("hoàn thành trong tháng 10/2024", (d(31, 10, 2024), Kind.WITHIN_MONTH)),
        ("Hoàn thành trong tháng 10 năm 2024", (d(31, 10, 2024), Kind.WITHIN_MONTH)),
        ("tháng 2/2023", (d(28, 2, 2023), Kind.WITHIN_MONTH)),
        ("trong quý III/2024", (d(30, 9, 2024), Kind.QUARTER)),
        ("quy 3/2024", (d(30, 9, 2024), Kind.QUARTER)),
        ("Quý I năm 2025", (d(31, 3, 2025), Kind.QUARTER)),
        ("quý iv/2024", (d(31, 12, 2024), Kind.QUARTER)),
        ("6 tháng đầu năm 2024", (d(30, 6, 2024), Kind.HALF_YEAR)),
        ("6 thang cuoi nam 2024", (d(31, 12, 2024), Kind.HALF_YEAR)),
        ("cuối năm 2024", (d(31, 12, 2024), Kind.END_OF_YEAR)),
        ("trong năm 2024", (d(31, 12, 2024), Kind.END_OF_YEAR)),
        ("Trong nam 2024", (d(31, 12, 2024), Kind.END_OF_YEAR)),
        ("10/04/2024", (d(10, 4, 2024), Kind.DAY)),
        ("2024-04-10", (d(10, 4, 2024), Kind.DAY)),
        # The English labels read back too.
        ("Before month 10/2024", (d(30, 9, 2024), Kind.BEFORE_MONTH)),
        ("Within quarter II/2024", (d(30, 6, 2024), Kind.QUARTER)),
        ("Second half of 2024", (d(31, 12, 2024), Kind.HALF_YEAR)),
        ("End of 2024", (d(31, 12, 2024), Kind.END_OF_YEAR)),
    ],
)
def test_deadlines_in_words(text, expected):
    assert parse_deadline(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("quý V/2024", "Không có quý V: hãy nhập quý I, II, III hoặc IV (hoặc từ 1 đến 4)."),
        ("quy 0/2024", "Không có quý 0: hãy nhập quý I, II, III hoặc IV (hoặc từ 1 đến 4)."),
        ("tháng 13/2024", "Không có tháng 13: hãy nhập tháng từ 1 đến 12."),
        ("trước tháng 13/2024", "Không có tháng 13: hãy nhập tháng từ 1 đến 12."),
        ("cuối năm 1999", "Năm phải trong khoảng từ 2000 đến 2100."),
        ("sắp tới", "Nhập thời hạn theo dạng dd/mm/yyyy"),
        ("2024", "Nhập thời hạn theo dạng dd/mm/yyyy"),
    ],
)
def test_what_cannot_be_read_is_refused_in_vietnamese(text, message):
    with translation.override("vi"), pytest.raises(ValidationError) as error:
        parse_deadline(text)
    assert error.value.message_dict["deadline"][0].startswith(message)


@given(month=months, year=years)
def test_before_month_is_the_day_before_its_first(month, year):
    deadline, kind = parse_deadline(f"trước tháng {month}/{year}")
    assert kind == Kind.BEFORE_MONTH
    assert deadline == datetime.date(year, month, 1) - datetime.timedelta(days=1)
    assert parse_deadline(f"truoc thang {month:02d}/{year}") == (deadline, kind)


@given(quarter=st.integers(min_value=1, max_value=4), year=years)
def test_a_quarter_ends_on_its_last_day(quarter, year):
    roman = ["I", "II", "III", "IV"][quarter - 1]
    deadline, kind = parse_deadline(f"trong quý {roman}/{year}")
    assert kind == Kind.QUARTER and parse_deadline(f"quy {quarter}/{year}") == (deadline, kind)
    assert (
        deadline == [d(31, 3, year), d(30, 6, year), d(30, 9, year), d(31, 12, year)][quarter - 1]
    )
    assert (deadline + datetime.timedelta(days=1)).month == quarter * 3 % 12 + 1


def _deadlines():
    """Any (date, kind) the parser can produce."""
    day = st.dates(min_value=d(1, 1, 2000), max_value=d(31, 12, 2100))
    quarters, halves = st.integers(1, 4), st.integers(1, 2)

    return st.one_of(
        day.map(lambda value: (value, Kind.DAY)),
        st.builds(lambda y, m: (last_day_of_month(y, m), Kind.WITHIN_MONTH), years, months),
        st.builds(
            lambda y, m: (d(1, m, y) - datetime.timedelta(days=1), Kind.BEFORE_MONTH),
            years,
            months,
        ),
        st.builds(lambda y, q: (last_day_of_month(y, 3 * q), Kind.QUARTER), years, quarters),
        st.builds(lambda y, h: (last_day_of_month(y, 6 * h), Kind.HALF_YEAR), years, halves),
        years.map(lambda y: (d(31, 12, y), Kind.END_OF_YEAR)),
    )


@given(deadline=_deadlines(), language=st.sampled_from(["vi", "en"]))
def test_the_label_and_the_form_text_read_back_as_the_same_date_and_kind(deadline, language):
    date, kind = deadline
    assert fits(date, kind)
    with translation.override(language):
        assert parse_deadline(format_deadline_input(date, kind)) == deadline
        if kind != Kind.DAY or language == "vi":
            assert parse_deadline(deadline_label(date, kind)) == deadline


@given(deadline=_deadlines(), data=st.data())
def test_case_spacing_and_diacritics_do_not_matter(deadline, data):
    with translation.override("vi"):
        label = deadline_label(*deadline)
    if deadline[1] == Kind.DAY:
        return
    folded = fold(label)
    typed = "".join(
        data.draw(st.sampled_from([ch.upper(), ch.lower()])) if ch.isalpha() else ch
        for ch in data.draw(st.sampled_from([label, folded]))
    )
    spaced = typed.replace(" ", data.draw(st.sampled_from([" ", "  ", " \t"])))
    assert parse_deadline(f" {spaced} ") == deadline


@given(text=st.text(max_size=40))
def test_any_text_is_read_or_refused_with_a_message(text):
    try:
        deadline, kind = parse_deadline(text)
    except ValidationError as error:
        assert error.message_dict["deadline"][0]
    else:
        assert fits(deadline, kind)


def test_labels_say_what_was_typed():
    with translation.override("vi"):
        for text in [
            "Trước tháng 10/2024",
            "Trong tháng 10/2024",
            "Trong quý III/2024",
            "6 tháng đầu năm 2024",
            "6 tháng cuối năm 2024",
            "Cuối năm 2024",
        ]:
            assert deadline_label(*parse_deadline(text)) == text
    with translation.override("en"):
        assert deadline_label(*parse_deadline("trước tháng 1/2025")) == "Before month 1/2025"


def test_migration_moves_month_deadlines_to_the_month_before_and_back():
    migration = importlib.import_module("binhdang.plans.migrations.0002_deadline_kind")
    assert migration.from_flag(d(31, 10, 2024), True) == (d(30, 9, 2024), "before_month")
    assert migration.from_flag(d(31, 1, 2025), True) == (d(31, 12, 2024), "before_month")
    assert migration.from_flag(d(10, 4, 2024), False) == (d(10, 4, 2024), "day")
    assert migration.to_flag(d(30, 9, 2024), "before_month") == (d(31, 10, 2024), True)
    assert migration.to_flag(d(30, 9, 2024), "quarter") == (d(30, 9, 2024), False)


@given(year=st.integers(min_value=2001, max_value=2100), month=months, flag=st.booleans())
def test_migration_is_reversible(year, month, flag):
    migration = importlib.import_module("binhdang.plans.migrations.0002_deadline_kind")
    old = (last_day_of_month(year, month), flag)
    assert migration.to_flag(*migration.from_flag(*old)) == old


# The done-when case -----------------------------------------------------------------------------


def at(day: datetime.date, hour_utc: int = 1):
    """Travel to a moment of a day in Vietnam (01:00 UTC = 08:00 there)."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour_utc, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def october_task(db, personas, tree, client):
    """A task typed "trước tháng 10/2024" in the form, as a province officer would (on the
    suite's today: the test tree's units exist from 2025, the dates checked are given)."""
    client.force_login(personas["province_admin"])
    response = client.post(
        reverse("plans:task_create", args=[tree["province"].pk]),
        {
            "title": "Báo cáo sơ kết",
            "lead_unit": tree["commune"].pk,
            "deadline": "Hoàn thành trước tháng 10/2024",
        },
    )
    assert response.status_code == 302, response.content.decode()
    return Task.objects.get()


def test_before_october_is_overdue_on_the_first_of_october_not_before(october_task, personas):
    task = october_task
    assert (task.deadline, task.deadline_kind) == (d(30, 9, 2024), Kind.BEFORE_MONTH)
    visible = queries.visible_tasks(personas["commune_officer"])
    for day, overdue in [(d(30, 9, 2024), False), (d(1, 10, 2024), True)]:
        assert task.is_overdue_on(day) is overdue
        shown = visible.with_display_status(day).get(pk=task.pk).display_status
        assert (shown == "overdue") is overdue
        assert queries.task_counts(visible, on=day).overdue == int(overdue)
        # And late in the evening the platform's own today agrees (23:00 in Vietnam).
        with at(day, hour_utc=16):
            assert task.is_overdue is overdue


def test_reminders_of_before_october_fall_in_september(october_task, personas, settings):
    settings.TASK_REMINDER_DAYS = [7, 1]
    officer = personas["commune_officer"]
    officer.email = "xa@example.org"
    officer.save()
    kinds = {
        day: [(due.kind, due.days_before) for due in reminders.due_on(day)]
        for day in (d(23, 9, 2024), d(29, 9, 2024), d(30, 9, 2024), d(1, 10, 2024), d(24, 10, 2024))
    }
    assert kinds == {
        d(23, 9, 2024): [("due", 7)],
        d(29, 9, 2024): [("due", 1)],
        d(30, 9, 2024): [],
        d(1, 10, 2024): [("missed", 0)],
        d(24, 10, 2024): [],
    }
    reminders.schedule(d(29, 9, 2024))
    assert "Trước tháng 10/2024" in mail.outbox[0].body


def test_the_form_shows_back_what_was_typed(october_task, client):
    page = client.get(reverse("plans:task_edit", args=[october_task.pk])).content.decode()
    assert 'value="Trước tháng 10/2024"' in page
    assert "“trước tháng 10/2024” = hạn 30/09/2024" in page
    detail = client.get(october_task.get_absolute_url()).content.decode()
    assert "Trước tháng 10/2024" in detail


def test_a_kind_that_does_not_fit_its_date_is_refused(personas, tree):
    with pytest.raises(ValidationError) as error:
        services.create_task(
            personas["province_admin"],
            assigned_by=tree["province"],
            lead_unit=tree["commune"],
            title="Sai",
            deadline=d(15, 9, 2024),
            deadline_kind=Kind.QUARTER,
        )
    assert "deadline" in error.value.message_dict
