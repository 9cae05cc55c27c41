"""What the layout may offer the signed-in user, decided by the permissions module."""

from django.utils.functional import SimpleLazyObject

from . import permissions


def account_menu(request) -> dict:
    """Whether to offer account management in the user menu."""
    return {"can_manage_accounts": bool(permissions.assignable_roles(request.user))}


def breadcrumb_scope(request) -> dict:
    """The units above the user's scope, which the breadcrumb shows as text (asked only when a
    page has a breadcrumb)."""
    return {
        "units_above_scope": SimpleLazyObject(lambda: permissions.units_above_scope(request.user))
    }
