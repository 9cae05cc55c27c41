"""Catalogue pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from binhdang.accounts import permissions
from binhdang.core.forms import add_service_errors

from . import queries, services
from .forms import TargetForm
from .models import Framework, Target


def catalogue(request):
    """The strategy's objectives, indicators and 2025/2030 targets with their sources."""
    framework = Framework.objects.order_by("code").first()
    return render(
        request,
        "indicators/catalogue.html",
        {
            "framework": framework,
            "objectives": queries.catalogue(framework) if framework else [],
            "can_edit_targets": permissions.sees_everything(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def edit_target(request, pk):
    """A system administrator fills in or corrects a national target (audited)."""
    if not permissions.sees_everything(request.user):
        raise PermissionDenied(_("Only a system administrator changes national targets."))
    target = get_object_or_404(Target.objects.select_related("indicator"), pk=pk, unit=None)
    form = TargetForm(
        request.POST or None,
        initial={"value": target.value, "comparator": target.comparator, "source": target.source},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_target(
                request.user, target.indicator, year=target.year, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("indicators:catalogue")
    return render(request, "indicators/edit_target.html", {"target": target, "form": form})
