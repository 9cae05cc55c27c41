"""Demo accounts: a few per role in one province and one ministry, and a system administrator;
and the national gender-equality department's oversight of the whole country."""

import datetime

from django.db import transaction

from binhdang.accounts.models import OversightFunction, OversightGrant, Role, User
from binhdang.accounts.services import grant_oversight
from binhdang.orgunits.loading import NATION_CODE, province_code
from binhdang.orgunits.models import OrgUnit
from binhdang.orgunits.services import add_departments

DEMO_PASSWORD = "binhdang-demo"
DEMO_PROVINCE = province_code(51)  # Tỉnh Quảng Ngãi
DEMO_MINISTRY = "BNV"  # Bộ Nội vụ, state management of gender equality since 2025
DEMO_DEPARTMENTS = ["Sở Nội vụ", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Hội Liên hiệp Phụ nữ tỉnh"]
MINISTRY_DEPARTMENTS = ["Vụ Công tác thanh niên và Bình đẳng giới", "Vụ Tổ chức cán bộ"]

# Bộ Nội vụ has managed gender equality since 01/03/2025 (Nghị định 25/2025/NĐ-CP), through its
# Vụ Công tác thanh niên và Bình đẳng giới (symbol CTTN&BĐG, CV 739/BNV-CTTN&BĐG of 28/03/2025);
# sources: /work/shared/domain/sources.md, section 4 "The 2025 restructuring".
OVERSIGHT_FROM = datetime.date(2025, 3, 1)
OVERSIGHT_BASIS = (
    "Nghị định số 25/2025/NĐ-CP của Chính phủ quy định chức năng, nhiệm vụ, quyền hạn và cơ cấu "
    "tổ chức của Bộ Nội vụ (hiệu lực từ 01/03/2025): Bộ Nội vụ quản lý nhà nước về bình đẳng giới."
)

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
    setup_oversight(admin, units["ministry_department"], nation)
    return [admin] + [
        _account(username, full_name, role, units[where])
        for username, full_name, role, where in ACCOUNTS[1:]
    ]


def setup_oversight(admin: User, department: OrgUnit, nation: OrgUnit) -> None:
    """The national gender-equality department oversees the nation for every function, once."""
    given = OversightGrant.objects.filter(grantee=department, unit=nation).values_list(
        "function", flat=True
    )
    missing = [f for f in OversightFunction.values if f not in set(given)]
    if missing:
        grant_oversight(
            admin,
            grantee=department,
            unit=nation,
            functions=missing,
            valid_from=OVERSIGHT_FROM,
            legal_basis=OVERSIGHT_BASIS,
        )
