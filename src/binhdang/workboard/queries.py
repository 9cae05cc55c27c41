"""What the signed-in user has to do, gathered from the other apps' reads.

Every list comes from the owning app's queries through the permissions module's querysets, is cut
to a few rows with a total beside it, and so costs the same number of queries for a commune and
for the nation. The targets at risk are a forecast over ten years of the unit's subtree (about a
second for the nation): they are loaded after the page, and kept for an hour per unit.
"""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Window
from django.utils.translation import gettext as _

from binhdang.accounts import permissions
from binhdang.accounts.models import Role
from binhdang.committees.models import Committee
from binhdang.committees.queries import attention
from binhdang.core import dates
from binhdang.indicators import forecast
from binhdang.indicators.models import Framework
from binhdang.orgunits.models import OrgUnit
from binhdang.plans import queries as plans
from binhdang.reporting import queries as reporting
from binhdang.reporting.models import State

# Rows shown per list; the total says how many more wait on the list's own page.
SHOWN = 8
AT_RISK_SECONDS = 3600


@dataclass
class Items:
    """A few rows of a list and how many there are in all."""

    rows: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _items(queryset) -> Items:
    """The first rows and the total, in one query (the count is a window over the whole list)."""
    rows = list(queryset.annotate(listed_total=Window(Count("pk")))[:SHOWN])
    return Items(rows, rows[0].listed_total if rows else 0)


@dataclass
class Board:
    """The home page's lists for one user; a list the role has no part in is None."""

    unit: OrgUnit | None
    to_write: Items | None = None
    returned: Items | None = None
    to_review: Items | None = None
    overdue: Items | None = None
    due_soon: Items | None = None
    recommendations: Items | None = None
    committee: Committee | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        lists = (self.to_write, self.returned, self.to_review, self.overdue, self.due_soon)
        return not self.warnings and not any(
            items.total for items in (*lists, self.recommendations) if items
        )


def reviews(user) -> bool:
    """Whether the user reviews the reports of units below (approvers and above)."""
    return permissions.sees_everything(user) or user.has_role(Role.APPROVER)


def board(user, today: datetime.date | None = None) -> Board:
    """Everything the user's unit and role have to do now."""
    today = today or dates.today()
    unit = permissions.home_unit(user)
    result = Board(unit)
    if unit is None:
        return result
    # The nation answers no round: nobody above it asks for a report.
    if unit.parent_id is not None and permissions.can_edit(user, unit):
        own = reporting.to_write(unit)
        result.to_write = _items(own.exclude(state=State.RETURNED))
        result.returned = _items(own.filter(state=State.RETURNED))
    if reviews(user):
        result.to_review = _items(reporting.awaiting_review(user))
    tasks = plans.tasks_given_to_or_by(user, unit).select_related("lead_unit", "assigned_by")
    result.overdue = _items(tasks.overdue(today).order_by("deadline", "pk"))
    result.due_soon = _items(
        tasks.due_within(plans.DUE_SOON_DAYS, today).order_by("deadline", "pk")
    )
    result.recommendations = _items(plans.recommendations_to_follow(user, unit))
    committee = permissions.restrict(user, Committee.objects.filter(unit=unit)).first()
    if committee is not None:
        result.committee = committee
        result.warnings = attention(committee, today)
    return result


def at_risk(user, today: datetime.date | None = None) -> tuple[OrgUnit | None, list[dict]]:
    """The user's unit's targets whose projection misses the next milestone, kept an hour per
    unit and day (a forecast moves with a year's figures, not with each page view)."""
    today = today or dates.today()
    unit = permissions.home_unit(user)
    framework = Framework.objects.order_by("code").first()
    if unit is None or framework is None:
        return unit, []
    key = f"workboard:at-risk:{framework.pk}:{unit.pk}:{today.isoformat()}"
    rows = cache.get(key)
    if rows is None:
        rows = [
            {
                "number": item.indicator.number,
                "name": item.indicator.name,
                "outlook": item.outlook,
                "milestone": item.projection.year if item.projection else None,
            }
            for item in forecast.targets_at_risk(framework, unit, today)
        ]
        cache.set(key, rows, AT_RISK_SECONDS)
    for row in rows:
        row["label"] = forecast.OUTLOOK_LABELS[row["outlook"]]
    return unit, rows


def intro_lines(user) -> list[str]:
    """What the year looks like for the user's role, in three lines (shown on the first visit)."""
    if permissions.sees_everything(user):
        return [
            _(
                "Each year the nation opens a reporting round to the provinces and ministries; "
                "provinces open theirs to their communes."
            ),
            _(
                "Here you follow who has reported, and the reports submitted to the nation wait "
                "for your review."
            ),
            _(
                "When the reports are accepted, the national report is compiled from them "
                "(Reports → the round → Word report)."
            ),
        ]
    if reviews(user):
        return [
            _(
                "Your unit opens the year's reporting round for the units below it "
                "(Reports → Open a reporting round)."
            ),
            _(
                "Their submitted reports appear here: accept them, or return them with a comment "
                "saying what to correct."
            ),
            _(
                "When they are accepted, your unit's own report is compiled from theirs and sent "
                "to the unit above."
            ),
        ]
    if user.has_role(Role.DATA_OFFICER):
        return [
            _(
                "When the unit above opens a reporting round, your unit's report appears here "
                "with its deadline."
            ),
            _(
                "Enter the figures, write the sections and submit before the deadline; tasks "
                "given to your unit are listed here too."
            ),
            _(
                "If the report comes back, the reviewer's comment is shown here: correct it and "
                "submit again."
            ),
        ]
    return [
        _("You can read your unit's figures, reports, plans and committee."),
        _("The reports and tasks of your unit and their deadlines are listed here."),
        _(
            "To enter figures or write reports, ask your unit's administrator for a data "
            "officer's role."
        ),
    ]
