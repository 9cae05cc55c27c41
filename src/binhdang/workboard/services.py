"""Writes of the work board."""

from .models import IntroSeen


def first_visit(user) -> bool:
    """Record that the user saw the introduction; True only the first time."""
    _seen, created = IntroSeen.objects.get_or_create(user=user)
    return created
