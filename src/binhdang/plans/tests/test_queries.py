import datetime

from binhdang.plans import queries


def test_deadlines_for_the_calendar(personas, tree, commune_task):
    start, end = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
    tasks = list(queries.deadlines(personas["commune_officer"], start, end))
    assert tasks == [commune_task]
    task = tasks[0]
    assert task.deadline_label == "31/03/2026"
    assert task.status == "not_started" and not task.is_overdue
    assert task.get_absolute_url() == f"/plans/tasks/{task.pk}/"
    assert task.lead_unit.name == tree["commune"].name
    assert list(queries.deadlines(personas["neighbour_officer"], start, end)) == []
    assert list(
        queries.deadlines(personas["commune_officer"], end, end + datetime.timedelta(30))
    ) == [task]
    assert list(queries.deadlines(personas["commune_officer"], start, start)) == []
