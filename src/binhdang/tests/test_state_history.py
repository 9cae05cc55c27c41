"""Issue 12, as its "done when" reads: the state's past entered through the services, each case
crossing the pieces that hold it (former agencies and their departments, counted activities,
unnamed members, oversight, deadlines in words) rather than one piece at a time."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from binhdang.accounts.models import Role
from binhdang.accounts.tests.oversight import grant, overseer
from binhdang.activities import queries as activity_queries
from binhdang.activities import services as activities
from binhdang.activities.models import Kind as ActivityKind
from binhdang.committees import queries as committee_queries
from binhdang.committees import services as committees
from binhdang.committees.models import Person
from binhdang.committees.models import Role as MemberRole
from binhdang.committees.services import MemberSpec
from binhdang.conftest import make_user
from binhdang.orgunits import services as units
from binhdang.orgunits.models import OrgUnit
from binhdang.plans import queries as plan_queries
from binhdang.plans import services as plans
from binhdang.plans.deadlines import parse_deadline
from binhdang.plans.models import DisplayStatus, Task

pytestmark = pytest.mark.django_db

VN = datetime.timezone(datetime.timedelta(hours=7))


@pytest.fixture
def admin(personas):
    return personas["system_admin"]


def test_a_2019_ministry_committee_of_21_mostly_unnamed_is_in_its_successors_history(client, admin):
    monre = OrgUnit.objects.get(code="BTNMT")  # Bộ Tài nguyên và Môi trường, until 28/02/2025
    mae = OrgUnit.objects.get(code="BNNMT")  # Bộ Nông nghiệp và Môi trường, formed from it
    assert monre in mae.predecessors.all() and not monre.is_live
    committee = committees.create_committee(
        admin, monre, name="Ban Vì sự tiến bộ của phụ nữ Bộ Tài nguyên và Môi trường"
    )
    members = [
        MemberSpec(Person(full_name="Trần Quý Kiên", sex="male", title="Thứ trưởng"), "head"),
        MemberSpec(
            Person(title="Phó Vụ trưởng Vụ Tổ chức cán bộ"),
            MemberRole.VICE_CHAIR,
            represented_text="Vụ Tổ chức cán bộ",
        ),
    ]
    for number in range(19):
        named = number < 2  # the news named two of the representatives
        person = Person(full_name=f"Người đại diện {number}", sex="female") if named else Person()
        members.append(
            MemberSpec(person, MemberRole.MEMBER, represented_text=f"Đơn vị trực thuộc số {number}")
        )
    committees.reconstitute(
        admin,
        committee,
        number="2967/QĐ-BTNMT",
        date=datetime.date(2019, 11, 20),
        issuing_unit=monre,
        members=members,
    )
    on_the_day = committee_queries.members_on(committee, datetime.date(2019, 11, 20))
    assert len(on_the_day) == 21
    assert sum(1 for m in on_the_day if not m.person.full_name) == 18

    client.force_login(admin)
    successor = client.get(reverse("committees:unit", args=[mae.pk])).content.decode()
    assert committee.name in successor
    assert "Bộ Tài nguyên và Môi trường (đến 28/02/2025)" in successor
    history = client.get(reverse("orgunits:history", args=[mae.pk])).content.decode()
    assert "2967/QĐ-BTNMT" in history


def test_a_2021_training_by_an_old_provinces_department_with_participants_by_level(tree, admin):
    old_province = tree["legacy_province"]  # Quảng Ngãi before the 2025 merger
    (labour,) = units.add_departments(
        admin,
        old_province,
        ["Sở Lao động - Thương binh và Xã hội"],
        valid_to=datetime.date(2025, 2, 28),
    )
    training = activities.create_activity(
        admin,
        activities.ActivityData(
            title="Tập huấn nâng cao năng lực cán bộ làm công tác bình đẳng giới",
            kind=ActivityKind.TRAINING,
            start_date=datetime.date(2021, 5, 21),
            end_date=datetime.date(2021, 5, 22),
            organiser=labour,
            participants=120,
            women=80,
            from_province=20,
            from_district=40,
            from_commune=60,
        ),
    )
    assert training.organiser.label.endswith("(đến 28/02/2025)")
    # It counts in the old province's 2021, and so in today's province that it became.
    for unit in (old_province, tree["province"]):
        counts = activity_queries.activity_counts(
            unit, datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)
        )
        assert [(c.kind, c.count, c.participants) for c in counts] == [
            (ActivityKind.TRAINING, 1, 120)
        ]


def test_a_2009_review_with_more_than_10_trainings_and_18_delegations(tree, admin):
    molisa = OrgUnit.objects.get(code="BLDTBXH")  # the gender-equality ministry until 2025
    (department,) = units.add_departments(admin, molisa, ["Vụ Bình đẳng giới"])
    for title, kind, count, minimum in [
        ("Hội thảo, tập huấn về bình đẳng giới", ActivityKind.TRAINING, 10, True),
        ("Đoàn công tác quốc tế", ActivityKind.DELEGATION, 18, False),
    ]:
        activities.create_activity(
            admin,
            activities.ActivityData(
                title=title,
                kind=kind,
                start_date=datetime.date(2009, 12, 1),
                organiser=department,
                event_count=count,
                count_is_minimum=minimum,
            ),
        )
    with translation.override("vi"):
        sentence = activity_queries.activity_summary(
            molisa, datetime.date(2009, 1, 1), datetime.date(2009, 12, 31)
        )
    assert "ít nhất 28" in sentence


def test_the_national_department_inspects_seven_old_provinces_and_a_successor_follows(tree, admin):
    officer = overseer(tree, Role.DATA_OFFICER)
    grant(admin, officer.unit, tree["nation"])
    seven = list(
        OrgUnit.objects.filter(code__in=["LP01", "LP79", "LP31", "LP46", "LP48", "LP51", "LP92"])
    )
    assert len(seven) == 7 and not any(unit.is_live for unit in seven)
    inspection = plans.create_inspection(
        officer,
        officer.unit,
        kind="inspection",
        title="Kiểm tra việc thực hiện pháp luật về bình đẳng giới",
        lead_name="Nguyễn Văn Hải",
        inspected_units=seven,
        start_date=datetime.date(2025, 4, 14),
        end_date=datetime.date(2025, 5, 23),
    )
    old = tree["legacy_province"]
    recommendation = plans.add_recommendation(
        officer,
        inspection,
        unit=old,
        text="Bố trí cán bộ chuyên trách công tác bình đẳng giới.",
        deadline=datetime.date(2025, 12, 31),
    )
    # Today's Quảng Ngãi, formed from the old one, follows it: the task is on its list and its
    # officers report on it.
    successor_officer = make_user("qngai.officer", tree["province"], Role.DATA_OFFICER)
    task = recommendation.task
    assert task in plan_queries.tasks_of_unit(successor_officer, tree["province"])
    plans.add_update(successor_officer, task, text="Đã bố trí 01 công chức chuyên trách.")


def test_a_task_due_before_october_2024_is_late_on_the_first_of_october(tree, admin):
    deadline, kind = parse_deadline("trước tháng 10/2024")
    assert deadline == datetime.date(2024, 9, 30)
    task = plans.create_task(
        admin,
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        title="Hoàn thành rà soát cán bộ nữ",
        deadline=deadline,
        deadline_kind=kind,
    )
    shown = Task.objects.get(pk=task.pk)
    with translation.override("vi"):
        assert shown.deadline_label == "Trước tháng 10/2024"
    for moment, late in [
        (datetime.datetime(2024, 9, 30, 23, 0, tzinfo=VN), False),
        (datetime.datetime(2024, 10, 1, 0, 30, tzinfo=VN), True),
    ]:
        with time_machine.travel(moment, tick=False):
            overdue = Task.objects.with_display_status_in([DisplayStatus.OVERDUE]).filter(
                pk=task.pk
            )
            assert overdue.exists() is late, moment
