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
