"""The bell's unread count for the top bar."""

from functools import cached_property

from binhdang.accounts import permissions


class Bell:
    """Counts the user's unread notices when a template first asks (one indexed COUNT)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return permissions.notices_for(self.user).filter(read_at=None).count()


def bell(request) -> dict:
    """The bell for signed-in users; nothing (and no query) for anyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notices_bell": Bell(user)}
