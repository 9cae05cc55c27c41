"""The API's writes that are more than one service call: figures in bulk, all or nothing.

The rules stay the entry form's: each line goes through `indicators.services.record_values`
(locks, measures, breakdowns, sharp changes, the per-line stale check). The API only adds that a
line's `version` (the fingerprint of the figures it last read, `core.concurrency.fingerprint`)
stands for what the page showed, and that a conflict anywhere writes nothing at all."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.core.concurrency import fingerprint
from binhdang.indicators import measures
from binhdang.indicators import services as indicator_services
from binhdang.indicators.models import DataValue
from binhdang.orgunits.models import OrgUnit


def version_of(stored: measures.Stored | None) -> str:
    """The version of a line's figures (of no figures at all, for a line not entered)."""
    return fingerprint(stored)


def stored_lines(unit: OrgUnit, year: int) -> dict[tuple[int, str], measures.Stored]:
    """The unit's entered figures for a year, by (indicator id, category)."""
    return {
        (row.indicator_id, row.category): measures.Stored.of(row)
        for row in DataValue.objects.filter(unit=unit, year=year)
    }


class StaleLines(Exception):
    """Lines someone else changed since the client read them: nothing was written."""

    def __init__(self, conflicts: list[tuple[int, int, str, measures.Stored | None]]):
        super().__init__("stale")
        self.conflicts = conflicts  # (line number, indicator id, category, what is stored now)


@transaction.atomic
def write_figures(actor, unit: OrgUnit, year: int, lines: list[dict]) -> int:
    """Write every line or none: a refused line raises ValidationError keyed `lines.<n>.<field>`,
    a stale one `StaleLines`. Returns how many lines were written."""
    stored = stored_lines(unit, year)
    errors: dict[str, list[str]] = {}
    conflicts = []
    to_save, seen_keys = [], set()
    for number, line in enumerate(lines):
        key = (line["indicator"], line.get("category") or "")
        if key in seen_keys:
            errors[f"lines.{number}"] = [_("This line is sent twice in the same request.")]
            continue
        seen_keys.add(key)
        try:
            indicator = permissions.get_indicator(actor, line["indicator"], unit)
        except Http404 as missing:
            errors[f"lines.{number}.indicator"] = [str(missing)]
            continue
        shown = stored.get(key)
        version = line.get("version") or ""
        if version and version != version_of(shown):
            conflicts.append((number, indicator.pk, key[1], shown))
            continue
        figures = {name: line.get(name) for name in measures.FIGURES}
        texts = {"note": line.get("note") or "", "source": line.get("source") or ""}
        to_save.append(
            indicator_services.Line(
                indicator, {**figures, **texts}, key[1], shown, bool(version), f"lines.{number}."
            )
        )
    if errors:
        raise ValidationError(errors)
    if conflicts:
        raise StaleLines(conflicts)
    result = indicator_services.record_values(actor, unit, year, to_save)
    if result.conflicts:  # changed between our read and the lock: undo everything
        raise StaleLines(
            [
                (int(c.line.key.split(".")[1]), c.line.indicator.pk, c.line.category, c.theirs)
                for c in result.conflicts
            ]
        )
    return result.count
