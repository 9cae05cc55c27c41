"""Demo accounts: a few per role in one province and one ministry, and a system administrator."""

from django.db import transaction

from binhdang.accounts.models import Role, User
from binhdang.orgunits.loading import NATION_CODE, province_code
from binhdang.orgunits.models import OrgUnit
from binhdang.orgunits.services import add_departments

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


def _ensure_departments(actor: User, parent: OrgUnit, names: list[str]) -> list[OrgUnit]:
    """The named departments of `parent`, adding through the service those not there yet."""
    present = {u.name: u for u in parent.children.live()}
    missing = [name for name in names if name not in present]
    if missing:
        for unit in add_departments(actor, parent, missing):
            present[unit.name] = unit
    return [present[name] for name in names]


def _account(username: str, full_name: str, role: Role, unit: OrgUnit) -> User:
    user, _created = User.objects.get_or_create(username=username)
    user.first_name = full_name
    user.role = role
    user.unit = unit
    user.is_active = True
    user.is_staff = user.is_superuser = role == Role.SYSTEM_ADMIN
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def setup_demo() -> list[User]:
    """Create (or refresh) the demo departments and accounts; needs the map loaded."""
    nation = OrgUnit.objects.get(code=NATION_CODE)
    province = OrgUnit.objects.get(code=DEMO_PROVINCE)
    ministry = OrgUnit.objects.get(code=DEMO_MINISTRY)
    communes = list(province.children.live().filter(level=4).order_by("official_code")[:2])
    username, full_name, role, _where = ACCOUNTS[0]
    admin = _account(username, full_name, role, nation)
    units = {
        "nation": nation,
        "province": province,
        "department": _ensure_departments(admin, province, DEMO_DEPARTMENTS)[0],
        "commune1": communes[0],
        "commune2": communes[1],
        "ministry": ministry,
        "ministry_department": _ensure_departments(admin, ministry, MINISTRY_DEPARTMENTS)[0],
    }
    return [admin] + [
        _account(username, full_name, role, units[where])
        for username, full_name, role, where in ACCOUNTS[1:]
    ]
