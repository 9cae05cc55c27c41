"""Account management by unit and system administrators, within their scope."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from binhdang.core.forms import add_service_errors
from binhdang.core.text import matching
from binhdang.orgunits.queries import breadcrumb

from . import permissions, services
from .forms import OversightGrantForm, PasswordForm, UserCreateForm, UserEditForm
from .models import OversightGrant, Role


def _unit_by_code(user, code: str):
    """A live unit the user administers, by our code or the official one."""
    unit = (
        permissions.units_for_role(user, Role.UNIT_ADMIN)
        .live()
        .filter(Q(code__iexact=code) | Q(official_code=code))
        .order_by("level")
        .first()
    )
    if unit is None:
        raise ValidationError(
            {"unit_code": _("No current unit with code “%s” in your scope.") % code}
        )
    return unit


def user_list(request):
    """Accounts in the administrator's subtree, optionally of one unit."""
    users = permissions.visible_users(request.user).select_related("unit")
    unit = None
    if request.GET.get("unit"):
        unit = permissions.get_unit(request.user, request.GET["unit"], "admin")
        users = users.filter(unit=unit)
    elif not permissions.assignable_roles(request.user):
        raise PermissionDenied(_("Only administrators manage accounts."))
    text = request.GET.get("q", "").strip()
    if text:
        users = matching(users, text)
    page = Paginator(users.order_by("unit__path", "username"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "unit": unit, "q": text})


@require_http_methods(["GET", "POST"])
def user_create(request, unit_pk):
    """Create an account in a unit."""
    unit = permissions.get_unit(request.user, unit_pk, "admin")
    form = UserCreateForm(request.POST or None, roles=permissions.assignable_roles(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Account “%s” created.") % user.username)
            return redirect(f"{reverse('accounts:list')}?unit={unit.pk}")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "unit": unit, "breadcrumb": breadcrumb(unit), "creating": True},
    )


@require_http_methods(["GET", "POST"])
def user_edit(request, pk):
    """Change an account's details, role or status, or set a new password."""
    account = permissions.get_user(request.user, pk)
    form = UserEditForm(
        request.POST if "save" in request.POST else None,
        roles=permissions.assignable_roles(request.user),
        initial={
            "full_name": account.first_name,
            "title": account.title,
            "email": account.email,
            "phone": account.phone,
            "role": account.role,
            "is_active": account.is_active,
        },
    )
    password_form = PasswordForm(request.POST if "set_password" in request.POST else None)
    try:
        if form.is_bound and form.is_valid():
            changes = dict(form.cleaned_data)
            code = changes.pop("unit_code").strip()
            if code:
                changes["unit"] = _unit_by_code(request.user, code)
            services.update_user(request.user, account, **changes)
            messages.success(request, _("Saved."))
            return redirect("accounts:edit", pk=account.pk)
        if "reset_two_factor" in request.POST:
            services.remove_two_factor(request.user, account)
            messages.success(request, _("Two-factor login removed; the user can set it up again."))
            return redirect("accounts:edit", pk=account.pk)
        if password_form.is_bound and password_form.is_valid():
            services.set_password(request.user, account, password_form.cleaned_data["password"])
            messages.success(request, _("Password changed."))
            return redirect("accounts:edit", pk=account.pk)
    except ValidationError as error:
        add_service_errors(password_form if password_form.is_bound else form, error)
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "password_form": password_form,
            "account": account,
            "unit": account.unit,
            "breadcrumb": breadcrumb(account.unit) if account.unit else [],
            "has_two_factor": services.has_two_factor(account),
            "can_reset_two_factor": permissions.can_reset_two_factor(request.user, account),
        },
    )


@require_http_methods(["GET", "POST"])
def two_factor_policy(request, unit_pk):
    """Whether the unit's approvers and administrators (and those below) must use two-factor."""
    unit = permissions.get_unit(request.user, unit_pk, "view")
    if not permissions.can_require_two_factor(request.user, unit):
        raise PermissionDenied(_("Your role does not allow this action in this unit."))
    if request.method == "POST":
        required = request.POST.get("required") == "1"
        services.set_two_factor_requirement(request.user, unit, required)
        if required:
            messages.success(request, _("Two-factor login is now required in this unit."))
        else:
            messages.success(request, _("Two-factor login is no longer required by this unit."))
        return redirect("accounts:two_factor_policy", unit_pk=unit.pk)
    rule = services.requirement_for(unit)
    return render(
        request,
        "accounts/two_factor_policy.html",
        {"unit": unit, "rule": rule, "breadcrumb": breadcrumb(unit)},
    )


def _any_unit_by_code(user, code: str, field: str):
    """A unit the user sees, by our code, else a current unit by its official code."""
    units = permissions.visible_units(user)
    unit = units.filter(code__iexact=code.strip()).first()
    unit = unit or units.live().filter(official_code=code.strip()).order_by("level").first()
    if unit is None:
        raise ValidationError({field: _("No unit with code “%s”.") % code.strip()})
    return unit


@require_http_methods(["GET", "POST"])
def oversight(request):
    """Oversight grants: who oversees which subtree for what, since when, on what basis."""
    if not permissions.can_grant_oversight(request.user):
        raise PermissionDenied(_("Only a system administrator gives or ends oversight."))
    form = OversightGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            grants = services.grant_oversight(
                request.user,
                grantee=_any_unit_by_code(request.user, data.pop("grantee_code"), "grantee_code"),
                unit=_any_unit_by_code(request.user, data.pop("unit_code"), "unit_code"),
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Oversight given to %s.") % grants[0].grantee.name)
            return redirect("accounts:oversight")
    grants = OversightGrant.objects.select_related("grantee", "unit", "granted_by")
    return render(request, "accounts/oversight.html", {"form": form, "grants": grants})


@require_POST
def oversight_end(request, pk):
    """End an oversight grant today."""
    grant = get_object_or_404(OversightGrant, pk=pk)
    try:
        services.end_oversight(request.user, grant)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The oversight ended today."))
    return redirect("accounts:oversight")
