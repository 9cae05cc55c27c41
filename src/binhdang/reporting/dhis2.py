"""A round's figures exchanged with DHIS2 server to server (docs/dhis2.md).

Push: the figures of the units whose submissions the round accepted, for the round's year and
requested indicators, sent to DHIS2 (`indicators.dhis2_client`) in batches; a dry run asks DHIS2
what it would do and shows its import summary. Pull: the values DHIS2 holds for the data set, the
round's year and the opener's subtree, saved through the same import as an uploaded DHIS2 file
(`indicators.dhis2.import_values`: scope, locks, every rule of the form; all or nothing); a dry
run rehearses that import and saves nothing. Both run as background jobs (`core.jobs`) with
progress; only approvers of the round's opener and system administrators may start them.
"""

import itertools
import math
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from binhdang.accounts import permissions
from binhdang.core import imports, jobs
from binhdang.core.models import Job
from binhdang.indicators import analyst, dhis2, dhis2_client
from binhdang.indicators.measures import QUOTIENTS
from binhdang.indicators.models import DataValue
from binhdang.orgunits.models import OrgUnit

from .models import Dhis2Direction, Dhis2Exchange, ReportingRound, State

JOB_KIND = "dhis2"
# Values per request: DHIS2 imports a set in one transaction; smaller sets show progress and
# stay well under its request size limits.
BATCH = 1000
# Refusals kept on the exchange's page.
MAX_PROBLEMS = 200


def may_exchange(user, round: ReportingRound) -> bool:
    """Whether the user may push the round's figures to DHIS2 or pull values for it."""
    return permissions.can_exchange_with_dhis2(user, round.opener)


def check_may_exchange(user, round: ReportingRound) -> None:
    """Refuse (403) anyone but approvers of the round's opener and system administrators."""
    if not may_exchange(user, round):
        raise PermissionDenied(
            _("Only approvers of the unit that opened the round exchange its figures with DHIS2.")
        )


def _accepted(round: ReportingRound):
    """The round's year and requested indicators' values, and the units whose submissions it
    accepted (drafts and other units' figures are not the round's)."""
    units = OrgUnit.objects.filter(
        pk__in=round.submissions.filter(state=State.ACCEPTED).values("unit_id")
    )
    return DataValue.objects.filter(year=round.year, indicator__in=round.indicators.all()), units


def accepted_values(user, round: ReportingRound):
    """The stored figures of the units whose submissions the round accepted, for its year and
    requested indicators, that the user may see."""
    values, units = _accepted(round)
    return permissions.restrict(user, values).filter(unit__in=units)


def accepted_records(user, round: ReportingRound) -> Iterator[dict]:
    """The round's accepted figures as DHIS2 records, read a chunk of units at a time while they
    are used (a national round in constant memory)."""
    values, units = _accepted(round)
    return dhis2.records(
        analyst.values_by_unit_chunks(user, values, units, dhis2.FIELDS, dhis2.ORDER)
    )


def accepted_count(user, round: ReportingRound) -> int:
    """How many DHIS2 records the round's accepted figures make (two per quotient)."""
    counted = accepted_values(user, round).aggregate(
        values=Count("pk"), quotients=Count("pk", filter=Q(indicator__measure__in=QUOTIENTS))
    )
    return counted["values"] + counted["quotients"]


@transaction.atomic
def start_exchange(user, round: ReportingRound, direction: str, *, dry_run: bool) -> Dhis2Exchange:
    """Check the user may, and start the push or pull as a background job."""
    check_may_exchange(user, round)
    if direction not in Dhis2Direction.values:
        raise ValidationError(_("Unknown DHIS2 exchange."))
    dhis2_client.check_configured()
    exchange = Dhis2Exchange.objects.create(round=round, direction=direction, dry_run=dry_run)
    if direction == Dhis2Direction.PUSH:
        title = _("Dry run: push to DHIS2") if dry_run else _("Push to DHIS2")
    else:
        title = _("Dry run: pull from DHIS2") if dry_run else _("Pull from DHIS2")
    job = jobs.start(
        user, JOB_KIND, f"{title} · {round.name}", run_exchange, exchange_id=exchange.pk
    )
    Dhis2Exchange.objects.filter(pk=exchange.pk).update(job=job)
    exchange.refresh_from_db()
    return exchange


def _counts(summary: dhis2_client.Summary, dry_run: bool) -> jobs.Sentence:
    numbers = {
        "imported": summary.imported,
        "updated": summary.updated,
        "ignored": summary.ignored,
        "deleted": summary.deleted,
        "conflicts": len(summary.conflicts),
    }
    if dry_run:
        text = _(
            "DHIS2 would import %(imported)d, update %(updated)d, ignore %(ignored)d and "
            "delete %(deleted)d values; %(conflicts)d conflicts. Nothing was changed."
        )
    else:
        text = _(
            "DHIS2 imported %(imported)d, updated %(updated)d, ignored %(ignored)d and deleted "
            "%(deleted)d values; %(conflicts)d conflicts."
        )
    return jobs.Sentence(text, **numbers)


def _push(job: Job, exchange: Dhis2Exchange) -> str:
    expected = accepted_count(job.owner, exchange.round)
    if not expected:
        raise ValidationError(
            _("The round has no accepted figures to send: accept the units' reports first.")
        )
    steps = math.ceil(expected / BATCH)
    total = dhis2_client.Summary()
    sent = 0
    # The records are read while they are sent, a batch at a time (never all held).
    for done, batch in enumerate(
        itertools.batched(accepted_records(job.owner, exchange.round), BATCH), start=1
    ):
        total.add(dhis2_client.push(list(batch), dry_run=exchange.dry_run))
        sent += len(batch)
        jobs.report_progress(
            job.pk,
            min(done, steps),
            steps,
            jobs.Sentence(_("%(sent)d of %(all)d values sent."), sent=sent, all=expected),
        )
    exchange.values = sent
    exchange.summary = total.as_dict()
    return _counts(total, exchange.dry_run)


def _pull(job: Job, exchange: Dhis2Exchange) -> str:
    round = exchange.round
    jobs.report_progress(job.pk, 1, 3, _("Asking DHIS2 for the values…"))
    values = dhis2_client.pull(dhis2_client.data_set(), round.year, round.opener.code)
    cells = dhis2.cells(values)
    exchange.values = len(values)
    jobs.report_progress(
        job.pk,
        2,
        3,
        jobs.Sentence(_("Checking %(count)d values against the rules…"), count=len(values)),
    )
    save = dhis2.import_values
    saved = imports.rehearse(save, job.owner, cells) if exchange.dry_run else save(job.owner, cells)
    exchange.summary = {"received": len(values), "saved": saved}
    if exchange.dry_run:
        text = _(
            "DHIS2 sent %(received)d values, %(saved)d figures; all would be saved. Nothing "
            "was changed."
        )
    else:
        text = _("DHIS2 sent %(received)d values; %(saved)d figures were saved.")
    return jobs.Sentence(text, received=len(values), saved=saved)


def run_exchange(job: Job, exchange_id: int) -> None:
    """The job's work: push or pull, keeping DHIS2's summary or the problems on the exchange."""
    exchange = Dhis2Exchange.objects.select_related("round__opener").get(pk=exchange_id)
    # The permission is checked again: the job may wait in the queue while roles change.
    check_may_exchange(job.owner, exchange.round)
    work = _push if exchange.direction == Dhis2Direction.PUSH else _pull
    try:
        message = work(job, exchange)
    except ValidationError as error:
        with translation.override(job.language):
            exchange.summary = {"problems": error.messages[:MAX_PROBLEMS]}
        exchange.save(update_fields=["values", "summary"])
        raise
    exchange.save(update_fields=["values", "summary"])
    # The page's sentence, in the language of whoever started the exchange.
    with translation.override(job.language):
        Job.objects.filter(pk=job.pk).update(message=str(message)[:255])


def exchanges(round: ReportingRound):
    """The round's recent exchanges with DHIS2, newest first."""
    return round.dhis2_exchanges.select_related("job", "job__owner")[:20]
