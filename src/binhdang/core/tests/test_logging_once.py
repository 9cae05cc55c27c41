"""Logs say each thing once under load: a warning repeated per request is logged once, and
background tasks do not write two lines each."""

import logging
import logging.config

from django.conf import settings

from binhdang.core.logging import SayOnce


def test_a_warning_repeated_per_request_is_logged_once(caplog):
    queue = logging.getLogger("waitress.queue")
    assert any(isinstance(f, SayOnce) for f in queue.filters)  # from settings.LOGGING
    SayOnce.seen.clear()  # as in a new process
    with caplog.at_level(logging.WARNING):
        for depth in range(1, 12_001):
            queue.warning("Task queue depth is %d", depth)
        logging.getLogger("binhdang.other").warning("Task queue depth is %d", 3)
    queue_lines = [r for r in caplog.records if r.name == "waitress.queue"]
    assert [r.getMessage() for r in queue_lines] == [
        "Task queue depth is 1 (said once: later ones are not logged)"
    ]
    assert [r.name for r in caplog.records if r.name != "waitress.queue"] == ["binhdang.other"]


def test_say_once_keeps_different_messages_apart():
    SayOnce.seen.clear()
    once = SayOnce()
    first = logging.LogRecord("x", logging.WARNING, "", 0, "Task queue depth is %d", (1,), None)
    again = logging.LogRecord("x", logging.WARNING, "", 0, "Task queue depth is %d", (9,), None)
    other = logging.LogRecord("x", logging.WARNING, "", 0, "Canceling %d task(s)", (2,), None)
    elsewhere = logging.LogRecord("y", logging.WARNING, "", 0, "Task queue depth is %d", (1,), None)
    assert once.filter(first) and first.getMessage().startswith("Task queue depth is 1 (said once")
    assert not once.filter(again) and not SayOnce().filter(again)  # a second instance too
    assert once.filter(other) and once.filter(elsewhere)


def test_background_tasks_log_only_failures():
    assert settings.LOGGING["loggers"]["django.tasks"]["level"] == "WARNING"
    # As configured at start-up (another test may have silenced the logger since).
    logging.config.dictConfig(settings.LOGGING)
    tasks = logging.getLogger("django.tasks")
    assert not tasks.isEnabledFor(logging.INFO) and tasks.isEnabledFor(logging.ERROR)
