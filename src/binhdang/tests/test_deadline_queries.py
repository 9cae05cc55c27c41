"""The pages an officer meets at a deadline (issue 16): the landing page, the entry form, its
save, the unit's overview, the reports page and a report. Each costs a bounded number of queries
that does not grow with the tree: the same page is counted over a small dataset and again after
the province's reports, figures, tasks and locks have grown tenfold (3 communes, then 30), and
a save of 12 lines costs what a save of 2 lines costs (before issue 16, 13 queries a line)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from binhdang.indicators.models import DataValue, Indicator, Lock
from binhdang.indicators.tests.test_entry_form import opened
from binhdang.orgunits.models import Level
from binhdang.plans.models import Task
from binhdang.reporting.models import Submission
from binhdang.reporting.tests.conftest import open_round, send_up

pytestmark = pytest.mark.django_db

YEAR = 2025
# The most queries each page may take, for either persona (counted on the large dataset). The
# report's page drafts its unsent sections from the unit's figures, rolling them up again for
# each section (about 20 of its 44 queries): bounded, but the next thing to trim.
# The save counts the figures' revision (decision 76) and the sub-units' sums (decision 82); the
# report page rolls up each unwritten section's figures, each roll-up two reads of the sums.
BOUNDS = {"home": 16, "enter": 18, "save": 28, "overview": 25, "reports": 14, "report": 54}


def _communes(tree):
    return list(tree["province"].children.live().filter(level=Level.COMMUNE).order_by("code"))


def _grow(personas, tree, communes, name):
    """A round to `communes` (about half of them submitted), their figures 2021–2025 for the
    catalogue, tasks to them and to the officer's commune, and a lock on each of last year's."""
    approver, admin = personas["province_approver"], personas["system_admin"]
    round = open_round(approver, tree["province"], units=communes, name=name, allow_overlap=True)
    for submission in round.submissions.exclude(unit=tree["commune"])[: len(communes) // 2]:
        send_up(admin, submission)
    indicators = list(Indicator.objects.filter(owner_unit=None).exclude(measure="milestone"))
    DataValue.objects.bulk_create(
        DataValue(
            indicator=i, unit=u, year=y, numerator=10 + y % 7, denominator=100, value=10 + y % 7
        )
        for u in communes
        if u != tree["commune"]
        for i in indicators
        for y in range(2021, YEAR + 1)
    )
    today = datetime.date.today()
    Task.objects.bulk_create(
        Task(
            title=f"{name} {unit.code}",
            assigned_by=tree["province"],
            lead_unit=lead,
            deadline=today + datetime.timedelta(days=days),
        )
        for unit in communes
        for lead, days in ((unit, -3), (tree["commune"], 2))
    )
    Lock.objects.bulk_create(
        Lock(unit=u, year=YEAR - 1, reason="accepted", locked_by=admin)
        for u in communes
        if u != tree["commune"]
    )


def _count(client, method, url, data=None) -> int:
    if method == "get":  # the first view of the session writes what later views read
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == (302 if method == "post" else 200), (url, response.status_code)
    return len(queries)


def _lines(form, n: int) -> dict:
    """The form's posted data with `n` empty total lines typed (quotients and counts)."""
    data = dict(form.data)
    totals = sorted(
        int(key.split("-")[0])
        for key in data
        if re.fullmatch(r"\d+-(value|numerator)", key) and key not in form.disabled
    )
    typed = 0
    for pk in totals:
        if typed == n:
            break
        if data.get(f"{pk}-value") == "":
            data[f"{pk}-value"] = "1.250"
        elif data.get(f"{pk}-numerator") == "":
            data[f"{pk}-numerator"] = "30"
            data[f"{pk}-denominator"] = "1.000"
        else:
            continue
        typed += 1
    assert typed == n, f"only {typed} empty lines"
    return data


def _pages(client, user, unit, commune) -> dict:
    """The queries of each deadline page for `user` and their unit."""
    client.force_login(user)
    report = Submission.objects.filter(unit=commune).order_by("pk").first()
    enter = reverse("indicators:enter", args=[unit.pk]) + f"?year={YEAR}"
    counts = {
        "home": _count(client, "get", reverse("workboard:home")),
        "enter": _count(client, "get", enter),
        "overview": _count(
            client, "get", reverse("indicators:overview", args=[unit.pk]) + f"?year={YEAR}"
        ),
        "reports": _count(client, "get", reverse("reporting:home")),
        # The commune's report: the officer writes it, the approver reviews it.
        "report": _count(client, "get", reverse("reporting:submission", args=[report.pk])),
    }
    return counts


def _saves(client, user, unit) -> dict:
    """The queries of saving 2 and 12 new lines, and of correcting 12 stored ones."""
    client.force_login(user)
    url = reverse("indicators:enter", args=[unit.pk]) + f"?year={YEAR}"
    client.post(url, _lines(opened(client, url), 1))  # what a process reads once (content types)
    DataValue.objects.filter(unit=unit, year=YEAR).delete()
    two = _count(client, "post", url, _lines(opened(client, url), 2))
    DataValue.objects.filter(unit=unit, year=YEAR).delete()
    twelve = _count(client, "post", url, _lines(opened(client, url), 12))
    assert DataValue.objects.filter(unit=unit, year=YEAR).count() == 12
    form = opened(client, url)
    data = dict(form.data)
    changed = 0
    for key, value in form.data.items():
        if value and key.endswith(("-value", "-numerator")) and key not in form.disabled:
            data[key] = "1.251" if key.endswith("value") else "31"
            changed += 1
    assert changed == 12
    corrected = _count(client, "post", url, data)
    stored = DataValue.objects.filter(unit=unit, year=YEAR)
    assert not stored.filter(numerator=30).exists() and not stored.filter(value=1250).exists()
    return {"2 new": two, "12 new": twelve, "12 corrected": corrected}


@pytest.fixture
def small(client, personas, tree, catalogue):
    communes = _communes(tree)
    _grow(personas, tree, [tree["commune"], *communes[1:3]], "Đợt một")
    return communes


@pytest.mark.parametrize(
    ("persona", "unit"), [("commune_officer", "commune"), ("province_approver", "province")]
)
def test_deadline_pages_do_not_grow_with_the_tree(client, personas, tree, small, persona, unit):
    user, unit = personas[persona], tree[unit]
    before = _pages(client, user, unit, tree["commune"])
    _grow(personas, tree, small[3:30], "Đợt hai")
    after = _pages(client, user, unit, tree["commune"])
    assert after == before
    for page, count in after.items():
        assert count <= BOUNDS[page], (page, count)


@pytest.mark.parametrize(
    ("persona", "unit"), [("commune_officer", "commune"), ("province_approver", "province")]
)
def test_saving_costs_the_same_for_2_or_12_lines_and_any_tree(
    client, personas, tree, small, persona, unit
):
    user, unit = personas[persona], tree[unit]
    before = _saves(client, user, unit)
    _grow(personas, tree, small[3:30], "Đợt hai")
    after = _saves(client, user, unit)
    assert before["2 new"] == before["12 new"] == after["12 new"]
    assert after["12 corrected"] == before["12 corrected"]
    assert max(after.values()) <= BOUNDS["save"]
