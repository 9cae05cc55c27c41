"""Tokens for the persona accounts, and a client that sends them."""

import pytest
from django.core.cache import cache

from binhdang.accounts import services as account_services
from binhdang.accounts.models import TokenScope


class TokenClient:
    """Django's test client, each request signed with a bearer token."""

    def __init__(self, client, text: str, language: str = "vi"):
        self.client, self.text, self.language = client, text, language

    def _headers(self, extra):
        return {
            "Authorization": f"Bearer {self.text}",
            "Accept-Language": self.language,
            **extra,
        }

    def get(self, path, params=None, **headers):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path, data, **headers):
        return self.client.post(
            path, data, content_type="application/json", headers=self._headers(headers)
        )


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """Each test starts with no requests counted against its tokens."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for(client):
    """A client signed with a new token of the user: token_for(user, scope="write")."""

    def make(user, scope: str = TokenScope.WRITE, language: str = "vi"):
        _token, text = account_services.create_token(user, "test", scope)
        return TokenClient(client, text, language)

    return make
