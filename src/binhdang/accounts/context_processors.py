"""What the layout may offer the signed-in user, decided by the permissions module."""

from . import permissions


def account_menu(request) -> dict:
    """Whether to offer account management in the user menu."""
    return {"can_manage_accounts": bool(permissions.assignable_roles(request.user))}


def breadcrumb_scope(request) -> dict:
    """Which units the breadcrumb may link to: those the user may see."""
    return {"viewable_units": permissions.Viewable(request.user)}
