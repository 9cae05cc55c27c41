"""/healthz: the database (503 when unreachable) and the background queue, for load balancers
and monitoring on several machines."""

import datetime
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from binhdang.core import health

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
pytestmark = pytest.mark.django_db


def _queued(minutes_ago: float) -> DBTaskResult:
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="binhdang.core.jobs.run",
        run_after=timezone.now(),
        backend_name="default",
    )
    enqueued = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=enqueued)
    return task


def test_health_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "queue": {"backend": "immediate", "status": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


@override_settings(TASKS=DATABASE_QUEUE, HEALTH_QUEUE_MAX_AGE=300)
def test_an_empty_or_moving_database_queue_is_ok(client):
    assert client.get("/healthz").json()["queue"] == {
        "backend": "database",
        "status": "ok",
        "waiting": 0,
        "oldest_waiting_seconds": 0,
    }
    _queued(minutes_ago=1)
    queue = client.get("/healthz").json()["queue"]
    assert queue["status"] == "ok" and queue["waiting"] == 1
    assert 50 <= queue["oldest_waiting_seconds"] <= 70


@override_settings(TASKS=DATABASE_QUEUE, HEALTH_QUEUE_MAX_AGE=300)
def test_a_stalled_worker_is_reported_but_the_host_stays_in_service(client):
    _queued(minutes_ago=2)
    _queued(minutes_ago=60)  # no worker has taken it for an hour
    response = client.get("/healthz")
    assert response.status_code == 200  # pages still work: the balancer keeps the host
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "ok"
    assert body["queue"]["status"] == "stale" and body["queue"]["waiting"] == 2
    assert body["queue"]["oldest_waiting_seconds"] >= 3590


@override_settings(TASKS=DATABASE_QUEUE)
def test_running_and_finished_tasks_are_not_waiting(client):
    task = _queued(minutes_ago=60)
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING")
    assert client.get("/healthz").json()["queue"]["waiting"] == 0


def test_an_unreachable_database_answers_503(client):
    down = mock.Mock()
    down.cursor.side_effect = OperationalError("connection refused")
    with mock.patch.object(health, "connection", down):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}
