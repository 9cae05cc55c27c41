"""Database idioms shared by the apps' queries."""

from django.db import connection
from django.db.models.expressions import RawSQL


def among(ids):
    """The right-hand side of an `__in` filter on many ids: on PostgreSQL one array parameter
    (cheap to send, and planned as a hashed join) instead of thousands; elsewhere the list."""
    ids = list(ids)
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids
