"""Self-service passwords: change your own, reset a forgotten one by e-mail (Django's views, in
Vietnamese), and the validators' messages in Vietnamese."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

PASSWORD = "pw-binhdang-2026"


def test_the_password_validators_speak_vietnamese():
    with translation.override("vi"):
        for password, expected in [
            ("abc", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
            ("12345678901", "Mật khẩu này hoàn toàn là số."),
            ("password", "Mật khẩu này quá phổ biến."),
        ]:
            with pytest.raises(ValidationError) as refused:
                validate_password(password)
            assert expected in refused.value.messages


def test_the_account_page_exists_for_everyone_signed_in(client, personas):
    client.force_login(personas["province_viewer"])
    page = client.get("/account/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tài khoản của tôi" in html and 'href="/account/password/"' in html
    assert (
        client.get(reverse("orgunits:home"), follow=True).content.decode().count('href="/account/"')
    )


def test_a_user_changes_their_own_password(client, personas):
    user = personas["commune_officer"]
    client.force_login(user)
    url = reverse("account:password_change")
    wrong_old = client.post(
        url,
        {
            "old_password": "sai",
            "new_password1": "Bình-đẳng-2026",
            "new_password2": "Bình-đẳng-2026",
        },
    )
    assert wrong_old.status_code == 200
    assert "Mật khẩu cũ không chính xác" in wrong_old.content.decode()
    too_short = client.post(
        url, {"old_password": PASSWORD, "new_password1": "ab1", "new_password2": "ab1"}
    )
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in too_short.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    done = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Bình-đẳng-2026",
            "new_password2": "Bình-đẳng-2026",
        },
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("account:password_change_done")
    assert "Mật khẩu của bạn đã được đổi." in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("Bình-đẳng-2026") and not user.check_password(PASSWORD)
    # Still signed in on this computer.
    assert client.get(reverse("account:home")).status_code == 200


def test_a_forgotten_password_is_reset_by_email(client, personas):
    user = personas["commune_officer"]
    user.email = "can.bo@xa.quangngai.gov.vn"
    user.save()
    login_page = client.get(reverse("login")).content.decode()
    assert 'href="/account/reset/"' in login_page and "Quên mật khẩu?" in login_page

    sent = client.post(reverse("account:password_reset"), {"email": "CAN.BO@xa.quangngai.gov.vn"})
    assert sent.status_code == 302 and sent["Location"] == reverse("account:password_reset_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["can.bo@xa.quangngai.gov.vn"]
    assert message.subject == "Binhdang: đặt lại mật khẩu"
    assert "Tên đăng nhập: commune_officer" in message.body
    link = re.search(r"http://testserver(/account/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Chọn mật khẩu mới" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    mismatch = client.post(
        set_url, {"new_password1": "Bình-đẳng-2026", "new_password2": "Binh-dang-2026"}
    )
    assert "Hai trường mật khẩu không giống nhau" in mismatch.content.decode()
    done = client.post(
        set_url, {"new_password1": "Bình-đẳng-2026", "new_password2": "Bình-đẳng-2026"}
    )
    assert done["Location"] == reverse("account:password_reset_done")
    user.refresh_from_db()
    assert user.check_password("Bình-đẳng-2026")

    # The link works once.
    again = client.get(link, follow=True)
    assert "Liên kết này không còn dùng được" in again.content.decode()
    # And the new password logs in.
    signed_in = client.post(
        reverse("login"), {"username": "commune_officer", "password": "Bình-đẳng-2026"}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == "/"


def test_reset_does_not_reveal_which_addresses_have_an_account(client, personas):
    response = client.post(reverse("account:password_reset"), {"email": "ai.do@example.com"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "account:password_reset_sent"
    )
    assert mail.outbox == []


def test_a_user_without_a_unit_still_manages_their_own_password(client, tree):
    from binhdang.conftest import make_user

    orphan = make_user("chua.co.don.vi", None, "viewer")
    client.force_login(orphan)
    assert client.get(reverse("orgunits:home")).status_code == 403
    assert client.get(reverse("account:home")).status_code == 200
    assert client.get(reverse("account:password_change")).status_code == 200


def test_the_reset_link_is_https_behind_a_tls_proxy(client, personas, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["binhdang.example.gov.vn"]
    user = personas["province_viewer"]
    user.email = "xem@quangngai.gov.vn"
    user.save()
    proxied = {"Host": "binhdang.example.gov.vn", "X-Forwarded-Proto": "https"}
    client.post(reverse("account:password_reset"), {"email": user.email}, headers=proxied)
    assert "https://binhdang.example.gov.vn/account/reset/" in mail.outbox[0].body
