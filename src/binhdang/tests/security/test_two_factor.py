"""Two-factor login (TOTP, django-otp): enrolment with a QR code, the code at login, and a unit
administrator requiring it for approvers and administrators."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhdang.accounts import services
from binhdang.accounts.models import TwoFactorRequirement
from binhdang.conftest import make_user
from binhdang.core.audit import unit_history

PASSWORD = "pw-binhdang-2026"


@pytest.fixture(autouse=True)
def still_clock():
    """Codes change every 30 s. A test that crossed a period's end between enrolling and logging in
    had the device synchronise a step of drift, and its next-period code was refused (CI, stop 21):
    the clock stands still in the middle of a period."""
    moment = datetime.datetime(2026, 3, 10, 3, 0, 15, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        yield


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's phone shows now, or `steps_ahead` periods later (a phone whose clock
    runs ahead); a code already used cannot be used again, so tests take the next one."""
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"


def log_in(client, user) -> None:
    """The password step of logging in, through the login form."""
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def enrol(client, user) -> TOTPDevice:
    """Enrol an authenticator through the pages, as the user would."""
    client.get(reverse("account:two_factor"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("account:two_factor"), {"code": code_for(device), "confirm": ""})
    device.refresh_from_db()
    return device


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(client, personas):
    user = personas["commune_officer"]
    client.force_login(user)
    page = client.get(reverse("account:two_factor"))
    html = page.content.decode()
    assert '<img class="qr-code border" src="/account/two-factor/qr.svg"' in html
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32

    qr = client.get(reverse("account:two_factor_qr"))
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr["Content-Security-Policy"] == "default-src 'none'"
    assert b"<svg" in qr.content and b"<script" not in qr.content

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(reverse("account:two_factor"), {"code": "000000", "confirm": ""})
    assert "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()
    letters = client.post(reverse("account:two_factor"), {"code": "12a456", "confirm": ""})
    assert "Nhập 6 chữ số" in letters.content.decode()
    assert not services.has_two_factor(user)

    spaced = code_for(device)[:3] + " " + code_for(device)[3:]
    done = client.post(reverse("account:two_factor"), {"code": spaced, "confirm": ""})
    assert done.status_code == 302
    assert services.has_two_factor(user)
    # The secret is not shown again once confirmed, and the QR code is gone.
    assert client.get(reverse("account:two_factor_qr")).status_code == 404
    assert 'id="totp-secret"' not in client.get(reverse("account:two_factor")).content.decode()


def test_login_asks_for_the_code_and_nothing_opens_before_it(client, personas):
    user = personas["commune_officer"]
    client.force_login(user)
    device = enrol(client, user)
    client.logout()

    log_in(client, user)
    home = client.get(reverse("orgunits:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("account:two_factor_verify") + "?next=")
    # Someone who has only the password cannot reach any page, nor enrol a new authenticator.
    for path in ("/account/", "/account/two-factor/", "/account/password/", "/users/", "/plans/"):
        assert client.get(path)["Location"].startswith(reverse("account:two_factor_verify"))
    blocked = client.post(reverse("account:two_factor"), {"code": "123456", "confirm": ""})
    assert blocked["Location"].startswith(reverse("account:two_factor_verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    verify = reverse("account:two_factor_verify") + "?next=/plans/"
    wrong = client.post(verify, {"code": "000000", "next": "/plans/"})
    assert "Mã không đúng hoặc đã hết hạn" in wrong.content.decode()
    # The code is good for the next period too (the phone's clock may be a little ahead).
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(verify, {"code": code_for(device, steps_ahead=1), "next": "/plans/"})
    assert ok.status_code == 302 and ok["Location"] == "/plans/"
    assert client.get(reverse("orgunits:home"), follow=True).status_code == 200


def test_verification_refuses_an_outside_next_address(client, personas):
    user = personas["commune_officer"]
    client.force_login(user)
    device = enrol(client, user)
    client.logout()
    log_in(client, user)
    response = client.post(
        reverse("account:two_factor_verify"),
        {"code": code_for(device, steps_ahead=1), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("workboard:home")


def test_turning_it_off_needs_a_current_code(client, personas):
    user = personas["commune_officer"]
    client.force_login(user)
    device = enrol(client, user)
    refused = client.post(reverse("account:two_factor"), {"code": "000000", "remove": ""})
    assert "Mã không đúng hoặc đã hết hạn" in refused.content.decode()
    assert services.has_two_factor(user)
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    client.post(reverse("account:two_factor"), {"code": code_for(device, 1), "remove": ""})
    assert not services.has_two_factor(user)


def test_a_unit_administrator_requires_it_for_approvers_and_administrators(client, personas, tree):
    admin = personas["province_admin"]
    client.force_login(admin)
    policy = reverse("accounts:two_factor_policy", args=[tree["province"].pk])
    assert "Chưa bắt buộc" in client.get(policy).content.decode()
    client.post(policy, {"required": "1"})
    assert TwoFactorRequirement.objects.filter(unit=tree["province"]).exists()

    # The administrator who set it is sent to enrol at once.
    home = client.get(reverse("orgunits:home"))
    assert home["Location"].startswith(reverse("account:two_factor") + "?next=")

    commune_approver = make_user("xa.pheduyet", tree["commune"], "approver")
    hanoi_approver = make_user("hn.pheduyet", tree["other_province"], "approver")
    for user, must in [
        (personas["province_approver"], True),
        (commune_approver, True),  # a unit below the province
        (admin, True),
        (personas["commune_officer"], False),  # data officers are not covered
        (personas["province_viewer"], False),
        (hanoi_approver, False),  # another province
    ]:
        assert services.two_factor_required(user) is must, user.username
        client.force_login(user)
        response = client.get(reverse("orgunits:home"))
        sent_to_enrol = response.status_code == 302 and response["Location"].startswith(
            reverse("account:two_factor")
        )
        assert sent_to_enrol is must, user.username

    # Enrolled, the approver works normally; the required factor cannot be turned off.
    client.force_login(personas["province_approver"])
    enrol(client, personas["province_approver"])
    assert client.get(reverse("orgunits:home"), follow=True).status_code == 200
    page = client.get(reverse("account:two_factor")).content.decode()
    assert 'name="remove"' not in page
    device = TOTPDevice.objects.get(user=personas["province_approver"])
    refused = client.post(
        reverse("account:two_factor"), {"code": code_for(device, 1), "remove": ""}
    )
    assert "không tắt được" in refused.content.decode()
    assert services.has_two_factor(personas["province_approver"])

    # Stopping the requirement: the approver may keep using it.
    client.force_login(admin)
    TOTPDevice.objects.create(user=admin, confirmed=True)  # so the admin can act
    services.set_two_factor_requirement(admin, tree["province"], False)
    assert not services.two_factor_required(personas["province_viewer"])
    assert not services.two_factor_required(commune_approver)


def test_who_may_require_it(client, personas, tree):
    with pytest.raises(PermissionDenied):
        services.set_two_factor_requirement(personas["province_approver"], tree["province"], True)
    commune_admin = make_user("xa.quantri", tree["commune"], "unit_admin")
    with pytest.raises(PermissionDenied):
        services.set_two_factor_requirement(commune_admin, tree["province"], True)
    client.force_login(personas["province_approver"])
    policy = reverse("accounts:two_factor_policy", args=[tree["province"].pk])
    assert client.post(policy, {"required": "1"}).status_code == 403
    client.force_login(personas["province_admin"])
    hanoi = reverse("accounts:two_factor_policy", args=[tree["other_province"].pk])
    assert client.get(hanoi).status_code == 404
    assert not TwoFactorRequirement.objects.exists()
    # A system administrator may require it nation-wide; it then covers every approver.
    services.set_two_factor_requirement(personas["system_admin"], tree["nation"], True)
    assert services.two_factor_required(make_user("hn.pd", tree["other_province"], "approver"))


def test_an_administrator_removes_a_lost_authenticator(client, personas, tree):
    user = personas["province_approver"]
    TOTPDevice.objects.create(user=user, confirmed=True)
    with pytest.raises(PermissionDenied):
        services.remove_two_factor(personas["commune_officer"], user)
    hanoi_admin = make_user("hn.quantri", tree["other_province"], "unit_admin")
    with pytest.raises(PermissionDenied):
        services.remove_two_factor(hanoi_admin, user)
    client.force_login(personas["province_admin"])
    TOTPDevice.objects.create(user=personas["province_admin"], confirmed=True)
    edit = reverse("accounts:edit", args=[user.pk])
    # The administrator's own session must be verified first.
    assert client.get(edit)["Location"].startswith(reverse("account:two_factor_verify"))
    TOTPDevice.objects.filter(user=personas["province_admin"]).delete()
    assert "Xóa xác thực hai lớp" in client.get(edit).content.decode()
    client.post(edit, {"reset_two_factor": ""})
    assert not services.has_two_factor(user)
    entry = unit_history(user.unit_id).first()
    assert entry.actor == personas["province_admin"] and entry.object_repr == user.username
    assert entry.changes == {"two_factor": ["on", "off"]}


def test_recovery_codes_log_in_once_without_the_phone(client, personas):
    user = personas["commune_officer"]
    client.force_login(user)
    device = enrol(client, user)
    page = client.post(reverse("account:two_factor"), {"code": code_for(device, 1), "recovery": ""})
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", page.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert services.recovery_codes_left(user) == 10
    client.logout()

    log_in(client, user)
    verify = reverse("account:two_factor_verify")
    assert client.post(verify, {"code": codes[0].upper()})["Location"] == reverse("workboard:home")
    assert services.recovery_codes_left(user) == 9
    client.logout()
    log_in(client, user)
    reused = client.post(verify, {"code": codes[0]})
    assert "Mã không đúng hoặc đã hết hạn" in reused.content.decode()
    # An administrator's reset removes the recovery codes too.
    services.remove_two_factor(personas["province_admin"], user)
    assert services.recovery_codes_left(user) == 0 and not services.has_two_factor(user)
