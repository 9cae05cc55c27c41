"""The sub-units' sums the roll-up reads (`SubunitSum`, decision 82), kept with every write.

For each unit, the figures its direct sub-units of one level entered for an indicator, a year
and a category are kept summed (how many values, the sums of their numerators, denominators and
values). The roll-up (`rollup._groups`) reads these sums instead of every commune's row, and
only the entries of units that have sub-units one by one, so a national roll-up reads a few
thousand rows however many values were entered.

Every write of values goes through `apply` in its own transaction: `services.record_value` and
`services.record_values_bulk` (the entry form, the API, Excel and DHIS2 imports, the demo). The
increments are one upsert (`INSERT … ON CONFLICT DO UPDATE SET entries = entries + …`), so two
transactions adding to the same sum both count, and the rows are taken in one order, so two
writers never wait for each other in a cycle. `rebuild` recomputes every sum from the values
(`binhdang manage rebuild_rollup`), for data written around the services (a restore of an old
backup, a unit moved by hand in the admin).
"""

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import connection, transaction

from binhdang.core.db import among

from . import revision
from .measures import STORED
from .models import DataValue, SubunitSum

ZERO = Decimal(0)
KEY = ("indicator_id", "year", "category", "parent_id", "level")
SUMS = ("entries", "numerator", "denominator", "value")


class Change(NamedTuple):
    """What one write adds to one sum (negative to take away)."""

    indicator_id: int
    year: int
    category: str
    parent_id: int
    level: int
    entries: int
    numerator: Decimal
    denominator: Decimal
    value: Decimal


def _figures(figures) -> tuple[Decimal, Decimal, Decimal]:
    """The figures as their columns store them: 4 decimals, rounded as the database rounds
    (PostgreSQL half away from zero; half to even on SQLite, as Django reads it back), empty as
    0. The services' figures have 4 decimals already (`measures.clean_figures`)."""
    if figures is None:
        return ZERO, ZERO, ZERO
    rounding = ROUND_HALF_UP if connection.vendor == "postgresql" else ROUND_HALF_EVEN
    return tuple(ZERO if f is None else Decimal(f).quantize(STORED, rounding) for f in figures[:3])


def change(indicator_id: int, unit, year: int, category: str, old, new) -> Change | None:
    """The change to the sum of `unit`'s parent when its figures (numerator, denominator,
    value) go from `old` to `new` (None: no row before, or none after); None for a unit
    without a parent (its own figure is always read one by one)."""
    if unit.parent_id is None:
        return None
    entries = (new is not None) - (old is not None)
    before, after = _figures(old), _figures(new)
    deltas = [a - b for a, b in zip(after, before, strict=True)]
    return Change(indicator_id, year, category, unit.parent_id, unit.level, entries, *deltas)


def apply(changes) -> None:
    """Add the changes to the sums, in one upsert for up to 500 sums (inside the caller's
    transaction)."""
    merged: dict[tuple, list] = defaultdict(lambda: [0, ZERO, ZERO, ZERO])
    for item in changes:
        if item is None:
            continue
        total = merged[item[:5]]
        for index, amount in enumerate(item[5:]):
            total[index] += amount
    rows = sorted((key, total) for key, total in merged.items() if any(amount for amount in total))
    if not rows:
        return
    table = connection.ops.quote_name(SubunitSum._meta.db_table)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in (*KEY, *SUMS))
    increments = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in SUMS)
    conflict = ", ".join(quote(c) for c in KEY)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {increments}",
                [param for key, total in chunk for param in (*key, *total)],
            )


def locked_figures(pks) -> dict[int, tuple]:
    """The stored figures of the rows about to be changed, read with the rows locked (on
    PostgreSQL), so that what a write takes away from the sums is what the row held."""
    found = {}
    pks = sorted(pks)
    for start in range(0, len(pks), 5000):
        chunk = pks[start : start + 5000]
        rows = (
            DataValue.objects.select_for_update()
            .filter(pk__in=among(chunk))
            .order_by("pk")
            .values_list("pk", "numerator", "denominator", "value")
        )
        found.update((pk, figures) for pk, *figures in rows)
    return found


@transaction.atomic
def rebuild() -> int:
    """Recompute every sum from the values (one grouped query) in one transaction, and move the
    figures' revision on (what was written outside the services may be in cached series);
    returns the number of sums."""
    quote = connection.ops.quote_name
    table = quote(SubunitSum._meta.db_table)
    values = quote(DataValue._meta.db_table)
    units = quote(DataValue._meta.get_field("unit").related_model._meta.db_table)
    sums = ", ".join(f"COALESCE(SUM(v.{quote(c)}), 0)" for c in SUMS[1:])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(quote(c) for c in (*KEY, *SUMS))}) "
            f"SELECT v.indicator_id, v.year, v.category, u.parent_id, u.level, COUNT(*), {sums} "
            f"FROM {values} v JOIN {units} u ON u.id = v.unit_id "
            "WHERE u.parent_id IS NOT NULL "
            "GROUP BY v.indicator_id, v.year, v.category, u.parent_id, u.level"
        )
        revision.figures_written()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return SubunitSum.objects.count()
