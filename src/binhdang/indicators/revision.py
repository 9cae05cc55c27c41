"""The figures' revision, and what is computed from the figures and cached under it (decision 76).

The forecasts (the outlook page, the "at risk" panels of the dashboard, the home page and the
reports) roll up ten years of a whole subtree: about a second for the nation at a million
values, on every view. Their series are kept in Django's cache (the `default` cache) under a key
made of everything they depend on, read in one small query from the database the roll-up reads:
- the figures' revision: the sum of `FiguresRevision`, which moves on when a transaction that
  wrote figures commits (`figures_written`, called by the write services);
- the highest figure id, so that rows inserted by any other path count too;
- the number of units and their last change (which units lie below which);
- what the computation was asked (`cached`): units, indicators and their rules, years.
A page thus never shows a series computed before a save that committed before it was asked,
whichever process saved; a key is never wrong, only left unused, so the cache needs not be
shared (with a shared one, such as Redis, the processes also share the work). Targets are not
cached: the forecasts read them on each view.
"""

import hashlib
import random
from collections.abc import Callable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

from .models import DataValue, FiguresRevision

SHARES = 64
# Entries are never stale (their key changes with the figures); the timeout only frees memory.
TIMEOUT = 60 * 60


def _wrote() -> None:
    """Marks a transaction that wrote figures (an on-commit callback doing nothing, dropped with
    the transaction or savepoint whose writes it marks)."""


def wrote_in_transaction() -> bool:
    """Whether the open transaction has written figures (its reads must not use the cache:
    no other process sees those figures yet, and the revision moves on only at its commit)."""
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.in_atomic_block and any(
        func is _wrote for _sids, func, _robust in connection.run_on_commit
    )


def figures_written() -> None:
    """Called by every write of figures: the revision moves on with the transaction (once per
    transaction, however many figures it writes)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        if wrote_in_transaction():
            return
        transaction.on_commit(_wrote)
    _bump(connection)


def _bump(connection) -> None:
    """Add one to a share of the revision, inside the writing transaction."""
    table = connection.ops.quote_name(FiguresRevision._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A share no other transaction holds: saves at the same moment never wait here.
            cursor.execute(
                f"UPDATE {table} SET number = number + 1 WHERE id = (SELECT id FROM {table} "
                "ORDER BY random() LIMIT 1 FOR UPDATE SKIP LOCKED)"
            )
            if cursor.rowcount:
                return
        # SQLite writes one transaction at a time; on PostgreSQL every share is held: wait.
        cursor.execute(
            f"UPDATE {table} SET number = number + 1 WHERE id = %s", [random.randint(1, SHARES)]
        )
        if cursor.rowcount:
            return
    # The shares are missing (a database emptied since its migration): make them, then count.
    FiguresRevision.objects.bulk_create(
        [FiguresRevision(pk=pk) for pk in range(1, SHARES + 1)], ignore_conflicts=True
    )
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET number = number + 1 WHERE id = 1")


def fingerprint(alias: str) -> tuple:
    """What the roll-ups of the database `alias` depend on besides their arguments (one query):
    the revision, the highest figure id, the number of units and their last change."""
    from binhdang.orgunits.models import OrgUnit

    connection = connections[alias]
    quote = connection.ops.quote_name
    revision = quote(FiguresRevision._meta.db_table)
    values = quote(DataValue._meta.db_table)
    units = quote(OrgUnit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT SUM(number) FROM {revision}), (SELECT MAX(id) FROM {values}), "
            f"(SELECT COUNT(*) FROM {units}), (SELECT MAX(updated_at) FROM {units})"
        )
        return tuple(str(value) for value in cursor.fetchone())


def rules(indicators) -> list[tuple]:
    """What decides the indicators' roll-up (a cache key's part): id, measure, multiplier and
    the rules choosing the entries that count."""
    return [
        (i.pk, i.measure, str(i.multiplier), i.computed_from_children, str(i.dimensions))
        for i in indicators
    ]


def cached[T](name: str, asked, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the cache under `name`, `asked` (the units, `rules` of the
    indicators, the years: whatever the computation reads besides the figures and the tree)
    and the figures' `fingerprint`, so that it is computed again once any figure changed."""
    if wrote_in_transaction():
        return compute()
    alias = router.db_for_read(DataValue)
    key = repr((alias, connections[alias].settings_dict["NAME"], fingerprint(alias), asked))
    key = f"indicators:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT)
    return found
