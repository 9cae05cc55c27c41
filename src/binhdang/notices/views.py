"""The user's notices: the list, opening one (marked read, then on to its link), all read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from binhdang.accounts import permissions

from . import services

PAGE_SIZE = 30


@require_GET
def notice_list(request):
    notices = permissions.notices_for(request.user)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/list.html", {"page": page})


@require_POST
def open_notice(request, pk: int):
    notice = services.open_notice(request.user, pk)
    # Links are written by the platform; anything else would be refused here, not followed.
    if url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()}):
        return redirect(notice.link)
    return redirect("notices:list")


@require_POST
def read_all(request):
    count = services.mark_all_read(request.user)
    messages.success(request, _("All your notices are marked read (%d).") % count)
    return redirect(reverse("notices:list"))
