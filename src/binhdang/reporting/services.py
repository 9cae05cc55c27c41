"""Every write to reporting rounds, with its rules.

The state machine of a submission is the table `TRANSITIONS` below: an action is allowed only
from the states listed for it, and every other (action, state) pair is refused with a Vietnamese
message (specific ones in `REFUSALS`). Each change checks the submission's `version` (optimistic
concurrency): whoever acts on an outdated page is told to reload and nothing is written.

Accepting a submission locks the unit's figures for the round's year (`indicators.services.
lock_year`); unlocking it (a superior, with a reason) reopens them and sends the report back for
correction. Upward approval: a unit's own report is submitted and accepted only when the reports
of the sub-units it asked (rounds it opened for the same year) are all accepted, or the unit has
written why not.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binhdang.accounts import permissions
from binhdang.accounts.models import Role, User
from binhdang.core import dates
from binhdang.core.text import fold
from binhdang.indicators import services as indicator_services
from binhdang.indicators.models import Indicator
from binhdang.notices.models import NoticeKind
from binhdang.notices.services import notify_after_commit
from binhdang.orgunits.models import Level, OrgUnit

from . import queries
from .models import (
    DEFAULT_SECTION_LIMIT,
    DEFAULT_SECTIONS,
    EventKind,
    Reminder,
    ReminderKind,
    ReportingRound,
    RoundKind,
    RoundSection,
    RoundStatus,
    SectionText,
    State,
    Submission,
    SubmissionEvent,
)


class Action(models.TextChoices):
    SAVE = "save", gettext_lazy("Save draft")
    COMPLETE = "complete", gettext_lazy("Mark complete")
    SUBMIT = "submit", gettext_lazy("Submit report")
    RETURN = "return", gettext_lazy("Return")
    ACCEPT = "accept", gettext_lazy("Accept")
    UNLOCK = "unlock", gettext_lazy("Unlock")


# The whole state machine: (action, state before) -> state after. Nothing else is allowed.
TRANSITIONS: dict[tuple[Action, State], State] = {
    (Action.SAVE, State.DRAFT): State.DRAFT,
    (Action.SAVE, State.COMPLETE): State.DRAFT,  # a changed text is a draft again
    (Action.SAVE, State.RETURNED): State.RETURNED,  # correcting a returned report
    (Action.COMPLETE, State.DRAFT): State.COMPLETE,
    (Action.SUBMIT, State.COMPLETE): State.SUBMITTED,
    (Action.SUBMIT, State.RETURNED): State.SUBMITTED,  # the corrected report goes back up
    (Action.RETURN, State.SUBMITTED): State.RETURNED,
    (Action.ACCEPT, State.SUBMITTED): State.ACCEPTED,
    (Action.UNLOCK, State.ACCEPTED): State.RETURNED,  # reopened for correction
}

# Who may take each action: the unit's own officers, or a reviewer above the unit.
UNIT_ACTIONS = (Action.SAVE, Action.COMPLETE, Action.SUBMIT)
REVIEW_ACTIONS = (Action.RETURN, Action.ACCEPT, Action.UNLOCK)

# Refusals worded for the common mistakes; any other refused pair gets the generic message.
REFUSALS = {
    (Action.SUBMIT, State.SUBMITTED): gettext_lazy(
        "This report has already been submitted; it can be sent again only after the unit "
        "above returns it."
    ),
    (Action.SUBMIT, State.ACCEPTED): gettext_lazy(
        "This report has already been accepted; it cannot be submitted again."
    ),
    (Action.SUBMIT, State.DRAFT): gettext_lazy("Mark the report complete before submitting it."),
    (Action.SAVE, State.SUBMITTED): gettext_lazy(
        "The report has been submitted and awaits review: it cannot be changed now."
    ),
    (Action.SAVE, State.ACCEPTED): gettext_lazy(
        "The report has been accepted and is locked: ask the unit above to unlock it."
    ),
    (Action.COMPLETE, State.ACCEPTED): gettext_lazy(
        "The report has been accepted and is locked: ask the unit above to unlock it."
    ),
    (Action.COMPLETE, State.COMPLETE): gettext_lazy("The report is already marked complete."),
    (Action.RETURN, State.ACCEPTED): gettext_lazy(
        "The report has already been accepted: unlock it (with a reason) to send it back."
    ),
    (Action.ACCEPT, State.ACCEPTED): gettext_lazy("The report has already been accepted."),
    (Action.UNLOCK, State.RETURNED): gettext_lazy("Only an accepted report can be unlocked."),
}
for _state in (State.DRAFT, State.COMPLETE, State.RETURNED):
    for _action in (Action.RETURN, Action.ACCEPT):
        REFUSALS[(_action, _state)] = gettext_lazy(
            "Only a submitted report can be returned or accepted; this one has not been submitted."
        )

STALE = gettext_lazy("Someone else has updated this report; please reload the page.")


def allowed_actions(state: str) -> list[Action]:
    """The actions the table allows from a state (the page offers only those)."""
    return [action for (action, before) in TRANSITIONS if before == state]


def _refuse(action: Action, state: str) -> ValidationError:
    message = REFUSALS.get((action, State(state)))
    if message is None:
        message = _("“%(action)s” is not possible while the report is “%(state)s”.") % {
            "action": action.label,
            "state": State(state).label,
        }
    return ValidationError(str(message))


# ---------------------------------------------------------------------------------------------
# Rounds.

OPENER_LEVELS = (Level.NATION, Level.PROVINCE, Level.CENTRAL)
REQUIRABLE_LEVELS = (Level.CENTRAL, Level.PROVINCE, Level.COMMUNE, Level.DEPARTMENT)
MIN_SECTION_LIMIT, MAX_SECTION_LIMIT = 500, 100_000


def can_open_round(user, unit: OrgUnit) -> bool:
    """Approvers of a province, a central agency or the nation open rounds for their subtree."""
    return unit.level in OPENER_LEVELS and unit.is_live and permissions.can_approve(user, unit)


def default_indicators() -> models.QuerySet[Indicator]:
    """The national strategy's indicators (the framework's, not local ones)."""
    return Indicator.objects.filter(framework__isnull=False, owner_unit__isnull=True)


def default_sections() -> list[tuple[str, int]]:
    return [(title, DEFAULT_SECTION_LIMIT) for _key, title in DEFAULT_SECTIONS]


def required_units(opener: OrgUnit, *, levels=None, units=None) -> list[OrgUnit]:
    """The live units below the opener at the given levels, or the chosen ones (checked)."""
    if levels:
        levels = [int(level) for level in levels]
        if any(level not in REQUIRABLE_LEVELS for level in levels):
            raise ValidationError({"levels": _("Unknown level.")})
        return list(
            OrgUnit.objects.subtree(opener).live().filter(level__in=levels).exclude(pk=opener.pk)
        )
    chosen = list(units or [])
    for unit in chosen:
        if unit.pk == opener.pk or not unit.is_within(opener):
            raise ValidationError(
                {"units": _("“%s” is not a unit below the one opening the round.") % unit.name}
            )
        if not unit.is_live:
            raise ValidationError({"units": _("“%s” no longer exists.") % unit.name})
    return chosen


DEFAULT_KEYS = {title: key for key, title in DEFAULT_SECTIONS}


def _count(number: int) -> str:
    """20000 -> "20.000" in Vietnamese."""
    return formats.number_format(number, force_grouping=True)


def _clean_sections(sections) -> list[tuple[str, str, int]]:
    cleaned, keys = [], set()
    for title, limit in sections:
        title = " ".join((title or "").split())
        if not title:
            continue
        limit = int(limit or DEFAULT_SECTION_LIMIT)
        if not MIN_SECTION_LIMIT <= limit <= MAX_SECTION_LIMIT:
            raise ValidationError(
                {
                    "sections": _(
                        "A section's length limit must be between %(low)s and %(high)s characters."
                    )
                    % {"low": _count(MIN_SECTION_LIMIT), "high": _count(MAX_SECTION_LIMIT)}
                }
            )
        key = DEFAULT_KEYS.get(title) or slugify(fold(title))[:60] or f"muc-{len(cleaned) + 1}"
        if key in keys:
            raise ValidationError({"sections": _("The section “%s” is listed twice.") % title})
        keys.add(key)
        cleaned.append((key, title, limit))
    return cleaned


@transaction.atomic
def open_round(
    actor,
    opener: OrgUnit,
    *,
    name: str,
    kind: str,
    year: int,
    period_start: datetime.date,
    period_end: datetime.date,
    deadline: datetime.date,
    levels=None,
    units=None,
    indicators=None,
    sections=None,
    instructions: str = "",
    allow_overlap: bool = False,
) -> ReportingRound:
    """Open a round: one submission per required unit; their users are told by e-mail.

    A second open round of the same kind and year for some of the same units is refused
    unless `allow_overlap` says the opener has seen the warning and means it."""
    if not permissions.can_approve(actor, opener):
        raise PermissionDenied(_("You cannot open a reporting round for “%s”.") % opener.name)
    if opener.level not in OPENER_LEVELS:
        raise ValidationError(
            _("Reporting rounds are opened by a province, a central agency or the nation.")
        )
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the round a name.")})
    if kind not in RoundKind.values:
        raise ValidationError({"kind": _("Unknown kind of report.")})
    if year not in indicator_services.STRATEGY_YEARS:
        raise ValidationError({"year": _("The year must be between 2021 and 2030.")})
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if deadline < dates.today():
        raise ValidationError({"deadline": _("The deadline has already passed.")})
    if bool(levels) == bool(units):
        raise ValidationError(
            {"levels": _("Choose either levels of units or a list of units that must report.")}
        )
    targets = required_units(opener, levels=levels, units=units)
    if not targets:
        raise ValidationError({"levels": _("No unit below matches: nobody would report.")})
    if not allow_overlap and (overlap := queries.overlapping_rounds(year, kind, targets)):
        raise ValidationError(
            {
                "allow_overlap": _(
                    "%(rounds)s is already open for %(year)d and asks some of the same units: "
                    "they would write the same report twice. Tick the box to open it anyway."
                )
                % {
                    "rounds": ", ".join(f"“{r.name}” ({r.opener.name})" for r in overlap),
                    "year": year,
                }
            }
        )
    sections = _clean_sections(default_sections() if sections is None else sections)
    indicators = list(default_indicators() if indicators is None else indicators)
    if not sections and not indicators:
        raise ValidationError(_("Ask for at least one narrative section or one indicator."))
    round = ReportingRound.objects.create(
        opener=opener,
        name=name,
        kind=kind,
        year=year,
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        instructions=(instructions or "").strip(),
        required_levels=",".join(str(int(level)) for level in levels or []),
        opened_by=actor,
    )
    RoundSection.objects.bulk_create(
        RoundSection(round=round, position=i, key=key, title=title, max_length=limit)
        for i, (key, title, limit) in enumerate(sections, start=1)
    )
    round.indicators.set(indicators)
    Submission.objects.bulk_create(
        (Submission(round=round, unit=unit) for unit in targets), batch_size=1000
    )
    from .tasks import notify_round_opened

    transaction.on_commit(lambda: notify_round_opened.enqueue(round.pk))
    return round


def _check_opener(actor, round: ReportingRound) -> None:
    if not permissions.can_approve(actor, round.opener):
        raise PermissionDenied(
            _("Only the approvers of the unit that opened the round may do this.")
        )


@transaction.atomic
def close_round(actor, round: ReportingRound) -> ReportingRound:
    """Stop taking reports (returned reports may still be corrected and sent back)."""
    _check_opener(actor, round)
    if not round.is_open:
        raise ValidationError(_("The round is already closed."))
    round.status, round.closed_at = RoundStatus.CLOSED, timezone.now()
    round.save()
    return round


@transaction.atomic
def reopen_round(actor, round: ReportingRound, deadline: datetime.date | None = None):
    """Take reports again, optionally until a new deadline."""
    _check_opener(actor, round)
    if round.is_open:
        raise ValidationError(_("The round is already open."))
    if deadline is not None:
        if deadline < dates.today():
            raise ValidationError({"deadline": _("The deadline has already passed.")})
        round.deadline = deadline
        round.__dict__.pop("cutoff", None)
    round.status, round.closed_at = RoundStatus.OPEN, None
    round.save()
    return round


@transaction.atomic
def change_deadline(actor, round: ReportingRound, deadline: datetime.date) -> ReportingRound:
    """Extend (or bring forward) an open round's deadline."""
    _check_opener(actor, round)
    if deadline < dates.today():
        raise ValidationError({"deadline": _("The deadline has already passed.")})
    if deadline < round.period_start:
        raise ValidationError({"deadline": _("The deadline falls before the period starts.")})
    round.deadline = deadline
    round.__dict__.pop("cutoff", None)  # the cached end of the deadline day
    round.save()
    return round


# ---------------------------------------------------------------------------------------------
# Submissions.


def _check_actor(actor, submission: Submission, action: Action) -> None:
    unit = submission.unit
    if action in UNIT_ACTIONS:
        if not permissions.can_edit(actor, unit):
            raise PermissionDenied(_("You cannot write the report of “%s”.") % unit.name)
        return
    if getattr(actor, "unit_id", None) == unit.pk and not permissions.sees_everything(actor):
        raise PermissionDenied(
            _("A unit's report is reviewed by the unit above: you cannot review your own unit's.")
        )
    if not permissions.can_review(actor, unit):
        raise PermissionDenied(_("You cannot review the report of “%s”.") % unit.name)


def _claim(submission: Submission, version) -> Submission:
    """The submission locked for this transaction, if the caller's version is still current."""
    fresh = (
        Submission.objects.select_for_update()
        .select_related("round", "round__opener", "unit")
        .get(pk=submission.pk)
    )
    try:
        version = int(version)
    except (TypeError, ValueError):
        version = -1
    if fresh.version != version:
        raise ValidationError(str(STALE), code="stale")
    return fresh


def _check_round_takes_work(submission: Submission) -> None:
    """A closed round takes no new work; a report returned for correction may still be fixed."""
    if not submission.round.is_open and submission.state != State.RETURNED:
        raise ValidationError(
            _("The round “%s” is closed: it no longer takes reports.") % submission.round.name
        )


def _normalise(text: str) -> str:
    return re.sub(r"\r\n?", "\n", text or "").strip()


def _apply_texts(submission: Submission, texts: dict | None, explanation: str | None) -> bool:
    """Write the sections' texts (keyed by section pk or key); refuse any over its limit.
    Returns whether anything changed."""
    changed = False
    if texts is not None:
        sections = {s.pk: s for s in submission.round.sections.all()}
        by_key = {s.key: s for s in sections.values()}
        current = {t.section_id: t for t in submission.texts.all()}
        errors = {}
        cleaned = {}
        for ref, text in texts.items():
            section = sections.get(ref) or by_key.get(ref)
            if section is None and str(ref).isdigit():
                section = sections.get(int(ref))
            if section is None:
                raise ValidationError(_("This round does not ask for that section."))
            text = _normalise(text)
            if len(text) > section.max_length:
                errors[f"section_{section.pk}"] = _(
                    "“%(title)s” is %(length)s characters long; the limit is %(limit)s."
                ) % {
                    "title": section.title,
                    "length": _count(len(text)),
                    "limit": _count(section.max_length),
                }
            cleaned[section.pk] = text
        if errors:
            raise ValidationError(errors)
        for section_pk, text in cleaned.items():
            row = current.get(section_pk)
            if row is None:
                if text:
                    SectionText.objects.create(
                        submission=submission, section_id=section_pk, text=text
                    )
                    changed = True
            elif row.text != text:
                row.text = text
                row.save(update_fields=["text"])
                changed = True
    if explanation is not None:
        explanation = _normalise(explanation)
        if explanation != submission.pending_explanation:
            submission.pending_explanation = explanation
            changed = True
    return changed


def _check_sections_written(submission: Submission) -> None:
    texts = dict(submission.texts.values_list("section_id", "text"))
    empty = [s.title for s in submission.round.sections.all() if not texts.get(s.pk, "").strip()]
    if empty:
        raise ValidationError(
            _("Write every section before going on; still empty: %s.") % ", ".join(empty)
        )


def _check_subunits(submission: Submission, action: Action, note: str = ""):
    """The upward rule: the unit's own sub-units' reports are all accepted, or it says why."""
    status = queries.subunit_status(submission)
    if status.complete or submission.pending_explanation.strip() or note.strip():
        return status
    message = _(
        "Only %(accepted)d/%(expected)d of the reports that “%(unit)s” asked of its sub-units "
        "for %(year)s are accepted: accept the others first, or write why the report goes up "
        "without them."
    ) % {
        "accepted": status.accepted,
        "expected": status.expected,
        "unit": submission.unit.name,
        "year": submission.round.year,
    }
    raise ValidationError({"pending_explanation": message})


def _event(submission, kind, actor, before, after, comment="") -> SubmissionEvent:
    return SubmissionEvent.objects.create(
        submission=submission,
        kind=kind,
        actor=actor,
        at=timezone.now(),
        state_from=before,
        state_to=after,
        comment=comment,
    )


EVENT_OF = {
    Action.SAVE: EventKind.SAVED,
    Action.COMPLETE: EventKind.COMPLETED,
    Action.SUBMIT: EventKind.SUBMITTED,
    Action.RETURN: EventKind.RETURNED,
    Action.ACCEPT: EventKind.ACCEPTED,
    Action.UNLOCK: EventKind.UNLOCKED,
}


@transaction.atomic
def act(
    actor,
    submission: Submission,
    action: Action | str,
    *,
    version,
    texts: dict | None = None,
    explanation: str | None = None,
    comment: str = "",
) -> Submission:
    """Take one action on a submission: the single path every change goes through.

    `texts` and `explanation` come with the unit's actions (the page's buttons all send the
    form); `comment` is the reviewer's comment (return), note (accept) or reason (unlock)."""
    action = Action(action)
    _check_actor(actor, submission, action)
    fresh = _claim(submission, version)
    before = State(fresh.state)
    after = TRANSITIONS.get((action, before))
    if after is None:
        raise _refuse(action, before)
    now = timezone.now()
    comment = _normalise(comment)
    changed = False
    if action in UNIT_ACTIONS:
        _check_round_takes_work(fresh)
        changed = _apply_texts(fresh, texts, explanation)
        if changed and fresh.first_submitted_at is not None:
            fresh.edits_after_submission += 1
        if action in (Action.COMPLETE, Action.SUBMIT):
            _check_sections_written(fresh)
        if action == Action.SUBMIT:
            _check_subunits(fresh, action)
            fresh.submitted_at = now
            fresh.first_submitted_at = fresh.first_submitted_at or now
    elif action == Action.RETURN:
        if not comment:
            raise ValidationError({"comment": _("Say what must be corrected.")})
    elif action == Action.ACCEPT:
        status = _check_subunits(fresh, action, comment)
        if comment and not status.complete and not fresh.pending_explanation:
            fresh.pending_explanation = comment  # the reviewer's reason to accept it anyway
        fresh.accepted_at = now
        indicator_services.lock_year(
            actor,
            fresh.unit,
            fresh.round.year,
            _("Report accepted: %s") % fresh.round.name,
        )
    elif action == Action.UNLOCK:
        if not comment:
            raise ValidationError({"comment": _("Say why the report is unlocked.")})
        fresh.accepted_at = None
        if indicator_services.active_lock(fresh.unit, fresh.round.year):
            indicator_services.unlock_year(actor, fresh.unit, fresh.round.year, comment)
    fresh.state = after
    fresh.version += 1
    fresh.save()
    # Saves are history once the report has gone up (they are the counted corrections).
    if action != Action.SAVE or after != before or (changed and fresh.first_submitted_at):
        _event(fresh, EVENT_OF[action], actor, before, after, comment)
    if action in NOTICE_OF:
        _tell(fresh, action, actor, comment)
    return fresh


# Who hears of a change: the opening unit's approvers review a submitted report; the unit's
# officers act on a returned (or unlocked) one and learn that theirs was accepted.
NOTICE_OF = {
    Action.SUBMIT: NoticeKind.REPORT_SUBMITTED,
    Action.RETURN: NoticeKind.REPORT_RETURNED,
    Action.UNLOCK: NoticeKind.REPORT_RETURNED,
    Action.ACCEPT: NoticeKind.REPORT_ACCEPTED,
}


def _tell(submission: Submission, action: Action, actor, comment: str) -> None:
    if action == Action.SUBMIT:
        recipients = permissions.members([submission.round.opener_id], Role.APPROVER)
    else:
        recipients = permissions.members([submission.unit_id], Role.DATA_OFFICER)
    reviewer = actor.get_full_name() or actor.username
    if actor.unit_id:
        reviewer = f"{reviewer} ({actor.unit.name})"
    notify_after_commit(
        NOTICE_OF[action],
        recipients.exclude(pk=actor.pk),
        link=submission.get_absolute_url(),
        name=submission.round.name,
        unit=submission.unit.name,
        state=submission.state,
        reviewer=reviewer,
        comment=comment,
    )


def save_draft(actor, submission, *, version, texts=None, explanation=None) -> Submission:
    return act(
        actor, submission, Action.SAVE, version=version, texts=texts, explanation=explanation
    )


def mark_complete(actor, submission, *, version, texts=None, explanation=None) -> Submission:
    return act(
        actor, submission, Action.COMPLETE, version=version, texts=texts, explanation=explanation
    )


def submit(actor, submission, *, version, texts=None, explanation=None) -> Submission:
    return act(
        actor, submission, Action.SUBMIT, version=version, texts=texts, explanation=explanation
    )


def return_submission(actor, submission, *, version, comment: str) -> Submission:
    return act(actor, submission, Action.RETURN, version=version, comment=comment)


def accept(actor, submission, *, version, note: str = "") -> Submission:
    return act(actor, submission, Action.ACCEPT, version=version, comment=note)


def unlock(actor, submission, *, version, reason: str) -> Submission:
    return act(actor, submission, Action.UNLOCK, version=version, comment=reason)


# ---------------------------------------------------------------------------------------------
# Reminders.

AWAITING_UNIT = (State.DRAFT, State.COMPLETE, State.RETURNED)


def reminder_days() -> list[int]:
    """Days before the deadline on which units are reminded (setting ROUND_REMINDER_DAYS),
    largest first, e.g. [3, 1]."""
    return sorted({day for day in settings.ROUND_REMINDER_DAYS if day >= 0}, reverse=True)


def late_interval() -> int:
    """Every how many days late units are reminded again (at least every day)."""
    return max(1, settings.ROUND_LATE_REMINDER_EVERY_DAYS)


def can_write(user, submission: Submission) -> bool:
    """Whether the user may work on the unit's report now: an editor of the unit, while the
    round is open or after the report was returned."""
    return submission.takes_work and permissions.can_edit(user, submission.unit)


def can_remind(user, submission: Submission) -> bool:
    """Officers above the unit (data officers and up of a unit over it) chase its report."""
    unit = submission.unit
    own = any(root.pk == unit.pk for root in permissions.scope_roots(user))
    return permissions.can_edit(user, unit) and (not own or permissions.sees_everything(user))


def _claim_reminder(submission: Submission, kind: str, day: datetime.date, actor=None):
    """Record today's reminder, or None when the submission was already reminded today."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                submission=submission, kind=kind, sent_on=day, sent_by=actor
            )
    except IntegrityError:
        return None


def _reachable(submissions):
    """Submissions whose unit has an active account with an e-mail address."""
    addresses = User.objects.filter(unit=OuterRef("unit"), is_active=True).exclude(email="")
    return submissions.filter(Exists(addresses))


def remind(actor, submission: Submission) -> Reminder:
    """The one-click reminder: at most once a day per submission."""
    if not can_remind(actor, submission):
        raise PermissionDenied(_("You cannot remind “%s”.") % submission.unit.name)
    if submission.state not in AWAITING_UNIT:
        raise ValidationError(_("This report has been sent: there is nothing to remind."))
    if not _reachable(Submission.objects.filter(pk=submission.pk)).exists():
        raise ValidationError(
            _("No active account of “%s” has an e-mail address: contact the unit by phone.")
            % submission.unit.name
        )
    reminder = _claim_reminder(submission, ReminderKind.MANUAL, dates.today(), actor)
    if reminder is None:
        raise ValidationError(
            _("“%s” has already been reminded today; try again tomorrow.") % submission.unit.name
        )
    from .tasks import send_reminder

    transaction.on_commit(lambda: send_reminder.enqueue(reminder.pk))
    return reminder


def due_reminders(today: datetime.date) -> list[tuple[Submission, str]]:
    """What the daily run reminds: reports still with their units in open rounds, a set number
    of days before the deadline, and late ones on the day after it and then every few days."""
    days = reminder_days()
    interval = late_interval()
    wanted = []
    rounds = ReportingRound.objects.filter(status=RoundStatus.OPEN)
    for round in rounds:
        left = (round.deadline - today).days
        if left in days:
            kind, states = ReminderKind.DUE, AWAITING_UNIT
        elif left < 0 and (-left - 1) % interval == 0:
            kind, states = ReminderKind.LATE, (State.DRAFT, State.COMPLETE)
        else:
            continue
        waiting = round.submissions.filter(state__in=states)
        for submission in _reachable(waiting).select_related("unit"):
            wanted.append((submission, kind))
    return wanted


def send_due_reminders(today: datetime.date | None = None) -> int:
    """Claim and enqueue today's reminders; running it twice the same day sends nothing more."""
    from .tasks import send_reminder

    today = today or dates.today()
    queued = 0
    for submission, kind in due_reminders(today):
        reminder = _claim_reminder(submission, kind, today)
        if reminder is not None:
            send_reminder.enqueue(reminder.pk)
            queued += 1
    return queued
