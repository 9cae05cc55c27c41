"""Logging that keeps real errors visible: refusals (403, 404) are one line, not a traceback.

Django logs every PermissionDenied and Http404 raised in a view on `django.request` with the
exception attached, so each refusal writes a full traceback; an officer trying ids of another
unit buried the real errors under hundreds of them. A refusal is the platform working as meant.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

REFUSALS = (PermissionDenied, Http404)


class RefusalsOnOneLine(logging.Filter):
    """Drop the traceback of a 403 or 404 and keep one line naming the refusal and its reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        status = getattr(record, "status_code", None)
        if exc_info and exc_info[1] is not None and isinstance(exc_info[1], REFUSALS):
            reason = " ".join(str(exc_info[1]).split()) or "-"
            record.msg = f"{record.getMessage()} ({exc_info[0].__name__}: {reason})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        elif status in (403, 404) and exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


class SayOnce(logging.Filter):
    """Let a kind of message (its logger and unformatted text) through once per process.

    For warnings that repeat with every request while a condition lasts: waitress warns "Task
    queue depth is N" for each request that waits for a thread, 12,000 lines in a minute of a
    deadline's load, burying everything else. The first says the condition; it is not repeated.
    What was said is kept per process, not per filter: Django configures logging again when the
    WSGI application loads, which gives the logger a second instance of the filter.
    """

    seen: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "said_once", False):
            return True  # let through by another instance already
        kind = (record.name, str(record.msg))
        if kind in self.seen:
            return False
        self.seen.add(kind)
        record.said_once = True
        record.msg = f"{record.msg} (said once: later ones are not logged)"
        return True
