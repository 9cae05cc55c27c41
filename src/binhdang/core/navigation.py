"""Where a page sends the user back to."""

from django.utils.http import url_has_allowed_host_and_scheme


def came_from(request) -> str:
    """The page of this site the user came from, as its `next` parameter says, or "" (a `next`
    pointing elsewhere is ignored, so a link cannot send a user off the site)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
