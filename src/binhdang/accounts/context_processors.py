"""What the layout may offer the signed-in user, decided by the permissions module."""

from . import permissions


def account_menu(request) -> dict:
    """Whether to offer account management in the user menu."""
    return {"can_manage_accounts": bool(permissions.assignable_roles(request.user))}
