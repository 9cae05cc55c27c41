"""A user's own account: password, and two-factor login (enrolment, the code at login)."""

import base64
import io

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from binhdang.core.forms import add_service_errors
from binhdang.core.navigation import came_from

from . import services
from .forms import CodeForm


def _next_url(request, default: str = "account:home") -> str:
    """Where to go after the step: the page the user was on, if it is ours."""
    return came_from(request) or reverse(default)


def account_home(request):
    """The user's own account: details, password, two-factor login."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_two_factor": services.has_two_factor(user),
            "two_factor_required": services.two_factor_required(user),
        },
    )


@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Enrol an authenticator app (QR code, then a code to confirm), or remove it."""
    user = request.user
    if services.has_two_factor(user) and not user.is_verified():
        return redirect("account:two_factor_verify")  # the code first, never a new secret
    enrolled = services.has_two_factor(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if "recovery" in request.POST and enrolled:
                if services.verify_code(user, code) is None:
                    raise ValidationError(
                        {"code": _("The code is wrong or has expired. Try the new one.")}
                    )
                codes = services.make_recovery_codes(user)
                return render(request, "accounts/recovery_codes.html", {"codes": codes})
            if "remove" in request.POST and enrolled:
                services.remove_two_factor(user, user, code)
                messages.success(request, _("Two-factor login is off for your account."))
                return redirect("account:home")
            if not enrolled:
                device = services.confirm_device(user, code)
                otp_login(request, device)
                messages.success(
                    request, _("Two-factor login is on: each login will ask for a code.")
                )
                return redirect(_next_url(request))
        except ValidationError as error:
            add_service_errors(form, error)
    device = None if enrolled else services.pending_device(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "enrolled": enrolled,
            "required": services.two_factor_required(user),
            "recovery_left": services.recovery_codes_left(user) if enrolled else 0,
            "secret": _grouped_secret(device) if device else "",
            "next": request.GET.get("next", ""),
        },
    )


def _grouped_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def two_factor_qr(request):
    """The QR code of the authenticator being enrolled, as an SVG image (no script, no style)."""
    device = services.pending_device(request.user, create=False)
    if device is None:
        raise Http404(_("There is no authenticator being set up."))
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=4, border=2)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of logging in: the code from the user's authenticator app."""
    user = request.user
    if user.is_verified() or not services.has_two_factor(user):
        return redirect(_next_url(request, "workboard:home"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request, "workboard:home"))
        form.add_error("code", _("The code is wrong or has expired. Try the new one."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": request.GET.get("next", "")},
    )
