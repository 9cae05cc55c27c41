import datetime

import pytest

from binhdang.activities import services
from binhdang.activities.models import Kind


def activity_data(organiser, **overrides) -> services.ActivityData:
    """What a filled form says: a one-day training with 100 participants, 60 of them women."""
    values = {
        "title": "Tập huấn lồng ghép giới",
        "kind": Kind.TRAINING,
        "start_date": datetime.date(2025, 9, 10),
        "organiser": organiser,
        "participants": 100,
        "women": 60,
    }
    values.update(overrides)
    return services.ActivityData(**values)


@pytest.fixture
def record(personas):
    """Record an activity as a given persona (the commune officer by default)."""

    def make(organiser, actor="commune_officer", **overrides):
        return services.create_activity(personas[actor], activity_data(organiser, **overrides))

    return make
