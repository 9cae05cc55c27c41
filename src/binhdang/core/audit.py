"""Audit hook-up: which models are audited, and reading a unit's history.

django-auditlog records every create, update and delete of a registered model with the actor, the
remote address (from its middleware) and the changed fields' old and new values. Each audited model
says which unit it belongs to through `audit_unit_id()`, stored in the entry's `additional_data`,
so that a unit's history is one query over the log.
"""

import contextlib
import datetime
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models, router
from django.db.models import ForeignObjectRel
from django.db.models.signals import pre_save
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from binhdang.core.numbers import write_number

UNIT_KEY = "unit_id"


class AuditedMixin:
    """Mix into a model whose changes belong to a unit's history."""

    def audit_unit_id(self) -> int | None:
        raise NotImplementedError

    def get_additional_data(self) -> dict:
        return {UNIT_KEY: self.audit_unit_id()}


def register(model, exclude_fields: list[str] | None = None) -> None:
    """Audit every create, update and delete of `model`, its own fields only: the key and the
    reverse relations (logged as "plans.Task.None") say nothing to a reader."""
    reverse = [f.name for f in model._meta.get_fields() if isinstance(f, ForeignObjectRel)]
    # Fields no one types (a folded search text, a path, the row's timestamps) follow from
    # others or from the entry's own time: nothing to read.
    derived = [f.name for f in model._meta.concrete_fields if not f.editable]
    auditlog.register(model, exclude_fields=[*(exclude_fields or []), *reverse, *derived, "id"])


# Marks on the entries written while handling one request that did not come through a signed-in
# page (the API): who acted, and how (e.g. {"via": "api", "token": "1a2b3c4d"}). The request's
# user is unknown to auditlog's middleware there: the token names it only later.
_marks: ContextVar[tuple | None] = ContextVar("binhdang_audit_marks", default=None)


@contextlib.contextmanager
def marking():
    """Scope for `mark`: the marks end with the block (one request)."""
    token = _marks.set(None)
    try:
        yield
    finally:
        _marks.reset(token)


def mark(actor, **data) -> None:
    """Write `actor` and `data` into every entry logged from now until `marking` ends."""
    _marks.set((actor, data))


def add_marks(sender, instance, **kwargs) -> None:
    """pre_save receiver on LogEntry (connected by core's app config)."""
    marks = _marks.get()
    if marks is None:
        return
    actor, data = marks
    if instance.actor_id is None and actor is not None:
        instance.actor = actor
        instance.actor_email = getattr(actor, "email", None) or None
    instance.additional_data = {**(instance.additional_data or {}), **data}


def log_saves(saves) -> None:
    """Audit rows written in bulk, which django-auditlog's signals do not see: for each
    (old, new) pair, the entry its save would have written (a creation when `old` is None, else
    the changed fields), all inserted in one query. The receivers of LogEntry's pre_save run on
    each entry as on a save: they add the actor, the address and the marks (`mark`)."""
    if auditlog_disabled.get():
        return
    entries = []
    for old, new in saves:
        changes = model_instance_diff(
            old, new, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if not changes:
            continue
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(new),
            object_pk=str(new.pk),
            object_id=new.pk if isinstance(new.pk, int) else None,
            object_repr=str(new),
            serialized_data=LogEntry.objects._get_serialized_data_or_none(new),
            action=LogEntry.Action.CREATE if old is None else LogEntry.Action.UPDATE,
            changes=changes,
            cid=get_cid(),
            additional_data=new.get_additional_data()
            if hasattr(new, "get_additional_data")
            else None,
        )
        using = router.db_for_write(LogEntry, instance=entry)
        pre_save.send(LogEntry, instance=entry, raw=False, using=using, update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries, batch_size=500)


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
        # Entries of one instant (a transaction writing several) newest written first.
        .order_by("-timestamp", "-pk")
    )


# Reading the log as people read the records -----------------------------------------------------

# Fields whose change tells a reader nothing: keys, and the moments rows were written (the entry
# has its own time).
_SILENT = {"created_at", "updated_at"}


@dataclass(frozen=True)
class Change:
    """One field's change, in the interface's words: its label and both values as shown."""

    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    """One audit entry ready to show: the record's name, its link while it exists, the changes,
    and the way it was written when a mark says so ("Nhập từ bài viết")."""

    entry: LogEntry
    record: str
    link: str
    changes: list[Change] = field(default_factory=list)
    via: str = ""


# How an entry was written, by its `via` mark, in the interface's words: registered by the app
# that marks its writes (the API's rows say more, with their token).
_VIA_LABELS: dict = {}


def register_via(name: str, label) -> None:
    """Say how to show entries marked `via=name` in a unit's history."""
    _VIA_LABELS[name] = label


def _model_field(model, name: str):
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(found, ForeignObjectRel) or found.primary_key or name in _SILENT:
        return None
    if not found.editable:
        return None
    return found


def _raw(value):
    return None if value in (None, "None", "") else value


def _related_keys(rows) -> dict:
    """Every (related model, key) the page's foreign-key changes name, for one query per model."""
    wanted: dict = {}
    for model, changes in rows:
        for name, values in changes.items():
            found = _model_field(model, name) if model else None
            if isinstance(found, models.ForeignKey) and isinstance(values, list):
                for value in values:
                    if _raw(value) is not None:
                        wanted.setdefault(found.related_model, set()).add(str(value))
    return {
        related: {str(pk): obj for pk, obj in related._default_manager.in_bulk(list(keys)).items()}
        for related, keys in wanted.items()
        if all(key.isdigit() for key in keys)
    }


def _shown(found, value, related: dict) -> str:
    """A stored value as the interface shows it ("" for nothing)."""
    value = _raw(value)
    if value is None:
        return ""
    if isinstance(found, models.BooleanField):
        return str(_("Yes") if value in (True, "True", "1", "true") else _("No"))
    if found.choices:
        labels = {str(key): label for key, label in found.flatchoices}
        return str(labels.get(str(value), value))
    if isinstance(found, models.ForeignKey):
        obj = related.get(found.related_model, {}).get(str(value))
        return str(obj) if obj is not None else str(_("(no longer exists)"))
    if isinstance(found, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is None:
            return str(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(found, models.DateField):
        day = parse_date(str(value))
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else str(value)
    if isinstance(found, models.DecimalField):
        return _number(value, min(found.decimal_places, 4))
    if isinstance(found, models.FloatField):
        return _number(value, 2)
    if isinstance(found, models.IntegerField) and "year" not in found.name:
        return _number(value, 0)
    if isinstance(found, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    return str(value)


def _number(value, digits: int) -> str:
    try:
        return write_number(Decimal(str(value)), digits, get_language(), trim=True)
    except (InvalidOperation, ValueError):
        return str(value)


def _m2m(values) -> tuple[str, str]:
    """A many-to-many change as (old, new): what was taken away and what was added."""
    names = ", ".join(str(name) for name in values.get("objects", []))
    if values.get("operation") == "delete":
        return str(_("removed: %s") % names), ""
    return "", str(_("added: %s") % names)


# Changes some services log under a name that is not a field (a second factor removed):
# {name: (label, {stored value: shown value})}, registered by the app that writes them.
_PSEUDO_FIELDS: dict = {}


def register_pseudo_field(name: str, label, values: dict) -> None:
    """Say how to show a change a service logs under `name`, which is not a model field."""
    _PSEUDO_FIELDS[name] = (label, values)


def _changes(model, changes: dict, related: dict, for_people: bool) -> list[Change]:
    shown = []
    for name, values in changes.items():
        found = _model_field(model, name)
        if found is None:
            if name in _PSEUDO_FIELDS:
                label, words = _PSEUDO_FIELDS[name]
                old, new = (str(words.get(value, value)) for value in values)
                shown.append(Change(str(label), old, new))
            elif for_people and isinstance(values, list):
                # Written for people by our own code (a bulk import's "1.1 · 2024": figures);
                # elsewhere a name that is not a field is one since removed: nothing to show.
                shown.append(Change(name, *(str(_raw(value) or "") for value in values)))
            continue
        label = str(found.verbose_name)
        label = label[:1].upper() + label[1:]
        if isinstance(values, dict):
            old, new = _m2m(values)
        else:
            old, new = (_shown(found, value, related) for value in values)
        if old != new:
            shown.append(Change(label, old, new))
    return shown


def _records(entries) -> dict:
    """The records the entries are about, still in the database: {(content type, key): record}."""
    keys: dict = {}
    for entry in entries:
        keys.setdefault(entry.content_type_id, set()).add(entry.object_pk)
    found = {}
    for entry in entries:
        model = entry.content_type.model_class()
        wanted = keys.pop(entry.content_type_id, None)
        if model is None or not wanted or not hasattr(model, "get_absolute_url"):
            continue
        pks = [pk for pk in wanted if str(pk).isdigit()]
        for pk, record in model._default_manager.in_bulk(pks).items():
            found[(entry.content_type_id, str(pk))] = record
    return found


def history_rows(entries) -> list[HistoryRow]:
    """A page of audit entries as people read them: labels, shown values, links, no keys."""
    entries = list(entries)
    parsed = [(entry.content_type.model_class(), entry.changes_dict) for entry in entries]
    related = _related_keys(parsed)
    records = _records(entries)
    rows = []
    for entry, (model, changes) in zip(entries, parsed, strict=True):
        record = records.get((entry.content_type_id, str(entry.object_pk)))
        bulk = (entry.additional_data or {}).get("bulk")
        via = _VIA_LABELS.get((entry.additional_data or {}).get("via"))
        rows.append(
            HistoryRow(
                entry=entry,
                record=str(record) if record is not None else entry.object_repr,
                link=record.get_absolute_url() if record is not None else "",
                changes=_changes(model, changes, related, bool(bulk)) if model else [],
                via=str(via) if via else "",
            )
        )
    return rows
