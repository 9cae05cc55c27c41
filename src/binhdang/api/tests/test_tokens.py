"""Personal access tokens: made and revoked on the account page, shown once, stored hashed,
refused when revoked or expired, read-only when so scoped, rate limited."""

import datetime
import hashlib

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from binhdang.accounts import services as account_services
from binhdang.accounts.models import AccessToken, TokenScope

from .conftest import TokenClient

pytestmark = [pytest.mark.django_db, pytest.mark.security]

UNITS = "/api/v1/units"


def test_a_token_is_made_on_the_account_page_shown_once_and_stored_hashed(client, personas):
    user = personas["commune_officer"]
    client.force_login(user)
    page = client.get(reverse("account:home")).content.decode()
    assert "Mã truy cập API" in page and "Bạn chưa có mã truy cập nào." in page
    response = client.post(
        reverse("account:token_create"),
        {"name": "Cổng thông tin tỉnh", "scope": "read", "expires_on": ""},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = response.context["text"]
    assert text.startswith("bd_") and text in response.content.decode()
    token = AccessToken.objects.get(user=user)
    # Only the digest is stored; the prefix identifies it on the account page.
    assert token.digest == hashlib.sha256(text.encode()).hexdigest()
    assert text not in {token.digest, token.prefix, token.name}
    assert text.startswith(f"bd_{token.prefix}_")
    page = client.get(reverse("account:home")).content.decode()
    assert "Cổng thông tin tỉnh" in page and f"bd_{token.prefix}" in page
    assert text not in page  # never shown again
    assert "chưa dùng" in page


def test_the_form_refuses_a_blank_name_and_a_past_expiry(client, personas):
    client.force_login(personas["commune_officer"])
    response = client.post(
        reverse("account:token_create"), {"name": "x", "scope": "write", "expires_on": "01/01/2020"}
    )
    assert "Ngày hết hạn phải ở tương lai." in response.content.decode()
    response = client.post(reverse("account:token_create"), {"name": "  ", "scope": "write"})
    assert not AccessToken.objects.exists() and response.status_code == 200


def test_last_use_is_recorded_and_shown(client, personas):
    user = personas["commune_officer"]
    token, text = account_services.create_token(user, "Kịch bản", TokenScope.READ)
    assert token.last_used_at is None
    assert TokenClient(client, text).get(UNITS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    client.force_login(user)
    assert "chưa dùng" not in client.get(reverse("account:home")).content.decode()


def test_a_revoked_token_is_refused_with_401(client, personas):
    user = personas["commune_officer"]
    token, text = account_services.create_token(user, "Kịch bản", TokenScope.WRITE)
    api = TokenClient(client, text)
    assert api.get(UNITS).status_code == 200
    client.force_login(user)
    client.post(reverse("account:token_revoke", args=[token.pk]))
    client.logout()
    response = api.get(UNITS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_someone_else_cannot_revoke_my_token(client, personas):
    token, text = account_services.create_token(personas["commune_officer"], "x", "read")
    client.force_login(personas["province_admin"])
    assert client.post(reverse("account:token_revoke", args=[token.pk])).status_code == 404
    assert TokenClient(client, text).get(UNITS).status_code == 200


def test_an_expired_token_is_refused_with_401(client, personas):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _token, text = account_services.create_token(personas["commune_officer"], "x", "read", tomorrow)
    api = TokenClient(client, text)
    assert api.get(UNITS).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert api.get(UNITS).status_code == 401


def test_no_token_a_wrong_one_or_a_session_is_401(client, personas):
    assert client.get(UNITS).status_code == 401
    assert TokenClient(client, "bd_0000_nothing").get(UNITS).status_code == 401
    client.force_login(personas["system_admin"])  # a session is not a token
    response = client.get(UNITS)
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_an_inactive_user_s_token_stops_working(client, personas):
    user = personas["commune_officer"]
    _token, text = account_services.create_token(user, "x", "read")
    user.is_active = False
    user.save()
    assert TokenClient(client, text).get(UNITS).status_code == 401


def test_a_read_only_token_cannot_write(client, personas, tree, catalogue, token_for):
    api = token_for(personas["commune_officer"], TokenScope.READ)
    body = {
        "unit": tree["commune"].pk,
        "year": 2025,
        "lines": [{"indicator": catalogue["2.1"].pk, "numerator": 3, "denominator": 10}],
    }
    response = api.post("/api/v1/figures/entries", body)
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_token"
    assert "chỉ đọc" in response.json()["detail"]


@override_settings(API_RATE_LIMIT="3/m")
def test_the_rate_limit_answers_429_with_retry_after(personas, token_for):
    api = token_for(personas["commune_officer"])
    other = token_for(personas["neighbour_officer"])
    assert [api.get(UNITS).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get(UNITS)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["code"] == "rate_limited"
    assert other.get(UNITS).status_code == 200  # counted per token


def test_tokens_per_user_are_bounded(personas):
    user = personas["commune_officer"]
    for number in range(account_services.TOKENS_PER_USER):
        account_services.create_token(user, f"t{number}", "read")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        account_services.create_token(user, "one more", "read")
