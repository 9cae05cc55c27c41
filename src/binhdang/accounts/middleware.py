"""Request gates for signed-in users: a unit, a second factor where one is needed, no caching."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from . import services


class UnitRequiredMiddleware:
    """A user with no unit sees a clear message and nothing else (system admins excepted)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed_prefixes = None

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.unit_id is None and not user.is_system_admin:
            if self.allowed_prefixes is None:
                # Their own account (password, two-factor login) stays theirs to manage.
                self.allowed_prefixes = (
                    reverse("logout"),
                    reverse("set_language"),
                    reverse("account:home"),
                    "/static/",
                )
            if not request.path.startswith(self.allowed_prefixes):
                return render(request, "accounts/no_unit.html", status=403)
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages served to a signed-in user are never kept by the browser or a proxy.

    Government data must not be readable from a shared computer's cache or history after
    logging out, so every response to a signed-in user says `Cache-Control: no-store`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class TwoFactorMiddleware:
    """A signed-in user who has a second factor must give its code before anything else; one
    whose unit requires two-factor login (approvers and administrators) must first enrol.

    Someone who knows only the password of an account with an authenticator reaches nothing but
    the code page (not even the enrolment page, which would let them replace the authenticator).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            target = None
            if services.has_two_factor(user):
                target = reverse("account:two_factor_verify")
            elif services.two_factor_required(user):
                target = reverse("account:two_factor")
            if target:
                open_paths = {target, reverse("logout"), reverse("set_language")}
                if target == reverse("account:two_factor"):
                    open_paths.add(reverse("account:two_factor_qr"))
                if request.path not in open_paths:
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{target}?{query}")
        return self.get_response(request)
