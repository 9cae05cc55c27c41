"""Oversight beyond the subtree: given and ended by a system administrator only, dated, audited,
and giving reading and inspecting there, never changing."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhdang.accounts import permissions, services
from binhdang.accounts.models import OversightFunction, OversightGrant, Role
from binhdang.conftest import make_user
from binhdang.demo.accounts import setup_demo
from binhdang.orgunits.models import OrgUnit

from .oversight import BASIS, GRANT_FROM, grant, national_department, overseer

pytestmark = pytest.mark.django_db

INSPECT = OversightFunction.INSPECT
READ = OversightFunction.READ_REPORTS


def test_system_admin_grants_one_row_per_function_audited(personas, tree):
    department = national_department(tree)
    grants = grant(personas["system_admin"], department, tree["nation"], (INSPECT, READ, READ))
    assert sorted(g.function for g in grants) == sorted([INSPECT, READ])
    assert all(g.granted_by == personas["system_admin"] and g.legal_basis == BASIS for g in grants)
    entries = LogEntry.objects.filter(additional_data__unit_id=department.pk)
    assert entries.filter(content_type__model="oversightgrant").count() == 2


@pytest.mark.parametrize("persona", ["province_admin", "province_approver", "ministry_officer"])
def test_only_a_system_admin_grants_or_ends(personas, tree, persona):
    department = national_department(tree)
    with pytest.raises(PermissionDenied, match="Chỉ quản trị hệ thống"):
        grant(personas[persona], department, tree["province"])
    given = grant(personas["system_admin"], department, tree["province"], [INSPECT])[0]
    with pytest.raises(PermissionDenied):
        services.end_oversight(personas[persona], given)
    assert OversightGrant.objects.get(pk=given.pk).valid_until is None


def test_bad_input_is_refused_with_vietnamese_messages(personas, tree):
    admin, department = personas["system_admin"], national_department(tree)
    with pytest.raises(ValidationError) as error:
        services.grant_oversight(
            admin,
            grantee=department,
            unit=tree["nation"],
            functions=[],
            valid_from=datetime.date(2025, 3, 1),
            valid_until=datetime.date(2025, 2, 28),
            legal_basis="   ",
        )
    errors = error.value.message_dict
    assert "Chọn ít nhất một chức năng." in errors["functions"]
    assert "28/02/2025" in errors["valid_until"][0]
    assert "căn cứ pháp lý" in errors["legal_basis"][0]
    with pytest.raises(ValidationError) as error:
        grant(admin, tree["ministry"], department)  # its own subtree
    assert "không cần" in error.value.message_dict["unit"][0]
    with pytest.raises(ValidationError) as error:
        grant(admin, department, tree["nation"], ["edit_figures"])
    assert "functions" in error.value.message_dict
    assert not OversightGrant.objects.exists()


def test_grant_gives_nothing_outside_its_dates(personas, tree):
    user = overseer(tree)
    department = user.unit
    grant(
        personas["system_admin"],
        department,
        tree["nation"],
        [READ],
        valid_until=datetime.date(2025, 12, 31),
    )
    province = tree["province"]
    assert not permissions.oversees(user, province, READ, on=datetime.date(2025, 2, 28))
    assert permissions.oversees(user, province, READ, on=GRANT_FROM)
    assert permissions.oversees(user, province, READ, on=datetime.date(2025, 12, 31))
    assert not permissions.oversees(user, province, READ, on=datetime.date(2026, 1, 1))
    assert not permissions.oversees(user, province, INSPECT, on=datetime.date(2025, 6, 1))
    with time_machine.travel(datetime.date(2025, 6, 1)):
        assert permissions.can_read_reports(user, province)
    with time_machine.travel(datetime.date(2026, 6, 1)):
        assert not permissions.can_read_reports(user, province)


def test_ending_a_grant_stops_it_the_next_day(personas, tree):
    user = overseer(tree)
    admin = personas["system_admin"]
    given = grant(admin, user.unit, tree["nation"], [READ])[0]
    assert permissions.can_read_reports(user, tree["other_province"])
    ended = services.end_oversight(admin, given, on=datetime.date(2025, 9, 30))
    assert ended.valid_until == datetime.date(2025, 9, 30)
    assert not permissions.can_read_reports(user, tree["other_province"])
    with pytest.raises(ValidationError, match="đã kết thúc"):
        services.end_oversight(admin, ended, on=datetime.date(2025, 10, 1))
    with pytest.raises(ValidationError, match="01/03/2025"):
        services.end_oversight(admin, ended, on=datetime.date(2025, 1, 1))


def test_the_ministry_above_the_department_exercises_its_grants(personas, tree):
    department = national_department(tree)
    grant(personas["system_admin"], department, tree["province"], [READ])
    ministry = make_user("bnv_viewer", tree["ministry"], Role.VIEWER)
    assert permissions.can_read_reports(ministry, tree["commune"])
    # The province's units, and their history (the provinces it was formed from).
    assert permissions.can_read_reports(ministry, tree["legacy_commune"])
    assert not permissions.can_read_reports(ministry, tree["other_province"])
    assert not permissions.can_read_reports(personas["neighbour_officer"], tree["province"])


def test_page_grants_and_ends_for_the_system_admin_only(client, personas, tree):
    department = national_department(tree)
    url = reverse("accounts:oversight")
    client.force_login(personas["province_admin"])
    assert client.get(url).status_code == 403
    client.force_login(personas["system_admin"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Giám sát ngoài phạm vi" in page.content.decode()
    data = {
        "grantee_code": department.code.lower(),
        "unit_code": "VN",
        "functions": [INSPECT, READ],
        "valid_from": "01/03/2025",
        "valid_until": "",
        "legal_basis": BASIS,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert OversightGrant.objects.filter(grantee=department, unit=tree["nation"]).count() == 2
    page = client.get(url).content.decode()
    assert "Vụ Công tác thanh niên và Bình đẳng giới" in page and "Kiểm tra, giám sát" in page
    bad = client.post(url, {**data, "unit_code": "KHONGCO", "valid_from": "31/02/2025"})
    assert bad.status_code == 200
    given = OversightGrant.objects.filter(grantee=department).first()
    client.force_login(personas["province_admin"])
    assert client.post(reverse("accounts:oversight_end", args=[given.pk])).status_code == 403
    client.force_login(personas["system_admin"])
    client.post(reverse("accounts:oversight_end", args=[given.pk]))
    given.refresh_from_db()
    assert given.valid_until is not None


def test_the_demo_gives_the_national_department_oversight_of_the_nation(db):
    accounts = {user.username: user for user in setup_demo()}
    setup_demo()  # running it again gives nothing twice
    officer = accounts["bnv.nhaplieu"]
    grants = OversightGrant.objects.filter(grantee=officer.unit)
    assert sorted(grants.values_list("function", flat=True)) == sorted(OversightFunction.values)
    assert all(g.unit.code == "VN" and "25/2025/NĐ-CP" in g.legal_basis for g in grants)
    assert "Bình đẳng giới" in officer.unit.name
    assert permissions.may_inspect(officer.unit, OrgUnit.objects.get(code="LP51"), GRANT_FROM)
    assert permissions.can_read_reports(officer, OrgUnit.objects.get(code="P51"))
