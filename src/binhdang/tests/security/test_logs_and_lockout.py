"""Refusals are logged as one line each, not a traceback; a guesser is locked out per user name
from any address."""

import logging

import pytest
from django.test import override_settings
from django.urls import reverse

from binhdang.core.logging import RefusalsOnOneLine

pytestmark = pytest.mark.django_db
PASSWORD = "pw-binhdang-2026"


def _formatted(records) -> list[str]:
    handler = logging.StreamHandler()
    handler.addFilter(RefusalsOnOneLine())
    lines = []
    for record in records:
        if handler.filter(record):
            lines.append(handler.format(record))
    return lines


def test_the_settings_put_the_filter_on_every_handler(settings):
    filters = settings.LOGGING["filters"]
    name = next(k for k, v in filters.items() if v["()"].endswith("RefusalsOnOneLine"))
    for handler in settings.LOGGING["handlers"].values():
        assert name in handler.get("filters", []), handler


def test_a_403_is_one_line_without_traceback(client, personas, tree, caplog):
    client.force_login(personas["province_viewer"])
    url = reverse("orgunits:add_departments", args=[tree["province"].pk])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.post(url, {"others": "Sở Thử"}).status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    # The configured handler already dropped the traceback Django attached; formatting again
    # through the filter is one line as well.
    assert len(records) == 1 and records[0].exc_info is None
    lines = _formatted(records)
    assert len(lines) == 1
    assert "\n" not in lines[0] and "Traceback" not in lines[0]
    assert lines[0].startswith("Forbidden (Permission denied): ")
    assert "PermissionDenied" in lines[0] and url in lines[0]


def test_a_404_is_one_line_without_traceback(client, personas, tree, caplog):
    client.force_login(personas["commune_officer"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("orgunits:detail", args=[tree["other_province"].pk])).status_code
    lines = _formatted([r for r in caplog.records if r.name == "django.request"])
    assert lines and all("\n" not in line and "Traceback" not in line for line in lines)


def test_a_real_error_keeps_its_traceback():
    try:
        raise ZeroDivisionError("real bug")
    except ZeroDivisionError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: /x/",
            (),
            sys.exc_info(),
        )
    (line,) = _formatted([record])
    assert "Traceback" in line and "ZeroDivisionError: real bug" in line


@override_settings(AXES_FAILURE_LIMIT=5)
def test_failures_from_one_address_lock_the_name_on_another(client, personas):
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "commune_officer", "password": "sai-mat-khau"},
            REMOTE_ADDR="203.0.113.7",
        )
    locked = client.post(
        reverse("login"),
        {"username": "commune_officer", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=5)
def test_another_name_from_the_same_office_still_logs_in(client, personas):
    """A shared office address is not locked by one colleague's mistakes."""
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "commune_officer", "password": "sai-mat-khau"},
            REMOTE_ADDR="203.0.113.7",
        )
    response = client.post(
        reverse("login"),
        {"username": "neighbour_officer", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
