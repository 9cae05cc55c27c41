"""No lost update: optimistic concurrency, field by field, for every edit page.

When an edit page is opened, the form carries a fingerprint of each value the user saw (a hidden
field, `SEEN_FIELD`). On save, the service locks the row (`locked`), reads what is stored now and
calls `merge`, which judges each field against three values — what the page saw, what is stored
now, what the user sent:

- changed by this user only: saved;
- changed by someone else only: kept as they saved it (the stale page does not write it back);
- changed by both, differently: refused (`StaleEdit`), nothing at all is written, and the page
  shows both values and keeps what the user typed. The refreshed fingerprints of those fields go
  back with the page, so saving again keeps the user's value knowingly;
- changed by nobody: nothing is written — a re-save of an unchanged page leaves no trace.

Values are compared in the service's terms (the same values `create_*` takes), not as typed:
`fingerprint` reduces a value to a canonical text first (a unit to its key, a date to ISO, a
number to its digits, text without the browser's \\r), so `1.000` typed and 1000 stored agree.
Collections of plain values (units, topic codes) are sets: their order does not count; collections
of records (an activity's links) keep their order.

A page posted without fingerprints (an old page, a script) still gets the last two rules: nothing
is written when nothing differs from what is stored. Reporting's submissions keep their whole-row
`version` (decision 30): there the refusal is about the state of the report, not about fields.
"""

import dataclasses
import datetime
import decimal
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhdang.core.numbers import write_number

SEEN_FIELD = "seen"

STALE = gettext_lazy(
    "Someone else saved this record after you opened the page. Nothing has been saved: you both "
    "changed the fields below. Check them, then press Save again to keep what you typed; the "
    "other changes made meanwhile are kept."
)


# ---------------------------------------------------------------------------------------------
# Fingerprints.


def _canonical(value: Any) -> Any:
    """A JSON-ready form of a value in which equal meanings are equal."""
    if value is None or value == "" or value == [] or value == ():
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}:{value.pk}"
    if isinstance(value, int | float | decimal.Decimal):
        return f"{decimal.Decimal(str(value)).normalize():f}"
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, str):  # TextChoices are strings
        return value.replace("\r\n", "\n").strip()
    if dataclasses.is_dataclass(value):
        return [_canonical(getattr(value, f.name)) for f in dataclasses.fields(value)]
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        items = [_canonical(item) for item in value]
        if all(isinstance(item, str) for item in items):
            return sorted(items)  # a set of plain values
        return items  # records keep their order
    return str(value)


def fingerprint(value: Any) -> str:
    """A short digest of a value's canonical form (equal meaning, equal fingerprint)."""
    text = json.dumps(_canonical(value), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprints(values: Mapping[str, Any]) -> dict[str, str]:
    """The fingerprint of each value, by field name."""
    return {name: fingerprint(value) for name, value in values.items()}


def encode(seen: Mapping[str, str]) -> str:
    return json.dumps(dict(seen), separators=(",", ":"), sort_keys=True)


def decode(text: str | None) -> dict[str, str] | None:
    """Fingerprints posted back by a page; None when missing or malformed (no comparison)."""
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return {str(key): str(value) for key, value in data.items()}


# ---------------------------------------------------------------------------------------------
# The service side.


@dataclasses.dataclass
class Conflict:
    """A field both people changed: what is stored now, and what this user sent."""

    name: str
    theirs: Any
    mine: Any
    label: str = ""  # set by a service whose names are not the form's fields


class StaleEdit(ValidationError):
    """A save from an outdated page that would undo someone else's change; nothing was written.

    A ValidationError, so a view that does not know it still shows the refusal on top."""

    def __init__(self, conflicts: list[Conflict], seen: dict[str, str], kept=()):
        super().__init__(str(STALE), code="stale")
        self.conflicts = conflicts
        self.seen = seen  # the page's fingerprints with the conflicting fields brought up to date
        self.kept = list(kept)  # fields only someone else changed: (name, their value)


def locked(instance: models.Model) -> models.Model:
    """The row as stored now, locked until the transaction ends (call inside one)."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def _get(target, name: str):
    return target[name] if isinstance(target, dict) else getattr(target, name)


def _set(target, name: str, value) -> None:
    if isinstance(target, dict):
        target[name] = value
    else:
        setattr(target, name, value)


def merge(mine, current: Mapping[str, Any], seen: Mapping[str, str] | None) -> set[str]:
    """Bring `mine` (a dict or a dataclass of the service's values) in line with `current`.

    For every name of `current`: a field this user did not change takes the stored value; a field
    both changed differently is a conflict, and then `StaleEdit` is raised and `mine` must not be
    written. Returns the names this user changed (empty: nothing to write)."""
    changed, conflicts, kept = set(), [], []
    refreshed = dict(seen or {})
    empty = fingerprint(None)
    for name, stored in current.items():
        sent = _get(mine, name)
        stored_print, sent_print = fingerprint(stored), fingerprint(sent)
        # Without fingerprints, compare with what is stored; a name the page did not carry was
        # empty when it was opened (e.g. a member added since).
        base = stored_print if seen is None else seen.get(name, empty)
        if sent_print in (base, stored_print):
            _set(mine, name, stored)  # untouched here, or the same change as theirs
            if stored_print != sent_print:
                kept.append(Conflict(name, stored, sent))
            continue
        if stored_print != base:
            conflicts.append(Conflict(name, stored, sent))
            refreshed[name] = stored_print
            continue
        changed.add(name)
    if conflicts:
        raise StaleEdit(conflicts, refreshed, kept)
    return changed


# ---------------------------------------------------------------------------------------------
# The form side.


def display(value: Any, field: forms.Field | None = None) -> str:
    """A stored or sent value as the page shows it, for the notice of a refused field."""
    if value is None or value == "" or value == [] or value == ():
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        return "; ".join(display(item, field) for item in value)
    if isinstance(field, forms.ModelChoiceField) and isinstance(value, models.Model):
        return str(field.label_from_instance(value))
    if isinstance(value, models.Model):
        return str(getattr(value, "name", value))
    if isinstance(field, forms.ChoiceField):
        labels = {}
        for key, label in field.choices:
            if isinstance(label, list | tuple):  # an optgroup
                labels.update({str(k): v for k, v in label})
            else:
                labels[str(key)] = label
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, int | float | decimal.Decimal):
        return write_number(value)
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


class StaleCheckForm:
    """Mix into an edit form (before the form class): it carries the fingerprints of what the page
    showed, and shows a `StaleEdit` refusal with both values of each refused field.

    Pass `seen=` the service's values of the record when the page is opened; save with
    `form.saved_through(service, ...)`, which gives the service `form.seen()` and shows a
    `StaleEdit` or any other refusal on the form, to be rendered again. Templates include
    "_stale_notice.html" inside the <form>."""

    def __init__(self, *args, seen: Mapping[str, Any] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stale: list[dict] = []  # the refused fields, with both values
        self.stale_kept: list[dict] = []  # fields someone else changed, kept as they saved them
        # What the page carries: the record as opened; a posted page carries back its own.
        self._seen_text = None
        if not self.is_bound:
            self._seen_text = encode(fingerprints(seen)) if seen is not None else ""

    def seen(self) -> dict[str, str] | None:
        """The fingerprints the posted page carried (None: unknown)."""
        if self.is_bound:
            return decode(self.data.get(self.add_prefix(SEEN_FIELD)))
        return decode(self._seen_text)

    def seen_input(self) -> str:
        """The hidden input carrying the fingerprints back."""
        text = self._seen_text
        if text is None:
            text = self.data.get(self.add_prefix(SEEN_FIELD), "")
        return format_html(
            '<input type="hidden" name="{}" value="{}">', self.add_prefix(SEEN_FIELD), text
        )

    def stale_display(self, name: str, value: Any) -> str:
        """How a refused field's value is shown; override for a field that is not one input."""
        return display(value, self.fields.get(name))

    def saved_through(self, write, *args, **kwargs) -> bool:
        """Save through the service `write` (given `seen=` what the page showed); on a refusal
        show it on the form (a stale page with both values of each field) and say False."""
        from binhdang.core.forms import add_service_errors

        try:
            write(*args, **kwargs, seen=self.seen())
        except StaleEdit as stale:
            self.show_stale(stale)
        except ValidationError as error:
            add_service_errors(self, error)
        else:
            return True
        return False

    def show_stale(self, error: StaleEdit) -> None:
        """Show a stale refusal: one notice on top, both values of each refused field."""
        self._seen_text = encode(error.seen)
        self.stale, self.stale_kept = [], []
        for other in error.kept:
            field = self.fields.get(other.name)
            self.stale_kept.append(
                {
                    "label": other.label or (field.label if field is not None else other.name),
                    "text": self.stale_display(other.name, other.theirs),
                }
            )
        for conflict in error.conflicts:
            field = self.fields.get(conflict.name)
            self.stale.append(
                {
                    "name": conflict.name,
                    "label": conflict.label
                    or (field.label if field is not None else conflict.name),
                    "text": _("Saved by someone else: %(theirs)s — You typed: %(mine)s")
                    % {
                        "theirs": self.stale_display(conflict.name, conflict.theirs),
                        "mine": self.stale_display(conflict.name, conflict.mine),
                    },
                }
            )
            if field is not None:
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    field.widget.attrs["class"] = f"{css} is-invalid".strip()

    @property
    def stale_message(self) -> str:
        return str(STALE)

    @property
    def stale_kept_message(self) -> str:
        return _("Also changed by someone else, and kept as they saved it:")
