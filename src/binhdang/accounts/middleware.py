"""Refuse access to signed-in users that no unit has been given to."""

from django.shortcuts import render
from django.urls import reverse


class UnitRequiredMiddleware:
    """A user with no unit sees a clear message and nothing else (system admins excepted)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed_prefixes = None

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.unit_id is None and not user.is_system_admin:
            if self.allowed_prefixes is None:
                self.allowed_prefixes = (reverse("logout"), reverse("set_language"), "/static/")
            if not request.path.startswith(self.allowed_prefixes):
                return render(request, "accounts/no_unit.html", status=403)
        return self.get_response(request)
