"""A demo committee for the demo province and ministry, with two decisions of history."""

import datetime

from binhdang.committees import services
from binhdang.committees.models import Committee, Person, Role
from binhdang.committees.services import MemberSpec
from binhdang.orgunits.models import OrgUnit

PROVINCE_MEMBERS = [
    ("Nguyễn Thị Hồng", "female", "Phó Chủ tịch UBND tỉnh", Role.HEAD),
    ("Trần Văn Phúc", "male", "Giám đốc Sở Nội vụ", Role.STANDING_VICE_CHAIR),
    ("Lê Thị Thanh", "female", "Chủ tịch Hội Liên hiệp Phụ nữ tỉnh", Role.VICE_CHAIR),
    ("Phạm Minh Quân", "male", "Phó Giám đốc Sở Y tế", Role.MEMBER),
    ("Đỗ Thị Ngọc", "female", "Phó Giám đốc Sở Giáo dục và Đào tạo", Role.MEMBER),
    ("Huỳnh Thị Kim", "female", "Chuyên viên Sở Nội vụ", Role.SECRETARY),
]


def setup_committee(actor, unit: OrgUnit, standing_unit: OrgUnit | None) -> Committee:
    """The unit's committee, constituted in 2021 and reconstituted in 2024 (once)."""
    committee = Committee.objects.filter(unit=unit).first()
    if committee is not None:
        return committee
    committee = services.create_committee(
        actor,
        unit,
        name=f"Ban Vì sự tiến bộ của phụ nữ {unit.name.replace('Tỉnh', 'tỉnh')}",
        standing_unit=standing_unit,
    )
    first = [
        MemberSpec(Person(full_name=name, sex=sex, title=title, unit=unit), role)
        for name, sex, title, role in PROVINCE_MEMBERS[:5]
    ]
    services.reconstitute(
        actor,
        committee,
        number="215/QĐ-UBND",
        date=datetime.date(2021, 3, 15),
        signer="Chủ tịch UBND tỉnh",
        members=first,
        issuing_unit=unit,
    )
    # 2024: one member leaves, one joins, the secretary is named.
    kept = [
        MemberSpec(m.person, m.role, m.represented_unit)
        for m in committee.memberships.current().select_related("person")
        if m.person.full_name != "Phạm Minh Quân"
    ]
    new = [
        MemberSpec(Person(full_name=name, sex=sex, title=title, unit=unit), role)
        for name, sex, title, role in PROVINCE_MEMBERS[5:]
    ]
    services.reconstitute(
        actor,
        committee,
        number="1032/QĐ-UBND",
        date=datetime.date(2024, 9, 20),
        signer="Chủ tịch UBND tỉnh",
        members=kept + new,
        issuing_unit=unit,
    )
    return committee
