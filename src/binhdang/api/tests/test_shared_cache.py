"""CACHE_URL: several worker processes or hosts share one cache (Redis), so that the API's rate
limit counts every request of a token whichever process answers it; /healthz says whether that
cache answers. Redis is on 127.0.0.1:6379 here and in CI (BINHDANG_REQUIRE_REDIS=1); elsewhere
these tests are skipped."""

import os
import runpy

import pytest
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from binhdang import settings as settings_module

REDIS = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by these tests
UNITS = "/api/v1/units"


def _shared(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "binhdang",
        }
    }


@pytest.fixture
def redis_cache():
    """Django's cache on Redis, as CACHE_URL sets it, emptied before and after."""
    other_process = RedisCache(REDIS, {"KEY_PREFIX": "binhdang"})
    try:
        other_process.clear()
    except Exception as error:
        if os.environ.get("BINHDANG_REQUIRE_REDIS") == "1":
            raise RuntimeError(f"Redis is required but unreachable: {error}") from error
        pytest.skip(f"Redis unreachable at {REDIS}: {error}")
    with override_settings(CACHES=_shared(REDIS), CACHE_URL=REDIS):
        yield other_process
    other_process.clear()


@override_settings(API_RATE_LIMIT="3/m")
def test_the_rate_limit_counts_in_the_shared_cache(redis_cache, personas, token_for):
    api = token_for(personas["commune_officer"])
    assert [api.get(UNITS).status_code for _ in range(3)] == [200, 200, 200]
    # Another process, with its own connection, sees the three requests…
    counted = [key for key in redis_cache._cache.get_client().keys("binhdang:*api_rate_*")]
    assert len(counted) == 1
    assert len(redis_cache.get(counted[0].decode().split(":", 2)[2])) == 3
    # …and refuses the fourth, as this one does.
    assert api.get(UNITS).status_code == 429


def test_health_reports_the_shared_cache(db, redis_cache, client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["cache"] == "ok"


def test_an_unreachable_shared_cache_takes_the_host_out_of_rotation(db, client):
    nowhere = "redis://127.0.0.1:9/0"  # the discard port: nothing answers Redis there
    with override_settings(CACHES=_shared(nowhere), CACHE_URL=nowhere):
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "error", "database": "ok", "cache": "unreachable"}


def test_without_cache_url_each_process_keeps_its_own(db, client):
    assert "cache" not in client.get("/healthz").json()


def _settings_with(monkeypatch, cache_url: str) -> dict:
    monkeypatch.setenv("CACHE_URL", cache_url)
    return runpy.run_path(settings_module.__file__)


def test_cache_url_is_read_from_the_environment(monkeypatch):
    caches = _settings_with(monkeypatch, "redis://cache.example.internal:6379/2")["CACHES"]
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert caches["default"]["LOCATION"] == "redis://cache.example.internal:6379/2"
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        _settings_with(monkeypatch, "memcached://cache.example.internal:11211")
    assert "CACHES" not in _settings_with(monkeypatch, "")
