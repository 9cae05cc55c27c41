"""Audit hook-up: which models are audited, and reading a unit's history.

django-auditlog records every create, update and delete of a registered model with the actor, the
remote address (from its middleware) and the changed fields' old and new values. Each audited model
says which unit it belongs to through `audit_unit_id()`, stored in the entry's `additional_data`,
so that a unit's history is one query over the log.
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog

UNIT_KEY = "unit_id"


class AuditedMixin:
    """Mix into a model whose changes belong to a unit's history."""

    def audit_unit_id(self) -> int | None:
        raise NotImplementedError

    def get_additional_data(self) -> dict:
        return {UNIT_KEY: self.audit_unit_id()}


def register(model, exclude_fields: list[str] | None = None) -> None:
    """Audit every create, update and delete of `model`."""
    auditlog.register(model, exclude_fields=exclude_fields or [])


def unit_history(unit_id: int, *more_unit_ids: int):
    """Audit entries of the records that belong to a unit (or to any of the units given: a
    merged unit and those it was formed from), newest first."""
    condition = (
        {"additional_data__unit_id__in": [unit_id, *more_unit_ids]}
        if more_unit_ids
        else {"additional_data__unit_id": unit_id}
    )
    return (
        LogEntry.objects.filter(**condition)
        .select_related("actor", "content_type")
        .order_by("-timestamp")
    )
