"""Account management: scope, role ceilings, and the rules on one's own account."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from binhdang.accounts import services
from binhdang.accounts.models import Role, User

pytestmark = pytest.mark.django_db

GOOD = {
    "password": "Hoa-sen-2026!",
    "full_name": "Nguyễn Văn A",
    "email": "",
    "title": "",
    "phone": "",
}


def test_unit_admin_creates_account_below(personas, tree):
    user = services.create_user(
        personas["province_admin"],
        username="xa.moi",
        unit=tree["commune"],
        role=Role.DATA_OFFICER,
        **GOOD,
    )
    assert user.unit == tree["commune"] and user.check_password(GOOD["password"])


@pytest.mark.parametrize(
    ("actor", "target", "role", "error"),
    [
        ("province_admin", "other_province", Role.VIEWER, PermissionDenied),
        ("province_admin", "commune", Role.SYSTEM_ADMIN, ValidationError),
        ("province_approver", "commune", Role.VIEWER, PermissionDenied),
        ("commune_officer", "commune", Role.VIEWER, PermissionDenied),
        ("ministry_officer", "ministry", Role.VIEWER, PermissionDenied),
    ],
)
def test_create_refused_outside_scope_or_above_role(personas, tree, actor, target, role, error):
    with pytest.raises(error):
        services.create_user(personas[actor], username="x", unit=tree[target], role=role, **GOOD)
    assert not User.objects.filter(username="x").exists()


def test_weak_password_and_taken_name_are_refused_in_vietnamese(personas, tree):
    admin = personas["province_admin"]
    with pytest.raises(ValidationError) as weak:
        services.create_user(
            admin,
            username="x",
            unit=tree["commune"],
            role=Role.VIEWER,
            **{**GOOD, "password": "123"},
        )
    assert "password" in weak.value.message_dict
    with pytest.raises(ValidationError) as taken:
        services.create_user(
            admin, username="COMMUNE_OFFICER", unit=tree["commune"], role=Role.VIEWER, **GOOD
        )
    assert "username" in taken.value.message_dict


def test_admin_cannot_change_own_role_or_deactivate_self(personas):
    admin = personas["province_admin"]
    with pytest.raises(ValidationError):
        services.update_user(admin, admin, role=Role.VIEWER)
    with pytest.raises(ValidationError):
        services.update_user(admin, admin, is_active=False)


def test_admin_cannot_touch_accounts_outside_scope(personas):
    with pytest.raises(PermissionDenied):
        services.update_user(
            personas["province_admin"], personas["ministry_officer"], role=Role.VIEWER
        )
    with pytest.raises(PermissionDenied):
        services.set_password(personas["province_admin"], personas["system_admin"], "Abc-12345!")


def test_account_pages_by_url(client, personas, tree):
    client.force_login(personas["province_admin"])
    listing = client.get(reverse("accounts:list")).content.decode()
    assert "commune_officer" in listing and "ministry_officer" not in listing
    assert (
        client.get(reverse("accounts:edit", args=[personas["ministry_officer"].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("accounts:create", args=[tree["other_province"].pk])).status_code == 404
    )
    client.force_login(personas["commune_officer"])
    assert client.get(reverse("accounts:list")).status_code == 403
    assert (
        client.get(reverse("accounts:edit", args=[personas["neighbour_officer"].pk])).status_code
        == 404
    )


def test_create_account_through_the_page(client, personas, tree):
    client.force_login(personas["province_admin"])
    url = reverse("accounts:create", args=[tree["commune"].pk])
    response = client.post(
        url,
        {
            "username": "can.bo.xa",
            "password": GOOD["password"],
            "full_name": "Cán bộ xã",
            "role": Role.DATA_OFFICER,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="can.bo.xa").unit == tree["commune"]
    refused = client.post(
        url,
        {
            "username": "ke.gian",
            "password": GOOD["password"],
            "full_name": "X",
            "role": Role.SYSTEM_ADMIN,
        },
    )
    assert refused.status_code == 200 and not User.objects.filter(username="ke.gian").exists()


def test_edit_account_and_password_through_the_page(client, personas):
    client.force_login(personas["province_admin"])
    officer = personas["commune_officer"]
    url = reverse("accounts:edit", args=[officer.pk])
    client.post(url, {"save": "1", "full_name": "Tên mới", "role": Role.VIEWER, "is_active": "on"})
    officer.refresh_from_db()
    assert (officer.first_name, officer.role) == ("Tên mới", Role.VIEWER)
    client.post(url, {"set_password": "1", "password": "Mat-khau-moi-2026"})
    officer.refresh_from_db()
    assert officer.check_password("Mat-khau-moi-2026")


def test_move_an_account_to_another_unit_by_code(client, personas, tree):
    client.force_login(personas["province_admin"])
    officer = personas["commune_officer"]
    url = reverse("accounts:edit", args=[officer.pk])
    data = {"save": "1", "full_name": "X", "role": Role.DATA_OFFICER, "is_active": "on"}
    client.post(url, {**data, "unit_code": tree["neighbour"].official_code})
    officer.refresh_from_db()
    assert officer.unit == tree["neighbour"]
    refused = client.post(url, {**data, "unit_code": tree["far_commune"].code})
    assert "trong phạm vi của bạn" in refused.content.decode()
    officer.refresh_from_db()
    assert officer.unit == tree["neighbour"]
