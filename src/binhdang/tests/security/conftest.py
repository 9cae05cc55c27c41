"""The `security` suite: every test in this folder is marked, so `pytest -m security` runs the
attacks an ordinary signed-in officer of another unit could try, and CI can run them alone."""

import pathlib

import pytest

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
