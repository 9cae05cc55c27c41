"""Error pages in the user's language, and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


def _error(request, status: int, exception=None):
    args = getattr(exception, "args", ())
    # Our own refusals carry a sentence for the user; the resolver's 404 carries a dict.
    message = args[0] if args and isinstance(args[0], str) else ""
    return render(request, f"{status}.html", {"message": message}, status=status)


def forbidden(request, exception=None):
    return _error(request, 403, exception)


def not_found(request, exception=None):
    return _error(request, 404, exception)


def server_error(request):
    return render(request, "500.html", status=500)


@login_not_required
def health(request):
    """For load balancers and monitoring: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
