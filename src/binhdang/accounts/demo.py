"""Demo accounts: a few per role in one province and one ministry, and a system administrator."""

from auditlog.context import disable_auditlog
from django.db import transaction

from binhdang.orgunits.loading import NATION_CODE, province_code
from binhdang.orgunits.models import OrgUnit

from .models import Role, User

DEMO_PASSWORD = "binhdang-demo"
DEMO_PROVINCE = province_code(51)  # Tỉnh Quảng Ngãi
DEMO_MINISTRY = "BNV"  # Bộ Nội vụ, state management of gender equality since 2025
DEMO_DEPARTMENTS = ["Sở Nội vụ", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Hội Liên hiệp Phụ nữ tỉnh"]
MINISTRY_DEPARTMENTS = ["Vụ Công tác thanh niên và Bình đẳng giới", "Vụ Tổ chức cán bộ"]

# (username, full name, role, unit chooser)
ACCOUNTS = [
    ("admin", "Quản trị hệ thống", Role.SYSTEM_ADMIN, "nation"),
    ("qngai.quantri", "Nguyễn Thị Hoa", Role.UNIT_ADMIN, "province"),
    ("qngai.pheduyet", "Trần Văn Minh", Role.APPROVER, "province"),
    ("qngai.nhaplieu", "Lê Thị Lan", Role.DATA_OFFICER, "province"),
    ("qngai.xem", "Phạm Văn Nam", Role.VIEWER, "province"),
    ("qngai.sonoivu", "Đặng Thị Thu", Role.DATA_OFFICER, "department"),
    ("qngai.xa1", "Võ Thị Mai", Role.DATA_OFFICER, "commune1"),
    ("qngai.xa2", "Huỳnh Văn Tâm", Role.DATA_OFFICER, "commune2"),
    ("bnv.quantri", "Bùi Thị Hạnh", Role.UNIT_ADMIN, "ministry"),
    ("bnv.pheduyet", "Hoàng Văn Đức", Role.APPROVER, "ministry"),
    ("bnv.nhaplieu", "Ngô Thị Yến", Role.DATA_OFFICER, "ministry_department"),
]


def _child(parent: OrgUnit, name: str, kind: str) -> OrgUnit:
    unit = parent.children.filter(name=name).first()
    if unit is None:
        unit = OrgUnit(
            code=f"{parent.code}-DEMO{parent.children.count() + 1:02d}",
            name=name,
            kind=kind,
            parent=parent,
        )
        unit.save()
    return unit


@transaction.atomic
def setup_demo() -> list[User]:
    """Create (or refresh) the demo departments and accounts; needs the map loaded."""
    nation = OrgUnit.objects.get(code=NATION_CODE)
    province = OrgUnit.objects.get(code=DEMO_PROVINCE)
    ministry = OrgUnit.objects.get(code=DEMO_MINISTRY)
    communes = list(province.children.live().filter(level=4).order_by("official_code")[:2])
    with disable_auditlog():
        departments = [_child(province, n, "provincial_department") for n in DEMO_DEPARTMENTS]
        ministry_departments = [
            _child(ministry, n, "central_department") for n in MINISTRY_DEPARTMENTS
        ]
    units = {
        "nation": nation,
        "province": province,
        "department": departments[0],
        "commune1": communes[0],
        "commune2": communes[1],
        "ministry": ministry,
        "ministry_department": ministry_departments[0],
    }
    users = []
    for username, full_name, role, where in ACCOUNTS:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.role = role
        user.unit = units[where]
        user.is_active = True
        user.is_staff = user.is_superuser = role == Role.SYSTEM_ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        users.append(user)
    return users
