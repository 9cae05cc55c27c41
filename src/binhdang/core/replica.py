"""An optional read replica for heavy reads (the consolidated report), never for writes.

With DATABASE_REPLICA_URL set, settings add the database alias "replica" (a PostgreSQL streaming
replica of the primary). Code that reads much and can bear a second of replication lag wraps its
reads in `reading_replica()`; every other read, and every write whatever the context, goes to
"default" (the primary). Without the setting the router sends everything to "default".
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


@contextmanager
def reading_replica() -> Iterator[None]:
    """Send the reads made inside the block to the replica, if one is configured."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


class ReplicaRouter:
    """Reads to the replica inside `reading_replica()`, everything else to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        if _reading_replica.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None  # Django's own choice: the related object's database, else the default

    def db_for_write(self, model, **hints) -> str | None:
        # Left to Django, an object read from the replica would be saved back there; one read
        # from any other database (a restore's target) is written where it came from.
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return "default"
        return None

    def allow_relation(self, first, second, **hints) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The replica follows the primary's schema by replication; any other database (a
        # restore's target, a test's second connection) is migrated as usual.
        return db != REPLICA
