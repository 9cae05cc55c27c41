"""Reporting pages: the reports home, opening a round, a round's rates and list, a submission
(writing and reviewing), and who has not reported."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from binhdang.accounts import permissions
from binhdang.accounts.models import Role
from binhdang.core import dates
from binhdang.core.forms import add_service_errors
from binhdang.indicators import dhis2 as dhis2_files
from binhdang.indicators import dhis2_client
from binhdang.indicators.services import active_lock
from binhdang.orgunits.queries import breadcrumb

from . import dhis2, queries, services
from .consolidated import start_report_job
from .forms import DeadlineForm, ReviewForm, RoundForm, SubmissionForm
from .models import Dhis2Direction, Dhis2Exchange, ReportingRound, State, Submission
from .services import Action

PAGE_SIZE = 50


def _round(user, pk) -> ReportingRound:
    """A round the user may see (opened in their scope, or asking one of their units), or 404."""
    round = get_object_or_404(ReportingRound.objects.select_related("opener"), pk=pk)
    if not queries.can_see_round(user, round):
        raise Http404(_("No such reporting round, or it is outside your scope."))
    return round


def _submission(user, pk) -> Submission:
    """A submission whose reports the user may read (their subtree, or overseen), or 404."""
    submission = get_object_or_404(
        Submission.objects.select_related("round", "round__opener", "unit", "unit__parent"), pk=pk
    )
    permissions.get_report_unit(user, submission.unit_id)
    return submission


def home(request):
    """Rounds the user's unit must answer, rounds it opened, and what awaits the user."""
    user = request.user
    unit = permissions.home_unit(user)
    own = list(queries.rounds_to_answer(unit)) if unit else []
    return render(
        request,
        "reporting/home.html",
        {
            "unit": unit,
            "own": own,
            "due": [s for s in own if s.state in services.AWAITING_UNIT and s.takes_work],
            "opened": queries.opened_rounds(unit) if unit else [],
            "others": queries.other_rounds(user)[:30],
            "awaiting": queries.awaiting_review(user)[:30]
            if permissions.sees_everything(user) or user.has_role(Role.APPROVER)
            else [],
            "can_open": unit is not None and services.can_open_round(user, unit),
            "today": dates.today(),
        },
    )


def open_round(request, pk):
    """A province, a central agency or the nation opens a round for units below it."""
    opener = permissions.get_unit(request.user, pk, "approve")
    if opener.level not in services.OPENER_LEVELS:
        raise PermissionDenied(
            _("Reporting rounds are opened by a province, a central agency or the nation.")
        )
    form = RoundForm(request.POST or None, opener=opener, initial=RoundForm.initial_for(opener))
    if request.method == "POST" and form.is_valid():
        try:
            round = services.open_round(request.user, opener, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The round is open: %(count)d units must report. They have been notified.")
                % {"count": round.submissions.count()},
            )
            return redirect(round)
    return render(
        request,
        "reporting/open.html",
        {"form": form, "opener": opener, "breadcrumb": breadcrumb(opener)},
    )


STATE_FILTERS = [
    ("", gettext_lazy("All")),
    ("missing", gettext_lazy("Not submitted")),
    *State.choices,
    ("on_time", gettext_lazy("On time")),
    ("late", gettext_lazy("Late")),
]


def round_detail(request, pk):
    """A round: its rates (overall and by sub-unit) and its submissions, filtered."""
    round = _round(request.user, pk)
    user = request.user
    visible = queries.round_submissions(user, round)
    within = queries.grouping_unit(user, round, request.GET.get("within"))
    scoped = queries.within(visible, round, within)
    state = request.GET.get("state", "")
    text = request.GET.get("q", "")
    listed = queries.ordered(queries.filter_submissions(scoped, round, state, text))
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    is_opener = permissions.can_approve(user, round.opener)
    # Per sub-unit rates help when sub-units hold several reporting units (a national round to
    # communes, per province); a row per reporting unit would only repeat the list below.
    by_subunit = queries.rates_by_subunit(round, within, visible)
    return render(
        request,
        "reporting/round.html",
        {
            "round": round,
            "breadcrumb": breadcrumb(within),
            "within": within,
            "rates": queries.rates(round, scoped),
            "by_subunit": by_subunit if any(r.rates.expected > 1 for r in by_subunit) else [],
            "page": page,
            "state": state,
            "q": text,
            "state_filters": STATE_FILTERS,
            "is_opener": is_opener,
            "deadline_form": DeadlineForm(initial={"deadline": round.deadline}),
            "days_left": queries.days_left(round),
            "sections": round.sections.all(),
            "indicator_count": round.indicators.count(),
            "word": permissions.can_read_reports(user, within)
            and (within.pk == round.opener_id or round.submissions.filter(unit=within).exists()),
            "today": dates.today(),
        },
    )


def missing(request, pk):
    """Who has not reported, with their contacts and a one-click reminder."""
    round = _round(request.user, pk)
    user = request.user
    within = queries.grouping_unit(user, round, request.GET.get("within"))
    show_returned = request.GET.get("returned") == "1"
    states = [State.DRAFT, State.COMPLETE] + ([State.RETURNED] if show_returned else [])
    qs = queries.within(queries.round_submissions(user, round), round, within).filter(
        state__in=states
    )
    page = Paginator(queries.ordered(qs), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = queries.with_contacts(list(page.object_list))
    return render(
        request,
        "reporting/missing.html",
        {
            "round": round,
            "within": within,
            "breadcrumb": breadcrumb(within),
            "page": page,
            "rows": rows,
            "show_returned": show_returned,
            "can_remind": any(services.can_remind(user, row.submission) for row in rows[:1]),
            "days_left": queries.days_left(round),
        },
    )


@require_POST
def remind(request, pk):
    """Send a unit a reminder now (once a day per report)."""
    submission = _submission(request.user, pk)
    try:
        services.remind(request.user, submission)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A reminder was sent to %s.") % submission.unit.name)
    target = request.POST.get("next") or ""
    if target.startswith("/reports/"):
        return redirect(target)
    return redirect("reporting:missing", pk=submission.round_id)


@require_POST
def close_round(request, pk):
    round = _round(request.user, pk)
    try:
        services.close_round(request.user, round)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is closed: it takes no more reports."))
    return redirect(round)


@require_POST
def reopen_round(request, pk):
    round = _round(request.user, pk)
    try:
        services.reopen_round(request.user, round)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is open again."))
    return redirect(round)


@require_POST
def change_deadline(request, pk):
    round = _round(request.user, pk)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        try:
            services.change_deadline(request.user, round, form.cleaned_data["deadline"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The deadline was changed."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(round)


@require_POST
def word_report(request, pk):
    """Start the consolidated Word report of a unit for the round, and follow its progress."""
    round = _round(request.user, pk)
    unit = permissions.get_report_unit(request.user, request.POST.get("unit") or round.opener_id)
    try:
        job = start_report_job(request.user, round, unit)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(round)
    return redirect(job.get_absolute_url())


def submission(request, pk):
    """A unit's report: figures, narrative sections, and the actions its state allows."""
    submission = _submission(request.user, pk)
    user = request.user
    sections = list(submission.round.sections.all())
    texts = {section.pk: text for section, text in queries.section_texts(submission)}
    # Sections the unit has not written yet open with a draft written from its data, to edit.
    drafts = {}
    if request.method == "GET" and _editable(user, submission):
        drafts = queries.section_drafts(submission)
    form = SubmissionForm(
        initial={
            "version": submission.version,
            "pending_explanation": submission.pending_explanation,
            **{f"section_{pk}": text for pk, text in (texts | drafts).items()},
        },
        sections=sections,
    )
    review_form = ReviewForm(initial={"version": submission.version})
    action = request.POST.get("action", "")
    if request.method == "POST":
        try:
            action = Action(action)
        except ValueError:
            raise Http404(_("Unknown action.")) from None
        if action in services.UNIT_ACTIONS:
            permissions.get_unit(user, submission.unit_id, "edit")
            form = SubmissionForm(request.POST, sections=sections)
            if form.is_valid():
                try:
                    services.act(
                        user,
                        submission,
                        action,
                        version=form.cleaned_data["version"],
                        texts=form.texts(),
                        explanation=form.cleaned_data["pending_explanation"],
                    )
                except ValidationError as error:
                    _service_error(request, form, error)
                else:
                    messages.success(request, DONE[action])
                    return redirect(submission)
        else:
            review_form = ReviewForm(request.POST)
            if review_form.is_valid():
                try:
                    services.act(
                        user,
                        submission,
                        action,
                        version=review_form.cleaned_data["version"],
                        comment=review_form.cleaned_data["comment"],
                    )
                except ValidationError as error:
                    _service_error(request, review_form, error)
                else:
                    messages.success(request, DONE[action])
                    return redirect(submission)
    return _submission_page(request, submission, form, review_form, action, set(drafts))


def _editable(user, submission) -> bool:
    """Whether the page shows the report's texts as fields to edit."""
    return services.can_write(user, submission) and Action.SAVE in services.allowed_actions(
        submission.state
    )


DONE = {
    Action.SAVE: gettext_lazy("Draft saved."),
    Action.COMPLETE: gettext_lazy("The report is marked complete: it can now be submitted."),
    Action.SUBMIT: gettext_lazy("The report was submitted to the unit above."),
    Action.RETURN: gettext_lazy("The report was returned to the unit with your comment."),
    Action.ACCEPT: gettext_lazy(
        "The report was accepted; the unit's figures for the year are locked."
    ),
    Action.UNLOCK: gettext_lazy(
        "The report was unlocked and sent back to the unit for correction."
    ),
}


def _service_error(request, form, error: ValidationError) -> None:
    if getattr(error, "code", None) == "stale" or str(services.STALE) in error.messages:
        messages.error(request, str(services.STALE))
        return
    add_service_errors(form, error)


def _submission_page(request, submission, form, review_form, action, drafted=frozenset()):
    user = request.user
    unit, round = submission.unit, submission.round
    can_write = services.can_write(user, submission)
    reviewer_scope = permissions.can_review(user, unit) and user.unit_id != unit.pk
    allowed = services.allowed_actions(submission.state)
    figures = queries.submission_figures(submission)
    status = queries.subunit_status(submission)
    return render(
        request,
        "reporting/submission.html",
        {
            "submission": submission,
            "round": round,
            "unit": unit,
            "breadcrumb": breadcrumb(unit),
            "form": form,
            "review_form": review_form,
            "posted_action": action,
            "figures": figures,
            "summary": queries.figures_summary(figures) if figures else "",
            "year": str(round.year),
            "lock": active_lock(unit, round.year),
            "can_write": can_write,
            "editable": can_write and Action.SAVE in allowed,
            "drafted": drafted,
            "can_complete": can_write and Action.COMPLETE in allowed,
            "can_submit": can_write and Action.SUBMIT in allowed,
            "can_return": reviewer_scope and Action.RETURN in allowed,
            "can_accept": reviewer_scope and Action.ACCEPT in allowed,
            "can_unlock": reviewer_scope and Action.UNLOCK in allowed,
            "can_remind": services.can_remind(user, submission)
            and submission.state in services.AWAITING_UNIT,
            "subunits": status,
            "events": submission.events.select_related("actor")[:100],
            "late": submission.was_submitted and submission.is_late,
            "days_left": queries.days_left(round),
        },
    )


def _exchanging_round(user, pk) -> ReportingRound:
    """A round whose figures the user may exchange with DHIS2 (404 if unseen, else 403)."""
    round = _round(user, pk)
    dhis2.check_may_exchange(user, round)
    return round


def dhis2_page(request, pk):
    """The round's exchange with DHIS2: the connection, the dry runs, push and pull, the past
    exchanges with their summaries."""
    round = _exchanging_round(request.user, pk)
    return render(
        request,
        "reporting/dhis2.html",
        {
            "round": round,
            "configured": dhis2_client.configured(),
            "dhis2_url": settings.DHIS2_URL,
            "data_set": dhis2_client.data_set(),
            "accepted": dhis2.accepted_values(request.user, round).count(),
            "exchanges": dhis2.exchanges(round),
            "push": Dhis2Direction.PUSH,
            "pull": Dhis2Direction.PULL,
        },
    )


@require_POST
def dhis2_start(request, pk):
    """Start a push or a pull (or its dry run) and follow it on the exchange's page."""
    round = _exchanging_round(request.user, pk)
    try:
        exchange = dhis2.start_exchange(
            request.user,
            round,
            request.POST.get("direction", ""),
            dry_run=request.POST.get("dry_run") == "1",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reporting:dhis2", pk=round.pk)
    return redirect(exchange)


def dhis2_exchange(request, pk):
    """A push or pull: its progress while it runs, then DHIS2's summary or the problems."""
    exchange = get_object_or_404(Dhis2Exchange.objects.select_related("job"), pk=pk)
    round = _exchanging_round(request.user, exchange.round_id)
    job = exchange.job
    if request.htmx:
        # Finished: the whole page again, now with the summary.
        if job is None or job.is_finished:
            return HttpResponseClientRefresh()
        return render(request, "core/_job_status.html", {"job": job, "poll_url": request.path})
    return render(
        request,
        "reporting/dhis2_exchange.html",
        {"round": round, "exchange": exchange, "job": job, "poll_url": request.path},
    )


def dhis2_export(request, pk, fmt):
    """The round's accepted figures as a DHIS2 file (JSON or ADX), as a push would send them."""
    round = _round(request.user, pk)
    records = dhis2.accepted_records(request.user, round)
    return dhis2_files.download(records, fmt, f"dhis2-{round.opener.code}-{round.year}")
