"""The analyst export: every figure a user may see under a unit, in long format (one row per
stored value: unit, year, indicator, breakdown), streamed as CSV or Excel in constant memory
(decision "Analyst export"; bench/analyst_export.py).

Rows are the values as entered (`DataValue`), never the roll-ups: an analyst sums them in their
own tool, and the pages and the API give the roll-up with its provenance. Each total (and each
per-level line of a target judged per level, as the overview judges them) carries the verdict of
its own figure against the target that applies to its unit and year (`queries.TargetIndex`, the
precedence of `applicable_target`; `evaluation.evaluate`); other breakdowns carry none, as on the
overview.

Reading: the visible units of the subtree (pk, path, code: a few MB for the nation), then the
values `UNIT_CHUNK` units at a time through `values_list(...).iterator()`, so neither the values
nor model instances of them are held; a unit's label comes from its model (`unit_name`). For the
API: `rows()` + `header()` with `RESPONSES[format]` (`csv_response()`, `xlsx_response()`), the
filters checked by `forms.AnalystExportForm`.
"""

import itertools
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q
from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.core import exports
from binhdang.orgunits.models import Level, OrgUnit

from .evaluation import Verdict, evaluate
from .models import DataValue, Indicator
from .queries import TargetIndex
from .rollup import LEVEL_CATEGORY

UNIT_CHUNK = 500  # units whose values one query reads
ROW_CHUNK = 2000  # rows fetched from the database at a time
JUDGED = ("", *LEVEL_CATEGORY.values())  # the categories the overview gives a verdict


def values_by_unit_chunks(user, values, units, fields, order):
    """The rows (`values_list(*fields)`) of `values`, a DataValue queryset, that the user may see,
    for `units` (an OrgUnit queryset) in path order: UNIT_CHUNK units per query, ROW_CHUNK rows
    per fetch, so that an export of the nation sends its first row after one small query and
    never holds its rows. `order` starts with "unit__path": the chunks then follow each other
    in one order. Lazy: nothing is read until the first row is asked for."""
    pks = units.order_by("path").values_list("pk", flat=True)
    for chunk in itertools.batched(pks, UNIT_CHUNK):
        rows = permissions.restrict(user, values.filter(unit_id__in=chunk)).order_by(*order)
        yield from rows.values_list(*fields).iterator(chunk_size=ROW_CHUNK)


def unit_name(unit: OrgUnit) -> str:
    """A unit as the export names it (the one place): its label, with its period if it ended."""
    return unit.label


def header() -> list[str]:
    """The column titles, in the active language."""
    return [
        _("Unit code"),
        _("Unit"),
        _("Level"),
        _("Parent codes"),
        _("Year"),
        _("Indicator code"),
        _("Indicator number"),
        _("Indicator"),
        _("Breakdown"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
        _("Result"),
        _("Source"),
        _("Note"),
    ]


def indicators(user, unit: OrgUnit):
    """The indicators the user may see whose figures can lie under the unit: the framework's,
    local ones of the unit's line, and local ones of units below it."""
    return permissions.indicators_for(user).filter(
        Q(owner_unit__isnull=True)
        | Q(owner_unit_id__in=[*unit.ancestor_ids(), unit.pk])
        | Q(owner_unit__path__startswith=unit.path)
    )


class _Unit(NamedTuple):
    code: str
    name: str
    level: str
    parents: str
    line: tuple[int, ...]


def rows(user, unit: OrgUnit, first_year: int, last_year: int, chosen=None):
    """Every stored value the user may see under `unit` for the years and indicators (`chosen`;
    None: all of `indicators()`), one list of cells per value in `header()`'s order, typed
    (text, whole years, Decimal figures, None for an empty cell). Lazy: nothing is read until the
    first row is asked for; texts follow the language active when this is called."""
    allowed = indicators(user, unit)
    if chosen is not None:
        allowed = allowed.filter(pk__in=[getattr(i, "pk", i) for i in chosen])
    # A streamed response is read after the view returns, when the request's language may be
    # gone: the rows keep the one active now.
    return _rows(user, unit, range(first_year, last_year + 1), allowed, translation.get_language())


def _rows(user, root: OrgUnit, years: range, allowed, language: str):
    with translation.override(language):
        yield from _translated_rows(user, root, years, allowed)


def _translated_rows(user, root: OrgUnit, years: range, allowed):
    by_id: dict[int, Indicator] = {i.pk: i for i in allowed}
    if not by_id:
        return
    targets = TargetIndex(by_id, years.start)
    verdicts = {v: str(v.label) for v in Verdict}
    total = _("Total")
    breakdowns = {key: str(label) for i in by_id.values() for key, label in i.categories()}
    names = {pk: (i.code, i.number, i.name, i.direction) for pk, i in by_id.items()}
    units = sorted(
        permissions.visible_units(user)
        .filter(path__startswith=root.path)
        .values_list("path", "pk", "code")
    )
    codes = dict(OrgUnit.objects.filter(pk__in=root.ancestor_ids()).values_list("pk", "code"))
    codes.update((pk, code) for _path, pk, code in units)
    for start in range(0, len(units), UNIT_CHUNK):
        chunk = [pk for _path, pk, _code in units[start : start + UNIT_CHUNK]]
        described = {
            unit.pk: _describe(unit, codes) for unit in OrgUnit.objects.filter(pk__in=chunk)
        }
        values = (
            permissions.restrict(user, DataValue.objects.filter(unit_id__in=chunk))
            .filter(year__gte=years.start, year__lte=years.stop - 1, indicator_id__in=list(by_id))
            .order_by("unit__path", "year", "indicator__code", "category")
            .values_list(
                "unit_id",
                "year",
                "indicator_id",
                "category",
                "numerator",
                "denominator",
                "value",
                "source",
                "note",
            )
        )
        for unit_id, year, indicator_id, category, num, den, value, source, note in values.iterator(
            chunk_size=ROW_CHUNK
        ):
            unit = described[unit_id]
            code, number, name, direction = names[indicator_id]
            verdict = ""
            if category in JUDGED:
                target = targets.applicable(unit.line, indicator_id, year)
                verdict = verdicts[
                    evaluate(
                        value,
                        target.value if target else None,
                        target.comparator if target else "",
                        direction,
                    )
                ]
            yield [
                unit.code,
                unit.name,
                unit.level,
                unit.parents,
                year,
                code,
                number,
                name,
                breakdowns.get(category, category) if category else total,
                num,
                den,
                value,
                verdict,
                source,
                note,
            ]


def _describe(unit: OrgUnit, codes: dict[int, str]) -> _Unit:
    above = unit.ancestor_ids()
    return _Unit(
        unit.code,
        unit_name(unit),
        str(Level(unit.level).label),
        "/".join(codes.get(pk, "") for pk in above),
        (*above, unit.pk),
    )


def _plain(value):
    """A figure as a CSV writes it: 1250, 45.6257 (a dot, whatever the language)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def csv_response(header_row: list[str], values, filename: str) -> StreamingHttpResponse:
    """The rows as a CSV download streamed while they are read (UTF-8 with a BOM, formulas
    neutralised by `core.exports`)."""
    return exports.attachment(
        exports.csv_stream(header_row, ([_plain(v) for v in row] for row in values)),
        "text/csv; charset=utf-8",
        f"{filename}.csv",
    )


def xlsx_response(header_row: list[str], values, filename: str) -> StreamingHttpResponse:
    """The rows as an Excel workbook streamed while they are read (`core.exports.xlsx_stream`);
    past Excel's row limit, more sheets."""
    return exports.attachment(
        exports.xlsx_stream(_("Figures"), header_row, values), exports.XLSX_TYPE, f"{filename}.xlsx"
    )


RESPONSES = {"csv": csv_response, "xlsx": xlsx_response}  # by the form's `format`


def filename(unit: OrgUnit, first_year: int, last_year: int) -> str:
    """ "so-lieu-P51-2021-2030": the download's name without its extension."""
    years = str(first_year) if first_year == last_year else f"{first_year}-{last_year}"
    return f"so-lieu-{unit.code}-{years}"
