"""The health check's findings: is the database reachable, and is the background queue moving.

Load balancers take a host out of rotation on HTTP 503, so only what makes this host unable to
serve answers 503: its database, or the shared cache when one is configured (CACHE_URL: every
cache read would fail). A stalled background worker leaves every app host able to
serve pages (only reports and queued e-mails wait), so it is reported ("degraded", with the age
of the oldest waiting task) for monitoring to alert on, with HTTP 200.
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils import timezone

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


def _database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _cache_status() -> str | None:
    """ "ok" or "unreachable" for a shared cache (CACHE_URL); None for the process's own."""
    if not settings.CACHE_URL:
        return None
    try:
        cache.set("health", "ok", 10)
        return "ok" if cache.get("health") == "ok" else "unreachable"
    except Exception:  # the backend's own connection errors (redis.ConnectionError…)
        return "unreachable"


def queue_status(now: datetime.datetime | None = None) -> dict:
    """The background queue: its backend and, when queued in the database, how many tasks wait
    and how long the oldest has waited (a worker that stopped shows as a growing age)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != DATABASE_BACKEND:
        return {"backend": "immediate", "status": "ok"}  # tasks run in the asking process
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    age = ((now or timezone.now()) - oldest).total_seconds() if oldest else 0
    return {
        "backend": "database",
        "status": "stale" if age > settings.HEALTH_QUEUE_MAX_AGE else "ok",
        "waiting": waiting.count(),
        "oldest_waiting_seconds": round(age),
    }


def check() -> tuple[dict, int]:
    """The health answer and its HTTP status: 503 when the database cannot be reached."""
    shared_cache = _cache_status()
    cache_part = {} if shared_cache is None else {"cache": shared_cache}
    if not _database_reachable():
        return {"status": "error", "database": "unreachable", **cache_part}, 503
    if shared_cache == "unreachable":
        return {"status": "error", "database": "ok", **cache_part}, 503
    try:
        queue = queue_status()
    except DatabaseError:
        queue = {"status": "unreachable"}
    overall = "ok" if queue["status"] == "ok" else "degraded"
    return {"status": overall, "database": "ok", **cache_part, "queue": queue}, 200
