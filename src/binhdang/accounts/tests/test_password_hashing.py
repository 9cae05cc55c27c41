"""Passwords: argon2id with OWASP's parameters for new hashes, old PBKDF2 hashes upgraded at the
next sign-in. The suite itself hashes with MD5 (test_settings.py) for speed; these tests put the
production list back."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings
from django.urls import reverse

from binhdang import settings as production
from binhdang.accounts.hashers import OwaspArgon2idPasswordHasher
from binhdang.accounts.models import Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "Mật-khẩu-2026 của xã"


def test_production_hashes_new_passwords_with_owasp_argon2id():
    assert production.PASSWORD_HASHERS[0] == "binhdang.accounts.hashers.OwaspArgon2idPasswordHasher"
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        encoded = make_password(PASSWORD)
        assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert check_password(PASSWORD, encoded)
        assert not check_password(PASSWORD.replace("ậ", "a"), encoded)  # diacritics count
        assert isinstance(identify_hasher(encoded), OwaspArgon2idPasswordHasher)


@pytest.mark.parametrize(
    "old",
    [
        "pbkdf2_sha256",  # every account created before the change
        "pbkdf2_sha1",
        "argon2_django",  # Django's own argon2 parameters (100 MiB, 8 lanes)
    ],
)
def test_an_old_hash_is_upgraded_at_the_next_sign_in(client, tree, old):
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        if old == "argon2_django":
            from django.contrib.auth.hashers import Argon2PasswordHasher

            previous = Argon2PasswordHasher().encode(PASSWORD, "saltsaltsaltsalt")
            assert "m=102400,t=2,p=8" in previous
        else:
            previous = make_password(PASSWORD, hasher=old)
        user = User.objects.create(
            username="xa_officer", unit=tree["commune"], role=Role.DATA_OFFICER, password=previous
        )
        wrong = client.post(reverse("login"), {"username": "xa_officer", "password": "sai"})
        assert wrong.status_code == 200
        user.refresh_from_db()
        assert user.password == previous  # a failed attempt changes nothing

        response = client.post(reverse("login"), {"username": "xa_officer", "password": PASSWORD})
        assert response.status_code == 302
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert user.check_password(PASSWORD)
