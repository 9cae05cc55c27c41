"""Tasks: deadlines, lead and collaborating units, derived overdue status, progress updates."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.plans import services
from binhdang.plans.deadlines import DeadlineKind, parse_deadline
from binhdang.plans.models import DisplayStatus, Task, TaskStatus, TaskUpdate

from .conftest import TODAY
from .files import PDF

pytestmark = pytest.mark.django_db


def _task(actor, assigned_by, lead_unit, deadline=datetime.date(2026, 6, 30), **extra):
    return services.create_task(
        actor,
        assigned_by=assigned_by,
        lead_unit=lead_unit,
        title=extra.pop("title", "Nhiệm vụ thử"),
        deadline=deadline,
        **extra,
    )


WORDS = (
    "Nhập thời hạn theo dạng dd/mm/yyyy, hoặc bằng lời: “trước tháng 10/2024”, "
    "“trong tháng 10/2024” (hoặc 10/2024), “quý III/2024”, “6 tháng đầu năm 2024”, "
    "“cuối năm 2024”."
)

# Deadlines --------------------------------------------------------------------------------------


def test_within_a_month_is_its_last_day_and_before_a_month_the_day_before_it():
    assert parse_deadline("10/2024") == (datetime.date(2024, 10, 31), DeadlineKind.WITHIN_MONTH)
    assert parse_deadline("2/2024") == (datetime.date(2024, 2, 29), DeadlineKind.WITHIN_MONTH)
    before = (datetime.date(2024, 9, 30), DeadlineKind.BEFORE_MONTH)
    assert parse_deadline("trước tháng 10/2024") == before
    assert parse_deadline("10/04/2024") == (datetime.date(2024, 4, 10), DeadlineKind.DAY)
    assert parse_deadline("2024-04-10") == (datetime.date(2024, 4, 10), DeadlineKind.DAY)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("13/2024", "Không có tháng 13: hãy nhập tháng từ 1 đến 12."),
        ("0/2024", "Không có tháng 0: hãy nhập tháng từ 1 đến 12."),
        ("31/02/2024", "31/02/2024 không phải là một ngày có thật."),
        ("10/13/2024", "Không có tháng 13: hãy nhập tháng từ 1 đến 12."),
        ("tháng mười", WORDS),
        ("10/1899", "Năm phải trong khoảng từ 2000 đến 2100."),
    ],
)
def test_impossible_deadlines_are_refused_in_vietnamese(text, message):
    with pytest.raises(ValidationError) as error:
        parse_deadline(text)
    assert error.value.message_dict == {"deadline": [message]}


def test_deadline_labels(personas, tree, plan):
    admin = personas["province_admin"]
    by_month = _task(
        admin,
        tree["province"],
        tree["commune"],
        datetime.date(2026, 9, 30),
        deadline_kind=DeadlineKind.BEFORE_MONTH,
    )
    by_date = _task(admin, tree["province"], tree["commune"], datetime.date(2026, 4, 10))
    assert by_month.deadline_label == "Trước tháng 10/2026"
    assert by_date.deadline_label == "10/04/2026"


def test_a_deadline_before_the_plans_start_is_refused(personas, tree, plan):
    with pytest.raises(ValidationError) as error:
        _task(
            personas["province_admin"],
            tree["province"],
            tree["commune"],
            datetime.date(2025, 12, 31),
            plan=plan,
        )
    assert error.value.message_dict["deadline"] == [
        "Thời hạn 31/12/2025 trước ngày bắt đầu của kế hoạch (01/01/2026)."
    ]
    assert Task.objects.count() == 0


# Units ------------------------------------------------------------------------------------------


def test_a_lead_unit_outside_the_assigners_editable_scope_is_refused(personas, tree):
    officer = personas["commune_officer"]
    with pytest.raises(ValidationError) as error:
        _task(officer, tree["commune"], tree["neighbour"])
    assert "lead_unit" in error.value.message_dict
    assert "nằm ngoài phạm vi" in error.value.message_dict["lead_unit"][0]
    with pytest.raises(ValidationError) as error:
        _task(personas["province_admin"], tree["province"], tree["far_commune"])
    assert "lead_unit" in error.value.message_dict
    assert Task.objects.count() == 0


def test_the_lead_unit_must_be_at_or_below_the_assigning_unit(personas, tree):
    with pytest.raises(ValidationError) as error:
        _task(personas["province_admin"], tree["commune"], tree["neighbour"])
    assert "lead_unit" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _task(
            personas["province_admin"],
            tree["commune"],
            tree["commune"],
            collaborating_units=[tree["neighbour"]],
        )
    assert "collaborating_units" in error.value.message_dict
    assert Task.objects.count() == 0


def test_a_unit_that_no_longer_exists_gets_no_new_task(personas, tree):
    with pytest.raises(ValidationError) as error:
        _task(personas["province_admin"], tree["province"], tree["legacy_commune"])
    assert "lead_unit" in error.value.message_dict


def test_viewers_and_outsiders_cannot_assign(personas, tree):
    with pytest.raises(PermissionDenied):
        _task(personas["province_viewer"], tree["province"], tree["commune"])
    with pytest.raises(PermissionDenied):
        _task(personas["ministry_officer"], tree["province"], tree["commune"])
    assert Task.objects.count() == 0


def test_a_superseded_plan_takes_no_new_task(personas, tree, plan):
    admin = personas["province_admin"]
    services.approve_plan(admin, plan, decision_number="1/KH", decision_date=TODAY)
    newer = services.create_plan(
        admin, tree["province"], kind=plan.kind, start_year=2026, end_year=2026, title="Mới"
    )
    services.approve_plan(admin, newer, decision_number="2/KH", decision_date=TODAY)
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        _task(admin, tree["province"], tree["commune"], plan=plan)
    assert "plan" in error.value.message_dict


def test_the_lead_unit_is_not_also_a_collaborator(personas, tree):
    task = _task(
        personas["province_admin"],
        tree["province"],
        tree["commune"],
        collaborating_units=[tree["commune"], tree["neighbour"]],
    )
    assert list(task.collaborating_units.all()) == [tree["neighbour"]]


# Overdue ----------------------------------------------------------------------------------------


def test_overdue_is_derived_from_the_deadline_and_shown_as_a_status(personas, tree):
    admin = personas["province_admin"]
    late = _task(admin, tree["province"], tree["commune"], datetime.date(2026, 3, 9))
    today = _task(admin, tree["province"], tree["commune"], TODAY)
    done_late = _task(admin, tree["province"], tree["commune"], datetime.date(2026, 3, 1))
    services.add_update(admin, done_late, text="Xong", new_status=TaskStatus.DONE)
    cancelled = _task(admin, tree["province"], tree["commune"], datetime.date(2026, 3, 1))
    services.add_update(admin, cancelled, text="Hủy", new_status=TaskStatus.CANCELLED)

    assert late.is_overdue and late.current_status == "overdue"
    assert late.current_status_label == "Quá hạn"
    assert not today.is_overdue
    assert set(Task.objects.overdue()) == {late}
    shown = dict(Task.objects.with_display_status().values_list("pk", "display_status"))
    assert shown == {
        late.pk: "overdue",
        today.pk: "not_started",
        done_late.pk: "done",
        cancelled.pk: "cancelled",
    }
    assert list(Task.objects.with_display_status_in([DisplayStatus.OVERDUE])) == [late]
    assert set(Task.objects.due_within(0)) == {today}


# Progress ---------------------------------------------------------------------------------------


def test_the_lead_unit_reports_progress_with_evidence_and_closes_the_task(
    personas, tree, commune_task
):
    officer = personas["commune_officer"]
    services.add_update(
        officer,
        commune_task,
        text="Đã mời giảng viên",
        percent=30,
        link="https://quangngai.gov.vn/tin/tap-huan",
        file=SimpleUploadedFile("giay-moi.pdf", PDF),
    )
    commune_task.refresh_from_db()
    assert commune_task.status == TaskStatus.IN_PROGRESS and commune_task.progress == 30
    services.add_update(officer, commune_task, text="Đã tổ chức", new_status=TaskStatus.DONE)
    commune_task.refresh_from_db()
    assert commune_task.status == TaskStatus.DONE
    assert commune_task.progress == 100 and commune_task.completed_on == TODAY
    first, second = commune_task.updates.order_by("pk")
    assert first.file and first.link and first.author == officer
    assert (second.old_status, second.new_status) == (TaskStatus.IN_PROGRESS, TaskStatus.DONE)


def test_reopening_a_done_task_clears_its_completion(personas, commune_task):
    officer = personas["commune_officer"]
    services.add_update(officer, commune_task, text="Xong", new_status=TaskStatus.DONE)
    services.add_update(officer, commune_task, text="Làm lại", new_status=TaskStatus.IN_PROGRESS)
    commune_task.refresh_from_db()
    assert commune_task.completed_on is None and commune_task.status == TaskStatus.IN_PROGRESS


def test_collaborators_report_but_do_not_change_the_status(personas, tree):
    task = _task(
        personas["province_admin"],
        tree["province"],
        tree["commune"],
        collaborating_units=[tree["neighbour"]],
    )
    neighbour = personas["neighbour_officer"]
    services.add_update(neighbour, task, text="Đã cử cán bộ tham gia")
    with pytest.raises(ValidationError) as error:
        services.add_update(neighbour, task, text="Xong", new_status=TaskStatus.DONE)
    assert "new_status" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.add_update(neighbour, task, text="50%", percent=50)
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED and task.updates.count() == 1


def test_only_the_assigning_unit_cancels(personas, commune_task):
    with pytest.raises(ValidationError) as error:
        services.add_update(
            personas["commune_officer"], commune_task, text="Bỏ", new_status=TaskStatus.CANCELLED
        )
    assert "new_status" in error.value.message_dict
    services.add_update(
        personas["province_admin"], commune_task, text="Không còn cần", new_status="cancelled"
    )
    assert Task.objects.get(pk=commune_task.pk).status == TaskStatus.CANCELLED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "  "}, "text"),
        ({"text": "x", "percent": 120}, "percent"),
        ({"text": "x", "date": datetime.date(2026, 3, 11)}, "date"),
        ({"text": "x", "new_status": "overdue"}, "new_status"),
        ({"text": "x", "link": "not a link"}, "link"),
        ({"text": "x", "file": SimpleUploadedFile("a.pdf", b"MZ")}, "file"),
    ],
)
def test_bad_updates_are_refused_and_nothing_changes(personas, commune_task, data, field):
    with pytest.raises(ValidationError) as error:
        services.add_update(personas["commune_officer"], commune_task, **data)
    assert field in error.value.message_dict
    assert TaskUpdate.objects.count() == 0
    assert Task.objects.get(pk=commune_task.pk).status == TaskStatus.NOT_STARTED


def test_outsiders_and_viewers_cannot_report(personas, tree, commune_task):
    for who in ("neighbour_officer", "ministry_officer", "province_viewer"):
        with pytest.raises(PermissionDenied):
            services.add_update(personas[who], commune_task, text="x")
    viewer = make_user("commune_viewer", tree["commune"], Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.add_update(viewer, commune_task, text="x")
    assert TaskUpdate.objects.count() == 0


def test_only_the_assigning_side_edits_a_task(personas, tree, commune_task):
    with pytest.raises(PermissionDenied):
        services.update_task(
            personas["commune_officer"],
            commune_task,
            lead_unit=tree["commune"],
            title="Đổi tên",
            deadline=datetime.date(2026, 12, 31),
        )
    services.update_task(
        personas["province_admin"],
        commune_task,
        lead_unit=tree["neighbour"],
        title="Đổi tên",
        deadline=datetime.date(2026, 12, 31),
    )
    commune_task.refresh_from_db()
    assert commune_task.lead_unit == tree["neighbour"] and commune_task.title == "Đổi tên"


def test_a_task_serves_objectives_and_indicators(personas, tree, catalogue):
    indicator = catalogue["1.1"]
    task = _task(
        personas["province_admin"],
        tree["province"],
        tree["commune"],
        objectives=[indicator.objective],
        indicators=[indicator],
        meeting_reference="Thông báo kết luận số 45/TB-UBND",
    )
    assert list(task.objectives.all()) == [indicator.objective]
    assert list(indicator.tasks.all()) == [task]
    assert task.origin_label == "Kết luận cuộc họp: Thông báo kết luận số 45/TB-UBND"
