"""Signing in: Vietnamese by default, lockout after repeated failures, and no unit, no access."""

import pytest
from django.test import override_settings
from django.urls import reverse

from binhdang.accounts.models import Role
from binhdang.conftest import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pw-binhdang-2026"


def test_pages_need_login(client, tree):
    response = client.get(reverse("orgunits:detail", args=[tree["province"].pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_login_page_is_vietnamese_by_default_and_english_on_request(client):
    # An English browser still gets Vietnamese until the user picks English.
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng nhập" in page and 'lang="vi"' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert "Log in to Binhdang" in client.get(reverse("login")).content.decode()


def test_login_lands_on_the_work_board_and_units_on_own_unit(client, personas, tree):
    response = client.post(
        reverse("login"), {"username": "commune_officer", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("workboard:home")
    assert tree["commune"].name in response.content.decode()
    response = client.get(reverse("orgunits:home"), follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("orgunits:detail", args=[tree["commune"].pk])
    assert "Việt Nam" in page and "Tỉnh Quảng Ngãi" in page and tree["commune"].name in page


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_after_repeated_failures(client, personas):
    for _ in range(3):
        client.post(reverse("login"), {"username": "commune_officer", "password": "sai"})
    locked = client.post(reverse("login"), {"username": "commune_officer", "password": PASSWORD})
    assert locked.status_code == 429
    assert "đăng nhập sai" in locked.content.decode().lower()
    assert "_auth_user_id" not in client.session


def test_wrong_password_message_is_vietnamese(client, personas):
    page = client.post(reverse("login"), {"username": "commune_officer", "password": "sai"})
    assert page.status_code == 200 and "mật khẩu" in page.content.decode().lower()


def test_user_without_unit_gets_a_clear_message(client):
    make_user("nobody", None, Role.DATA_OFFICER)
    client.post(reverse("login"), {"username": "nobody", "password": PASSWORD})
    response = client.get("/", follow=True)
    assert response.status_code == 403
    assert "chưa được gán đơn vị" in response.content.decode()


def test_error_pages_are_vietnamese(client, personas):
    client.force_login(personas["commune_officer"])
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404 and "Không tìm thấy trang" in page.content.decode()
