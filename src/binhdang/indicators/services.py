"""Writes to indicators: target values and units' figures, each with its rules."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.core import audit
from binhdang.core.audit import UNIT_KEY
from binhdang.core.numbers import read_number, write_number
from binhdang.orgunits.models import Level, OrgUnit

from . import measures, revision, sums
from .models import Comparator, DataValue, Dimension, Direction, Indicator, Lock, Measure, Target
from .rollup import ANSWERING_LEVELS, LEVEL_CATEGORY, judged_per_level, levels_below

STRATEGY_YEARS = range(2021, 2031)


# The target column holds 14 digits with 4 decimals.
TARGET_LIMIT = 10**10


def _check_value(indicator: Indicator, value: Decimal | None) -> None:
    if value is None:
        return
    if value < 0:
        raise ValidationError({"value": _("A target cannot be negative.")})
    if value >= TARGET_LIMIT:
        raise ValidationError(
            {"value": _("A target must be below %s.") % write_number(TARGET_LIMIT)}
        )
    if indicator.measure == Measure.SHARE and value > 100:
        raise ValidationError({"value": _("A percentage cannot exceed 100.")})
    if indicator.measure == Measure.MILESTONE and value not in (0, 1):
        raise ValidationError({"value": _("A milestone target is 1 (in place) or 0.")})


@transaction.atomic
def set_target(
    actor,
    indicator: Indicator,
    *,
    year: int,
    value: Decimal | None,
    comparator: str,
    unit: OrgUnit | None = None,
    source: str = "",
) -> Target:
    """Set a national target (system administrators) or a unit's own target (its approvers)."""
    if unit is None and not permissions.sees_everything(actor):
        raise PermissionDenied(_("Only a system administrator changes national targets."))
    if unit is not None and not permissions.can_approve(actor, unit):
        raise PermissionDenied(_("You cannot set the targets of “%s”.") % unit.name)
    if not permissions.indicator_applies(indicator, unit):
        raise PermissionDenied(_("This local indicator belongs to another unit."))
    if year not in STRATEGY_YEARS:
        raise ValidationError({"year": _("The year must be between 2021 and 2030.")})
    if comparator and comparator not in Comparator.values:
        raise ValidationError({"comparator": _("Unknown comparator.")})
    _check_value(indicator, value)
    if unit is not None and value is None:
        raise ValidationError({"value": _("Enter the target value.")})
    target, _created = Target.objects.get_or_create(indicator=indicator, unit=unit, year=year)
    target.value = value
    target.comparator = comparator
    target.source = source.strip()
    target.save()
    return target


@transaction.atomic
def remove_target(actor, target: Target) -> None:
    """Drop a unit's own target: the ancestors' or the national one applies again."""
    if target.unit is None or not permissions.can_approve(actor, target.unit):
        raise PermissionDenied(_("You cannot remove this target."))
    target.delete()


LOCAL_INDICATOR_LEVELS = (Level.PROVINCE, Level.CENTRAL)


@transaction.atomic
def save_local_indicator(actor, unit: OrgUnit, indicator: Indicator | None = None, **fields):
    """Add or change a province's or ministry's own indicator (its approvers)."""
    if not permissions.can_approve(actor, unit):
        raise PermissionDenied(_("You cannot change the indicators of “%s”.") % unit.name)
    if unit.level not in LOCAL_INDICATOR_LEVELS:
        raise ValidationError(_("Only a province or a central agency adds its own indicators."))
    if indicator is not None and indicator.owner_unit_id != unit.pk:
        raise PermissionDenied(_("This local indicator belongs to another unit."))
    number = fields.pop("number").strip()
    if not number:
        raise ValidationError({"number": _("Give the indicator a number, e.g. ĐP1.")})
    code = f"{unit.code}.{number}"
    if Indicator.objects.filter(code=code).exclude(pk=getattr(indicator, "pk", None)).exists():
        raise ValidationError(
            {"number": _("This unit already has an indicator numbered %s.") % number}
        )
    if fields["measure"] not in Measure.values:
        raise ValidationError({"measure": _("Unknown measure.")})
    if fields["direction"] not in Direction.values:
        raise ValidationError({"direction": _("Unknown direction.")})
    dimensions = fields.pop("dimensions", [])
    if any(d not in Dimension.values for d in dimensions):
        raise ValidationError({"dimensions": _("Unknown breakdown.")})
    if not fields.get("name_vi", "").strip():
        raise ValidationError({"name_vi": _("Write the indicator's wording.")})
    if indicator is None:
        indicator = Indicator(owner_unit=unit)
    elif indicator.values.exists() and indicator.measure != fields["measure"]:
        raise ValidationError(
            {"measure": _("Figures were entered: the measure can no longer change.")}
        )
    multiplier = fields.pop("multiplier", None) or (
        100 if fields["measure"] == Measure.SHARE else 1
    )
    for name, value in fields.items():
        setattr(indicator, name, value.strip() if isinstance(value, str) else value)
    indicator.code, indicator.number = code, number
    indicator.multiplier = Decimal(multiplier)
    indicator.disaggregations = ",".join(dimensions)
    indicator.save()
    return indicator


def categories_for(
    indicator: Indicator, unit: OrgUnit, year: int, *, below: set[int] | None = None
) -> list[tuple[str, str]]:
    """The breakdown lines a unit enters for an indicator in a year: the one rule behind the
    entry form, the Excel template, the imports and `record_value`.

    A unit answering yes or no (a milestone; a commune's part of 1.1) has none. By level of
    government (1.1), a unit answering for itself in its total (a commune, a department) has
    none either; any other unit has its own level and each level with units below it in the
    year: a province its own and the communes (and before the 2025 reform the districts), a
    ministry its own and its departments, the nation every level below it. `below` (from
    `rollup.levels_below`) spares the query when the caller read it already."""
    if indicator.asks_yes_no(unit):
        return []
    categories = indicator.categories()
    if not judged_per_level(indicator):
        return categories
    levels = set()
    if unit.level not in ANSWERING_LEVELS:
        levels = {unit.level, *(levels_below(unit, year) if below is None else below)}
    kept = {LEVEL_CATEGORY[level] for level in levels if level in LEVEL_CATEGORY}
    return [
        (key, label)
        for key, label in categories
        if not key.startswith(f"{Dimension.LEVEL}:") or key in kept
    ]


def categories_by_indicator(
    indicators, unit: OrgUnit, year: int, *, below: set[int] | None = None
) -> dict[int, list]:
    """`categories_for` each indicator (by id), reading the levels below the unit at most once
    (not at all when the caller gives them, `rollup.levels_below_each`)."""
    per_level = any(judged_per_level(i) for i in indicators)
    if below is None:
        needed = per_level and unit.level not in ANSWERING_LEVELS
        below = levels_below(unit, year) if needed else set()
    return {i.pk: categories_for(i, unit, year, below=below) for i in indicators}


def _check_category(indicator: Indicator, unit: OrgUnit, year: int, category: str, below) -> None:
    """Refuse a breakdown the indicator has not, or one that means nothing for this unit."""
    if not category:
        return
    labels = dict(indicator.categories())
    if category not in labels:
        raise ValidationError({"category": _("This indicator is not broken down that way.")})
    if category in dict(categories_for(indicator, unit, year, below=below)):
        return
    label = str(labels[category]).split(": ", 1)[-1]
    if indicator.asks_yes_no(unit) or unit.level in ANSWERING_LEVELS:
        message = _(
            "“%(unit)s” answers this indicator for itself on its total line: it has no "
            "“%(line)s” line."
        )
    else:
        message = _(
            "In %(year)d “%(unit)s” has no “%(line)s” line: a unit enters its own level and "
            "the levels that have units below it."
        )
    raise ValidationError({"category": message % {"unit": unit.name, "line": label, "year": year}})


def _unit_existed(unit: OrgUnit, year: int) -> bool:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (unit.valid_from is None or unit.valid_from <= last) and (
        unit.valid_to is None or unit.valid_to >= first
    )


def _number(value, field: str, *, whole: bool = False) -> Decimal | None:
    """A figure as a bounded Decimal, or a Vietnamese refusal naming the field.

    Forms and importers pass numbers already read; text is read the platform's one way
    (`core.numbers.read_number`, in the active language), never guessed: "1.250" is 1250 in
    Vietnamese, and text another convention reads differently is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = read_number(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    measures.check_figure(number, field, whole=whole)
    return number


@transaction.atomic
def record_value(
    actor,
    indicator: Indicator,
    unit: OrgUnit,
    year: int,
    *,
    numerator=None,
    denominator=None,
    value=None,
    category: str = "",
    note: str = "",
    source: str = "",
) -> DataValue:
    """Enter or correct a unit's figure for a year; the rules depend on the indicator's measure.
    The rules live in `_check_unit_year`, `_clean_figures`, `_refuse_sharp_change` and
    `_refuse_parts_over_total`, shared with `record_values_bulk`."""
    _check_unit_year(actor, unit, year)
    numerator, denominator, value = _clean_figures(
        indicator, unit, year, category, numerator, denominator, value
    )
    _check_sharp_change(indicator, unit, year, category, value, note)
    _check_parts(indicator, unit, year, category, numerator, denominator, value)
    # Locked: what the sub-units' sums lose is what the row held (decision 82).
    row, created = DataValue.objects.select_for_update().get_or_create(
        indicator=indicator, unit=unit, year=year, category=category
    )
    old = None if created else (row.numerator, row.denominator, row.value)
    row.numerator, row.denominator, row.value = numerator, denominator, value
    row.note = note.strip()
    row.source = source.strip()[:255]
    row.save()
    sums.apply(
        [sums.change(indicator.pk, unit, year, category, old, (numerator, denominator, value))]
    )
    revision.figures_written()
    return row


def _check_parts(indicator, unit, year, category, numerator, denominator, value) -> None:
    """A breakdown never adds up to more than the total (by sex, the women and the men together
    are at most everyone); parts may be missing, e.g. where sex was not recorded."""
    rows = {
        row.category: row
        for row in DataValue.objects.filter(indicator=indicator, unit=unit, year=year)
    }
    rows[category] = DataValue(numerator=numerator, denominator=denominator, value=value)
    _refuse_parts_over_total(indicator, rows)


def _check_sharp_change(indicator, unit, year, category, value, note: str) -> None:
    """A value far from last year's needs a note saying why."""
    if value is None or note.strip():
        return
    last = (
        DataValue.objects.filter(indicator=indicator, unit=unit, year=year - 1, category=category)
        .values_list("value", flat=True)
        .first()
    )
    _refuse_sharp_change(value, last, note)


@dataclass
class Line:
    """One line of the entry form for `record_values`: an indicator's total or one of its
    breakdowns, with the figures to record (`record_value`'s keyword arguments). When `seen`,
    `shown` is what the page showed when it was opened (None: nothing was stored), and the line
    is refused if someone else changed it since. `key` names the line's form fields in refusals."""

    indicator: Indicator
    figures: dict
    category: str = ""
    shown: measures.Stored | None = None
    seen: bool = False
    key: str = ""


class Conflict(NamedTuple):
    """A line someone else changed since the page was opened: what they stored."""

    line: Line
    theirs: measures.Stored | None


@dataclass
class Saved:
    count: int
    conflicts: list[Conflict]


@transaction.atomic
def record_values(actor, unit: OrgUnit, year: int, lines: list[Line]) -> Saved:
    """Save the changed lines of an entry form: every figure, or none, with each refusal keyed
    by the line's `key`. A line someone else changed since the page was shown is not written
    (it comes back as a `Conflict`, with their figures); the other lines are saved.

    Each line goes through `record_value`'s rules, in order, each against the figures as the
    lines before it left them; but whatever the number of lines the save costs the same few
    queries: the unit's figures of the year and the year before are read once, and the rows
    and their audit entries written in bulk."""
    _check_unit_year(actor, unit, year)  # one refusal for a locked year, not one per line
    # Saves of one unit's figures wait for each other here, so that the second one compares
    # with what the first one stored (PostgreSQL; SQLite writes one transaction at a time).
    list(OrgUnit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True))
    rows = {
        (row.indicator_id, row.year, row.category): row
        for row in DataValue.objects.filter(unit=unit, year__in=(year, year - 1))
    }
    # The year's figures of each indicator, as the lines saved so far leave them.
    cells: dict[int, dict[str, object]] = defaultdict(dict)
    for (indicator_id, row_year, category), row in rows.items():
        if row_year == year:
            cells[indicator_id][category] = row
    below = _levels_for(unit, year, lines)
    errors: dict[str, list[str]] = {}
    conflicts: list[Conflict] = []
    written: dict[tuple[int, str], DataValue] = {}
    for line in lines:
        indicator, category = line.indicator, line.category
        now = measures.Stored.of(rows.get((indicator.pk, year, category)))
        if line.seen and not measures.same(now, line.shown):
            if not _same_as(line, unit, year, now, below=below):  # both typed the same
                conflicts.append(Conflict(line, now))
            continue
        figures = [line.figures.get(name) for name in measures.FIGURES]
        note = line.figures.get("note", "")
        try:
            cleaned = _clean_figures(indicator, unit, year, category, *figures, below=below)
            last = rows.get((indicator.pk, year - 1, category))
            _refuse_sharp_change(cleaned[2], last.value if last else None, note)
            _refuse_parts_over_total(
                indicator, {**cells[indicator.pk], category: _Figures(*cleaned)}
            )
        except ValidationError as error:
            # A refusal of the whole line ("enter both…") has no field: it goes under "__all__".
            by_field = (
                error.message_dict
                if hasattr(error, "error_dict")
                else {NON_FIELD_ERRORS: error.messages}
            )
            for field, messages in by_field.items():
                errors.setdefault(f"{line.key}{field}", []).extend(messages)
            continue
        cells[indicator.pk][category] = _Figures(*cleaned)
        written[(indicator.pk, category)] = DataValue(
            indicator=indicator,
            unit=unit,
            year=year,
            category=category,
            numerator=cleaned[0],
            denominator=cleaned[1],
            value=cleaned[2],
            note=note.strip(),
            source=line.figures.get("source", "").strip()[:255],
        )
    if errors:
        raise ValidationError(errors)
    _save_rows(unit, year, written, rows)
    return Saved(len(written), conflicts)


def _levels_for(unit: OrgUnit, year: int, lines: list[Line]) -> set[int] | None:
    """`categories_for`'s levels below the unit, read once when a line needs them."""
    needed = unit.level not in ANSWERING_LEVELS and any(
        line.category and judged_per_level(line.indicator) for line in lines
    )
    return levels_below(unit, year) if needed else None


def _save_rows(unit: OrgUnit, year: int, written: dict, rows: dict) -> None:
    """Write the form's rows (new ones inserted, stored ones updated, in bulk) and one audit
    entry per row, as django-auditlog writes it on a save."""
    now = timezone.now()
    created, updated = [], []
    for (indicator_id, category), row in written.items():
        stored = rows.get((indicator_id, year, category))
        row.pk = stored.pk if stored else None
        row.created_at = stored.created_at if stored else now
        row.updated_at = now
        figures = (row.numerator, row.denominator, row.value, row.note, row.source, now, now)
        (updated if stored else created).append(
            _Row(row.pk, indicator_id, unit.pk, year, category, *figures)
        )
    _write_figures(created, updated, {unit.pk: unit})
    if created:  # the new rows' keys, for their audit entries
        keys = DataValue.objects.filter(
            unit=unit, year=year, indicator_id__in={r.indicator_id for r in created}
        ).values_list("indicator_id", "category", "pk")
        for indicator_id, category, pk in keys:
            if (indicator_id, category) in written and written[(indicator_id, category)].pk is None:
                written[(indicator_id, category)].pk = pk
    audit.log_saves(
        (rows.get((indicator_id, year, category)), row)
        for (indicator_id, category), row in written.items()
    )


def _same_as(
    line: Line, unit: OrgUnit, year: int, stored: measures.Stored | None, *, below=None
) -> bool:
    """Whether a line would store exactly what is stored already (`below`: `categories_for`'s)."""
    if stored is None:
        return False
    figures = {k: line.figures.get(k) for k in measures.FIGURES}
    try:
        cleaned = _clean_figures(
            line.indicator, unit, year, line.category, *figures.values(), below=below
        )
    except ValidationError:
        return False
    if measures.is_quotient(line.indicator):  # the derived value is rounded when stored
        cleaned = (*cleaned[:2], stored.value)
    texts = (line.figures.get("note", "").strip(), line.figures.get("source", "").strip())
    return measures.same(measures.Stored(*cleaned, *texts), stored)


def active_lock(unit: OrgUnit, year: int) -> Lock | None:
    """The lock that closes a unit's figures for a year, if any."""
    return Lock.objects.filter(unit=unit, year=year, unlocked_at=None).first()


def lock_year(actor, unit: OrgUnit, year: int, reason: str) -> Lock:
    """Close a unit's figures for a year (its superior accepted them); idempotent."""
    if not permissions.can_review(actor, unit):
        raise PermissionDenied(_("You cannot lock the figures of “%s”.") % unit.name)
    if year not in STRATEGY_YEARS:
        raise ValidationError({"year": _("The year must be between 2021 and 2030.")})
    existing = active_lock(unit, year)
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Lock.objects.create(
                unit=unit, year=year, reason=reason.strip()[:255], locked_by=actor
            )
    except IntegrityError:  # someone locked it at the same moment
        return active_lock(unit, year)


@transaction.atomic
def unlock_year(actor, unit: OrgUnit, year: int, reason: str) -> Lock:
    """Reopen a unit's figures for a year; only a superior, and only with a reason."""
    if not permissions.can_review(actor, unit):
        raise PermissionDenied(_("You cannot unlock the figures of “%s”.") % unit.name)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the figures are unlocked.")})
    lock = Lock.objects.select_for_update().filter(unit=unit, year=year, unlocked_at=None).first()
    if lock is None:
        raise ValidationError(_("These figures are not locked."))
    lock.unlocked_at = timezone.now()
    lock.unlocked_by = actor
    lock.unlock_reason = reason.strip()
    lock.save()
    return lock


# Shared by `record_value` and `record_values_bulk`: the same rules, in the same order.


def _check_unit_year(actor, unit: OrgUnit, year: int, *, locked: bool | None = None) -> None:
    """The rules that depend only on who writes for which unit and year. `locked` spares the
    lock query when the caller has read the locks already."""
    if not permissions.can_edit(actor, unit):
        raise PermissionDenied(_("You cannot enter figures for “%s”.") % unit.name)
    if year not in STRATEGY_YEARS:
        raise ValidationError({"year": _("The year must be between 2021 and 2030.")})
    if not _unit_existed(unit, year):
        raise ValidationError(
            {"year": _("“%(unit)s” did not exist in %(year)d.") % {"unit": unit.name, "year": year}}
        )
    if active_lock(unit, year) if locked is None else locked:
        raise ValidationError(
            {
                "year": _(
                    "The figures of “%(unit)s” for %(year)d are locked: ask the unit above to "
                    "unlock them."
                )
                % {"unit": unit.name, "year": year}
            }
        )


def _clean_figures(
    indicator: Indicator,
    unit: OrgUnit,
    year: int,
    category: str,
    numerator,
    denominator,
    value,
    *,
    below: set[int] | None = None,
):
    """The figures as stored (numerator, denominator, value), or the refusal naming the field.
    `below` is `categories_for`'s."""
    # The owner is the unit or one of its ancestors (`is_within`), read off the path.
    if indicator.owner_unit_id and indicator.owner_unit_id not in (*unit.ancestor_ids(), unit.pk):
        raise ValidationError(_("This local indicator belongs to another unit."))
    _check_category(indicator, unit, year, category, below)
    numerator = _number(numerator, "numerator")
    denominator = _number(denominator, "denominator")
    value = _number(value, "value", whole=indicator.measure == Measure.COUNT)
    return measures.clean_figures(indicator, numerator, denominator, value)


def _refuse_sharp_change(value, last, note: str) -> None:
    """A value far from last year's (`last`) needs a note saying why."""
    if value is None or note.strip() or not last:
        return
    change = abs(value - last) / last
    if change > Decimal(str(settings.SHARP_CHANGE_RATIO)):
        raise ValidationError(
            {
                "note": _(
                    "The figure changed by %(change)s%% from last year (%(last)s → %(new)s): "
                    "add a note explaining why."
                )
                % {
                    "change": formats.number_format(change * 100, 0),
                    "last": formats.number_format(round(last, 2).normalize()),
                    "new": formats.number_format(round(value, 2).normalize()),
                }
            }
        )


def _refuse_parts_over_total(indicator: Indicator, rows: dict) -> None:
    """A breakdown never adds up to more than the total; `rows` maps each category of one
    indicator, unit and year ("" for the total) to its figures as they would be stored."""
    total = rows.get("")
    if total is None:
        return
    fields = ("numerator", "denominator") if measures.is_quotient(indicator) else ("value",)
    for dimension in indicator.dimensions:
        parts = [r for key, r in rows.items() if key.startswith(f"{dimension.value}:")]
        for field in fields:
            whole = getattr(total, field)
            added = sum((getattr(p, field) or 0 for p in parts), Decimal(0))
            if parts and whole is not None and added > whole:
                raise ValidationError(
                    {
                        field: _(
                            "The %(dimension)s breakdown adds up to %(parts)s, more than the "
                            "total %(total)s."
                        )
                        % {
                            "dimension": dimension.label.lower(),
                            "parts": formats.number_format(added.normalize()),
                            "total": formats.number_format(whole.normalize()),
                        }
                    }
                )


# Bulk saving for uploads (Excel, DHIS2): decision 24.


@dataclass
class Entry:
    """One figure of an upload, as `record_value` takes it; `ref` names it in refusals (the
    file's row or lines)."""

    indicator: Indicator
    unit: OrgUnit
    year: int
    numerator: object = None
    denominator: object = None
    value: object = None
    category: str = ""
    note: str = ""
    source: str = ""
    ref: object = None


class EntriesRefused(ValidationError):
    """An upload refused: every problem with the entry it concerns. Nothing was written."""

    def __init__(self, problems: list[tuple[Entry, str]]):
        super().__init__([message for _entry, message in problems])
        self.problems = problems


class _Figures(NamedTuple):
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None


def figure_text(figures) -> str:
    """Stored figures as officers write them: "30/100" for a quotient, else the value."""
    if figures is None:
        return ""
    if figures.numerator is not None and figures.denominator is not None:
        return f"{figures.numerator.normalize():f}/{figures.denominator.normalize():f}"
    return "" if figures.value is None else f"{figures.value.normalize():f}"


@transaction.atomic
def record_values_bulk(actor, entries: list[Entry], *, origin: str = "") -> int:
    """Save many figures at once with exactly `record_value`'s rules: all of them, or none.

    The rules that depend only on the unit and year (permission, strategy years, the unit's
    existence, locks) are checked once per unit and year; the stored figures the rules compare
    with (last year's, the other parts of a breakdown, the row to update) are read in one query;
    entries are checked in order, each against the figures as the ones before it left them, so
    the outcome is the one of calling `record_value` for each entry in turn. The rows are then
    written in one transaction (COPY on PostgreSQL, else `bulk_create`; one UPDATE per thousand
    changed rows), and each unit's history gets one summary entry listing its imported figures
    (`origin` says from where, e.g. "Excel")."""
    entries = list(entries)
    if not entries:
        return 0
    unit_ids = {e.unit.pk for e in entries}
    indicator_ids = {e.indicator.pk for e in entries}
    years = {e.year for e in entries}
    locked = set(
        Lock.objects.filter(unit_id__in=unit_ids, year__in=years, unlocked_at=None).values_list(
            "unit_id", "year"
        )
    )
    # Every category of each indicator, unit and year touched, and of the years before.
    stored_pk: dict[tuple, int] = {}
    stored: dict[tuple, dict[str, _Figures]] = defaultdict(dict)
    for pk, ind, unit_id, year, category, num, den, val in DataValue.objects.filter(
        unit_id__in=unit_ids,
        indicator_id__in=indicator_ids,
        year__in=years | {y - 1 for y in years},
    ).values_list(
        "pk", "indicator_id", "unit_id", "year", "category", "numerator", "denominator", "value"
    ):
        stored_pk[(ind, unit_id, year, category)] = pk
        stored[(ind, unit_id, year)][category] = _Figures(num, den, val)
    before = {key: dict(cells) for key, cells in stored.items()}

    unit_year: dict[tuple[int, int], Exception | None] = {}
    below: dict[tuple[int, int], set[int]] = {}  # the levels below each unit, read once
    problems: list[tuple[Entry, str]] = []
    accepted: dict[tuple, Entry] = {}
    for entry in entries:
        indicator, unit, year, category = entry.indicator, entry.unit, entry.year, entry.category
        if (unit.pk, year) not in unit_year:
            try:
                _check_unit_year(actor, unit, year, locked=(unit.pk, year) in locked)
                unit_year[(unit.pk, year)] = None
            except (ValidationError, PermissionDenied) as refusal:
                unit_year[(unit.pk, year)] = refusal
        try:
            if refusal := unit_year[(unit.pk, year)]:
                raise refusal
            if category.startswith(f"{Dimension.LEVEL}:") and (unit.pk, year) not in below:
                below[(unit.pk, year)] = levels_below(unit, year)
            numerator, denominator, value = _clean_figures(
                indicator,
                unit,
                year,
                category,
                entry.numerator,
                entry.denominator,
                entry.value,
                below=below.get((unit.pk, year)),
            )
            last = stored.get((indicator.pk, unit.pk, year - 1), {}).get(category)
            _refuse_sharp_change(value, last.value if last else None, entry.note)
            cells = stored[(indicator.pk, unit.pk, year)]
            _refuse_parts_over_total(
                indicator, {**cells, category: _Figures(numerator, denominator, value)}
            )
        except ValidationError as error:
            problems += [(entry, message) for message in error.messages]
            continue
        except PermissionDenied as error:
            problems.append((entry, str(error)))
            continue
        cells[category] = _Figures(numerator, denominator, value)
        accepted[(indicator.pk, unit.pk, year, category)] = entry
    if problems:
        raise EntriesRefused(problems)

    now = timezone.now()
    created, updated = [], []
    written: dict[tuple, _Figures] = {}
    for key, entry in accepted.items():
        figures = written[key] = stored[key[:3]][key[3]]
        row = _Row(
            stored_pk.get(key),
            *key,
            *figures,
            entry.note.strip(),
            entry.source.strip()[:255],
            now,
            now,
        )
        (updated if row.pk else created).append(row)
    _write_figures(created, updated, {e.unit.pk: e.unit for e in entries})
    _audit_bulk(actor, entries, written, before, stored_pk, origin)
    return len(entries)


def _write_figures(created: list, updated: list, units: dict[int, OrgUnit]) -> None:
    """Insert the new rows and update the stored ones (`_Row`s of the `units`, by id): every
    bulk write of figures (`record_values`, `record_values_bulk`) goes through here."""
    try:
        with transaction.atomic():
            old = sums.locked_figures(row.pk for row in updated)
            _insert_figures(created)
            _update_figures(updated)
            sums.apply(
                sums.change(
                    row.indicator_id,
                    units[row.unit_id],
                    row.year,
                    row.category,
                    old.get(row.pk) if row.pk else None,
                    (row.numerator, row.denominator, row.value),
                )
                for row in (*created, *updated)
            )
    except IntegrityError:  # the same cells were created at the same moment by someone else
        raise ValidationError(
            _("Someone saved figures for the same cells at the same moment: try again.")
        ) from None
    revision.figures_written()


def _audit_bulk(actor, entries, written, before, stored_pk, origin: str) -> None:
    """One history entry per unit: how many figures were imported, each with its old and new
    value (django-auditlog does not see bulk writes; decision 24)."""
    by_unit: dict[int, list[tuple]] = defaultdict(list)
    for key in written:
        by_unit[key[1]].append(key)
    units = {e.unit.pk: e.unit for e in entries}
    numbers = {e.indicator.pk: e.indicator.number for e in entries}
    content_type = ContentType.objects.get_for_model(DataValue)
    if auditlog_disabled.get():
        return
    # What AuditlogMiddleware would add to each entry (address, port), read from its context.
    context = {
        key: value() if callable(value) else value
        for key, value in auditlog_value.get({}).items()
        if key not in ("actor", "signal_duid") and hasattr(LogEntry, key)
    }
    log = []
    for unit_id, keys in by_unit.items():
        changes = {}
        for ind, _unit, year, category in sorted(keys, key=lambda k: (numbers[k[0]], k[2], k[3])):
            label = " · ".join(filter(None, (numbers[ind], str(year), category)))
            old = before.get((ind, unit_id, year), {}).get(category)
            new = written[(ind, unit_id, year, category)]
            changes[label] = [figure_text(old), figure_text(new)]
        new_count = sum(1 for key in keys if key not in stored_pk)
        log.append(
            LogEntry(
                content_type=content_type,
                object_pk="",
                object_id=None,
                object_repr=_("%(unit)s: %(count)d figures imported (%(origin)s)")
                % {"unit": units[unit_id].name, "count": len(keys), "origin": origin or "—"},
                action=LogEntry.Action.UPDATE,
                actor=actor,
                actor_email=getattr(actor, "email", None) or None,
                changes=changes,
                cid=get_cid(),
                additional_data={
                    UNIT_KEY: unit_id,
                    "bulk": True,
                    "origin": origin,
                    "created": new_count,
                    "updated": len(keys) - new_count,
                    "years": sorted({key[2] for key in keys}),
                },
                **context,
            )
        )
    LogEntry.objects.bulk_create(log, batch_size=500)


class _Row(NamedTuple):
    """A row to write, lighter than a model instance (10,000 of those cost a good second)."""

    pk: int | None
    indicator_id: int
    unit_id: int
    year: int
    category: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    note: str
    source: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


UPDATED_FIELDS = ("numerator", "denominator", "value", "note", "source", "updated_at")


INSERTED_FIELDS = ("indicator", "unit", "year", "category", "created_at", *UPDATED_FIELDS)


def _insert_figures(rows: list[_Row]) -> None:
    """Insert new rows: with COPY on PostgreSQL, `bulk_create` elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        DataValue.objects.bulk_create([DataValue(**row._asdict()) for row in rows], batch_size=2000)
        return
    fields = [DataValue._meta.get_field(name) for name in INSERTED_FIELDS]
    table = connection.ops.quote_name(DataValue._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([getattr(row, f.attname) for f in fields])


def _update_figures(rows: list[_Row], batch: int = 1000) -> None:
    """Write the figures of existing rows: on PostgreSQL one `UPDATE … FROM (VALUES …)` per
    thousand rows (Django's `bulk_update` builds a CASE per row and field: seconds for 10,000
    rows), elsewhere `bulk_update`."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        DataValue.objects.bulk_update(
            [DataValue(**row._asdict()) for row in rows], UPDATED_FIELDS, batch_size=500
        )
        return
    fields = [DataValue._meta.get_field(name) for name in UPDATED_FIELDS]
    table = connection.ops.quote_name(DataValue._meta.db_table)
    columns = ", ".join(
        f"CAST(column{n + 2} AS {field.db_type(connection)}) AS {field.column}"
        for n, field in enumerate(fields)
    )
    assignments = ", ".join(f"{field.column} = v.{field.column}" for field in fields)
    row_sql = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = []
            for row in chunk:
                params += [row.pk, *(getattr(row, f.attname) for f in fields)]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (SELECT column1 AS id, {columns} "
                f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS vals) AS v "
                f"WHERE {table}.id = v.id",
                params,
            )
