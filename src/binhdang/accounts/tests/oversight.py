"""Shared by the oversight tests: the national gender-equality department and its grants."""

import datetime

from binhdang.accounts import services
from binhdang.accounts.models import OversightFunction, Role
from binhdang.conftest import make_user
from binhdang.orgunits.models import Kind, OrgUnit

GRANT_FROM = datetime.date(2025, 3, 1)
BASIS = "Nghị định số 25/2025/NĐ-CP quy định chức năng, nhiệm vụ của Bộ Nội vụ"


def national_department(tree) -> OrgUnit:
    """Bộ Nội vụ's gender-equality department (a department people add, not the map's)."""
    return OrgUnit.objects.create(
        code="BNV-D901",
        name="Vụ Công tác thanh niên và Bình đẳng giới",
        kind=Kind.CENTRAL_DEPARTMENT,
        parent=tree["ministry"],
    )


def overseer(tree, role: Role = Role.APPROVER, username: str = "vu_bdg"):
    """An officer of the national department."""
    return make_user(username, national_department(tree), role)


def grant(admin, grantee, unit, functions=tuple(OversightFunction), **dates):
    """Oversight of `unit`'s subtree for the functions, from 01/03/2025 unless told."""
    dates.setdefault("valid_from", GRANT_FROM)
    return services.grant_oversight(
        admin,
        grantee=grantee,
        unit=unit,
        functions=functions,
        legal_basis=BASIS,
        **dates,
    )
