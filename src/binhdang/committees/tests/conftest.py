import datetime

import pytest

from binhdang.committees import services
from binhdang.committees.models import Person, Role
from binhdang.committees.services import MemberSpec

D1 = datetime.date(2021, 3, 15)
D2 = datetime.date(2024, 6, 1)


def person(name: str, sex: str = "female", **extra) -> Person:
    """An unsaved person, as a form or an import gives it."""
    return Person(full_name=name, sex=sex, **extra)


@pytest.fixture
def committee(personas, tree):
    """Quảng Ngãi's committee, constituted on 15/03/2021 with four members."""
    actor = personas["province_admin"]
    committee = services.create_committee(
        actor, tree["province"], name="Ban Vì sự tiến bộ của phụ nữ tỉnh Quảng Ngãi"
    )
    services.reconstitute(
        actor,
        committee,
        number="12/QĐ-UBND",
        date=D1,
        members=[
            MemberSpec(person("Nguyễn Thị An", title="Phó Chủ tịch UBND tỉnh"), Role.HEAD),
            MemberSpec(person("Trần Văn Bình", "male"), Role.STANDING_VICE_CHAIR),
            MemberSpec(person("Lê Thị Chi"), Role.MEMBER, represented_unit=tree["commune"]),
            MemberSpec(person("Phạm Văn Dũng", "male"), Role.SECRETARY),
        ],
    )
    return committee
