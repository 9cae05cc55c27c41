"""The `security` suite: every test in this folder is marked, so `pytest -m security` runs the
attacks an ordinary signed-in officer of another unit could try, and CI can run them alone."""

import datetime
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from binhdang.activities import services as activities
from binhdang.committees import services as committees
from binhdang.committees.models import Person
from binhdang.committees.models import Role as MemberRole
from binhdang.committees.services import MemberSpec
from binhdang.indicators.services import save_local_indicator
from binhdang.plans import services as plans
from binhdang.reporting import services as reporting

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

HERE = pathlib.Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in pathlib.Path(item.fspath).parents:
            item.add_marker(pytest.mark.security)


@pytest.fixture
def province_task(personas, tree):
    """A task the province gave the commune (the commune reports evidence on it)."""
    import datetime

    from binhdang.plans import services

    return services.create_task(
        personas["province_admin"],
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        title="Tập huấn lồng ghép giới cho cán bộ xã",
        deadline=datetime.date(2030, 3, 31),
    )


@pytest.fixture
def province_decision(personas, tree):
    """The decision constituting the province's committee (a scan may be attached to it)."""
    import datetime

    from binhdang.committees import services
    from binhdang.committees.models import Person, Role
    from binhdang.committees.services import MemberSpec

    actor = personas["province_admin"]
    committee = services.create_committee(actor, tree["province"], name="Ban VSTBPN tỉnh")
    return services.reconstitute(
        actor,
        committee,
        number="12/QĐ-UBND",
        date=datetime.date(2021, 3, 15),
        members=[
            MemberSpec(Person(full_name="Nguyễn Thị An", sex="female"), Role.HEAD),
            MemberSpec(Person(full_name="Trần Văn Bình", sex="male"), Role.SECRETARY),
        ],
    )


def local_indicator(actor, unit, number="ĐP1"):
    """A share indicator the unit adds for its own subtree."""
    return save_local_indicator(
        actor,
        unit,
        number=number,
        name_vi="Tỷ lệ xã có câu lạc bộ bình đẳng giới",
        name_en="",
        measure="share",
        multiplier=None,
        unit_label_vi="%",
        direction="higher",
        dimensions=[],
        notes="",
        source="KH 45/KH-UBND",
    )


@pytest.fixture
def objects(catalogue, personas, tree):
    """One object of each kind belonging to Quảng Ngãi (the province or its commune)."""
    admin = personas["province_admin"]
    committee = committees.create_committee(admin, tree["province"], name="Ban VSTBPN tỉnh")
    decision = committees.reconstitute(
        admin,
        committee,
        number="12/QĐ-UBND",
        date=datetime.date(2021, 3, 15),
        members=[MemberSpec(Person(full_name="Nguyễn Thị An", sex="female"), MemberRole.HEAD)],
        file=SimpleUploadedFile("qd.pdf", PDF),
    )
    plan = plans.create_plan(
        admin,
        tree["province"],
        kind="annual",
        start_year=2026,
        end_year=2026,
        title="Kế hoạch năm 2026",
        file=SimpleUploadedFile("kh.pdf", PDF),
    )
    task = plans.create_task(
        admin,
        assigned_by=tree["province"],
        lead_unit=tree["commune"],
        plan=plan,
        title="Tập huấn cho cán bộ xã",
        deadline=datetime.date(2030, 3, 31),
    )
    update = plans.add_update(
        personas["commune_officer"],
        task,
        text="Đã tập huấn",
        file=SimpleUploadedFile("minh-chung.pdf", PDF),
    )
    inspection = plans.create_inspection(
        admin,
        tree["province"],
        kind="supervision",
        title="Giám sát năm 2026",
        lead_name="Trần Văn Bình",
        inspected_units=[tree["commune"]],
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 3, 2),
    )
    activity = activities.create_activity(
        admin,
        activities.ActivityData(
            title="Hội nghị tập huấn bình đẳng giới",
            kind="training",
            start_date=datetime.date(2026, 3, 1),
            organiser=tree["province"],
        ),
    )
    commendation = activities.propose(
        personas["commune_officer"],
        activities.ProposalData(
            year=2025,
            nominee_kind="individual",
            nominee="Nguyễn Thị Hoa",
            sex="female",
            award_form="certificate_of_merit",
            award_level="province_chair",
            reason="Hoàn thành xuất sắc.",
            proposing_unit=tree["commune"],
        ),
    )
    local = local_indicator(personas["province_approver"], tree["province"])
    round_ = reporting.open_round(
        personas["province_approver"],
        tree["province"],
        name="Báo cáo công tác bình đẳng giới năm 2026",
        kind="annual",
        year=2026,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2030, 12, 15),
        units=[tree["commune"]],
    )
    return {
        "committee": committee,
        "decision": decision,
        "plan": plan,
        "task": task,
        "update": update,
        "inspection": inspection,
        "activity": activity,
        "commendation": commendation,
        "local": local,
        "round": round_,
        "submission": round_.submissions.get(),
        "province": tree["province"],
    }
