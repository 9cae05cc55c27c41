"""Departments added by administrators, and the audit trail on the unit's history page."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.core.audit import unit_history
from binhdang.orgunits import services
from binhdang.orgunits.models import Kind, OrgUnit

pytestmark = pytest.mark.django_db


def test_admin_adds_departments_to_a_province(personas, tree):
    created = services.add_departments(
        personas["province_admin"], tree["province"], ["Sở Y tế", "  Hội  Liên hiệp Phụ nữ tỉnh "]
    )
    assert [u.name for u in created] == ["Sở Y tế", "Hội Liên hiệp Phụ nữ tỉnh"]
    assert {u.kind for u in created} == {Kind.PROVINCIAL_DEPARTMENT}
    assert all(u.is_within(tree["province"]) and u.depth == 2 for u in created)
    assert created[0].code == "P51-D001" and created[1].code == "P51-D002"


def test_ministry_departments_are_central_departments(personas, tree):
    admin = make_user("bnv_admin", tree["ministry"], Role.UNIT_ADMIN)
    (unit,) = services.add_departments(admin, tree["ministry"], ["Vụ Tổ chức cán bộ"])
    assert unit.kind == Kind.CENTRAL_DEPARTMENT and unit.parent == tree["ministry"]


@pytest.mark.parametrize(
    ("names", "fragment"),
    [(["Sở Y tế", "sở y tế"], "Sở Y tế"), (["   "], "ít nhất"), ([], "ít nhất")],
)
def test_duplicate_or_empty_names_are_refused(personas, tree, names, fragment):
    with pytest.raises(ValidationError):
        services.add_departments(personas["province_admin"], tree["province"], names)
    assert not tree["province"].children.filter(kind=Kind.PROVINCIAL_DEPARTMENT).exists()


def test_existing_department_name_is_refused(personas, tree):
    services.add_departments(personas["province_admin"], tree["province"], ["Sở Y tế"])
    with pytest.raises(ValidationError) as error:
        services.add_departments(personas["province_admin"], tree["province"], ["SỞ Y TẾ"])
    assert "SỞ Y TẾ" in str(error.value)


def test_departments_only_under_ministries_and_provinces(personas, tree):
    with pytest.raises(ValidationError):
        services.add_departments(personas["system_admin"], tree["commune"], ["Ban X"])
    # A former province takes departments (issue 12), but only within its validity.
    with pytest.raises(ValidationError):
        services.add_departments(
            personas["system_admin"],
            tree["legacy_province"],
            ["Sở X"],
            valid_to=datetime.date(2025, 12, 31),
        )
    with pytest.raises(PermissionDenied):
        services.add_departments(personas["province_approver"], tree["province"], ["Sở X"])


def test_rename_and_close_department(personas, tree):
    admin = personas["province_admin"]
    (unit,) = services.add_departments(admin, tree["province"], ["Sở Y te"])
    services.update_department(admin, unit, name="Sở Y tế", short_name="SYT")
    unit.refresh_from_db()
    assert (unit.name, unit.short_name, unit.search_name) == ("Sở Y tế", "SYT", "so y te")
    with pytest.raises(ValidationError):
        services.update_department(admin, tree["commune"], name="Đổi tên xã")
    holder = make_user("so_y_te", unit, Role.DATA_OFFICER)
    with pytest.raises(ValidationError):
        services.close_department(admin, unit)
    holder.is_active = False
    holder.save()
    services.close_department(admin, unit, on=datetime.date(2026, 1, 1))
    unit.refresh_from_db()
    assert unit.valid_to == datetime.date(2026, 1, 1)


def test_add_departments_page_offers_the_default_list(client, personas, tree):
    client.force_login(personas["province_admin"])
    url = reverse("orgunits:add_departments", args=[tree["province"].pk])
    assert "Sở Nội vụ" in client.get(url).content.decode()
    response = client.post(url, {"suggested": ["Sở Nội vụ", "Sở Tư pháp"], "others": "Ban Dân tộc"})
    assert response.status_code == 302
    names = set(tree["province"].children.values_list("name", flat=True))
    assert {"Sở Nội vụ", "Sở Tư pháp", "Ban Dân tộc"} <= names
    assert "Sở Nội vụ" not in client.get(url).content.decode()  # no longer suggested


def test_changes_are_audited_with_who_where_old_and_new(client, personas, tree):
    admin = personas["province_admin"]
    client.force_login(admin)
    client.post(
        reverse("orgunits:add_departments", args=[tree["province"].pk]),
        {"others": "Sở Y te"},
        REMOTE_ADDR="10.1.2.3",
    )
    unit = OrgUnit.objects.get(name="Sở Y te")
    client.post(
        reverse("orgunits:edit_department", args=[unit.pk]),
        {"name": "Sở Y tế", "short_name": ""},
        REMOTE_ADDR="10.1.2.3",
    )
    entry = LogEntry.objects.get_for_object(unit).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == admin and entry.remote_addr == "10.1.2.3"
    assert entry.changes_dict["name"] == ["Sở Y te", "Sở Y tế"]
    page = client.get(reverse("orgunits:history", args=[unit.pk])).content.decode()
    assert "Sở Y te" in page and "Sở Y tế" in page and "10.1.2.3" in page


def test_account_changes_show_in_the_unit_history(client, personas, tree):
    client.force_login(personas["province_admin"])
    officer = personas["commune_officer"]
    client.post(
        reverse("accounts:edit", args=[officer.pk]),
        {"save": "1", "full_name": "Lê Văn B", "role": Role.VIEWER, "is_active": "on"},
    )
    page = client.get(reverse("orgunits:history", args=[tree["commune"].pk])).content.decode()
    assert "Lê Văn B" in page and "Người xem" in page  # the new role, by its label
    other = client.get(reverse("orgunits:history", args=[tree["neighbour"].pk])).content.decode()
    assert "Lê Văn B" not in other


def test_unit_page_shows_counts_lineage_and_history_toggle(client, personas, tree):
    client.force_login(personas["system_admin"])
    url = reverse("orgunits:detail", args=[tree["province"].pk])
    page = client.get(url, {"kind": tree["commune"].kind}).content.decode()
    assert "Tỉnh Quảng Ngãi" in page and tree["commune"].name in page
    for old in tree["province"].predecessors.all():
        assert old.name in page
    old_page = client.get(url, {"history": "1"}).content.decode()
    assert tree["commune"].name not in old_page
    nation = client.get(
        reverse("orgunits:detail", args=[tree["nation"].pk]), {"history": "1"}
    ).content.decode()
    assert "Tỉnh Kon Tum" in nation  # merged into Quảng Ngãi in 2025


def test_entries_of_the_same_instant_read_newest_written_first(client, personas, tree):
    """A unit's history is newest first even when several entries share one timestamp (a
    transaction writing several records, or a coarse clock): the last written comes first."""
    client.force_login(personas["province_admin"])
    officer = personas["commune_officer"]
    for name in ("Lê Văn A", "Lê Văn B", "Lê Văn C"):
        client.post(
            reverse("accounts:edit", args=[officer.pk]),
            {"save": "1", "full_name": name, "role": Role.VIEWER, "is_active": "on"},
        )
    written = list(unit_history(tree["commune"].pk).values_list("pk", flat=True))
    LogEntry.objects.filter(pk__in=written).update(
        timestamp=datetime.datetime(2026, 3, 10, 3, 0, tzinfo=datetime.UTC)
    )
    newest = unit_history(tree["commune"].pk).first()
    assert newest.pk == max(written) and newest.changes_dict["first_name"][1] == "Lê Văn C"
