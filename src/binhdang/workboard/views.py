"""The home page after sign-in: what the user has to do now."""

from django.shortcuts import render

from binhdang.core import dates
from binhdang.plans.queries import DUE_SOON_DAYS

from . import queries, services


def home(request):
    """Reports to write and to review, tasks, recommendations and warnings, one click from each."""
    user = request.user
    # The session remembers it too, so that later views ask the database nothing about it.
    first = False
    if not request.session.get("intro_seen"):
        first = services.first_visit(user)
        request.session["intro_seen"] = True
    return render(
        request,
        "workboard/home.html",
        {
            "board": queries.board(user),
            "intro": queries.intro_lines(user) if first else [],
            "today": dates.today(),
            "due_soon_days": DUE_SOON_DAYS,
        },
    )


def at_risk(request):
    """The user's unit's targets at risk, loaded after the home page."""
    unit, rows = queries.at_risk(request.user)
    return render(request, "workboard/_at_risk.html", {"unit": unit, "rows": rows})
