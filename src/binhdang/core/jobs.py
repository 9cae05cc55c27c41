"""Long work in the background, followed on a page with a progress bar.

    job = jobs.start(actor, "report", "Báo cáo năm 2025", build_report, round_id=3, unit_id=51)
    return redirect("core:job", job.pk)

`start` records a `Job` (queued) and enqueues the `run_job` task of `django.tasks` with the
dotted path of the work function and its keyword arguments (JSON values only: ids, not objects).
With the default immediate backend the work runs at once inside `start`, and the page shows the
finished job; with `TASKS_BACKEND=database` it waits in the database queue for a worker
(`binhdang manage db_worker`) and the page follows its progress. The job's row and the task's row
are written in the caller's transaction, so a worker never sees a job that was rolled back.

The work function receives the job and its keyword arguments, reports its progress with
`report_progress(job.pk, done, total, message)`, and returns an `Output` (the result file), a
list of them (the first is the result, the others are further downloads), or None. The work runs
in the platform's language (its documents are Vietnamese); the sentences stored for the job's page
(a `Sentence` or a lazy translation as the message, output labels, failures) are written in the
language of whoever started the job. An exception fails the job: a refusal (`ValidationError`,
`PermissionDenied`) keeps its own sentence; anything else shows a general message to the user and
goes to the log with its traceback.

`clean` (the daily `binhdang manage clean_jobs`) fails jobs that never finished, e.g. after a
worker crash, and deletes finished jobs and their files after JOB_KEEP_DAYS.
"""

import datetime
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Job, JobFile

logger = logging.getLogger(__name__)


class Sentence:
    """A sentence for the job's page, translated only when it is stored: in the language of
    whoever started the job, not the platform's language the work runs in."""

    def __init__(self, text, **params):
        self.text, self.params = text, params

    def __str__(self) -> str:
        return str(self.text) % self.params if self.params else str(self.text)


@dataclass
class Output:
    """A file a job produced: its download name, content and content type, and a label for the
    download button (optional)."""

    name: str
    content: bytes
    content_type: str
    label: str = ""


def _path(work: Callable | str) -> str:
    if isinstance(work, str):
        return work
    path = f"{work.__module__}.{work.__qualname__}"
    if "<" in path:
        raise ValueError("A job's work must be a module-level function.")
    return path


def start(actor, kind: str, title: str, task: Callable | str, **kwargs) -> Job:
    """Record a job for `actor` and enqueue its work: `task(job, **kwargs)`.

    The caller checks permissions first; the job only remembers whose it is.
    """
    target = _path(task)
    import_string(target)  # fail now, not in the worker, on a wrong path
    json.dumps(kwargs)  # the database queue stores JSON: fail now on anything else
    language = translation.get_language() or settings.LANGUAGE_CODE
    job = Job.objects.create(owner=actor, kind=kind, title=title[:255], language=language)
    result = run_job.enqueue(job.pk, target, kwargs)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def report_progress(job_id: int, done: int, total: int, message: str = "") -> None:
    """Record how far the job is ("12/34"), as a percentage, with a sentence for the page.

    Written at once (outside any transaction of the work), so the page sees it while the job
    runs. 100% is kept for the finished job.
    """
    share = int(done * 100 / total) if total else 0
    language = Job.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        text = str(message)
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
        progress=max(0, min(share, 99)), message=text[:255]
    )


def _failure(error: Exception) -> str:
    """The sentence a user reads on a failed job."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied) and error.args:
        return str(error.args[0])
    return _(
        "The work stopped because of an error on the server (%(error)s). Try again; if it "
        "happens again, tell the system administrator."
    ) % {"error": type(error).__name__}


def _store(job: Job, outputs: list[Output]) -> None:
    first, *others = outputs
    job.result.save(first.name, ContentFile(first.content), save=False)
    job.result_name = first.name
    job.result_type = first.content_type
    for output in others:
        extra = JobFile(job=job, label=str(output.label), name=output.name)
        extra.content_type = output.content_type
        extra.file.save(output.name, ContentFile(output.content), save=False)
        extra.save()


@task
def run_job(job_id: int, target: str, kwargs: dict) -> str:
    """Run a job's work, keeping its status, progress, files and error up to date."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.warning("Job %s is gone or already taken; nothing to run.", job_id)
        return "skipped"
    job = Job.objects.get(pk=job_id)
    try:
        # The work (documents, figures) speaks the platform's language, whoever runs the worker.
        with translation.override(settings.LANGUAGE_CODE):
            outcome = import_string(target)(job, **kwargs)
        outputs = [] if outcome is None else outcome if isinstance(outcome, list) else [outcome]
        # The sentences on the job's page speak the language of whoever started it.
        with translation.override(job.language), transaction.atomic():
            job.refresh_from_db(fields=["message"])
            if outputs:
                _store(job, outputs)
            job.status = Job.Status.DONE
            job.progress = 100
            job.finished_at = timezone.now()
            job.message = job.message or _("Finished.")
            job.save()
    except Exception as error:
        if not isinstance(error, ValidationError | PermissionDenied):
            logger.exception("Job %s (%s) failed", job_id, target)
        with translation.override(job.language):
            reason = _failure(error)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED, error=reason, finished_at=timezone.now()
        )
        return "failed"
    return "done"


@dataclass
class Cleaned:
    """What `clean` did: jobs marked interrupted, and old jobs deleted with their files."""

    interrupted: int
    deleted: int
    files: int


def clean(now: datetime.datetime | None = None) -> Cleaned:
    """Fail the jobs queued or running for longer than JOB_STALE_HOURS (their worker stopped),
    and delete the jobs finished more than JOB_KEEP_DAYS ago, with their stored files."""
    now = now or timezone.now()
    stale = Job.objects.filter(
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        created_at__lt=now - datetime.timedelta(hours=settings.JOB_STALE_HOURS),
    )
    interrupted = 0
    for language in stale.order_by().values_list("language", flat=True).distinct():
        with translation.override(language):  # in the language of whoever started the job
            interrupted += stale.filter(language=language).update(
                status=Job.Status.FAILED,
                error=_("The work was interrupted before it finished. Start it again."),
                finished_at=now,
            )
    old = list(
        Job.objects.filter(
            status__in=[Job.Status.DONE, Job.Status.FAILED],
            finished_at__lt=now - datetime.timedelta(days=settings.JOB_KEEP_DAYS),
        ).prefetch_related("files")
    )
    stored = [job.result for job in old if job.result] + [
        extra.file for job in old for extra in job.files.all() if extra.file
    ]
    # Rows first: a file whose row is gone is only disk space, a row without its file a 404.
    Job.objects.filter(pk__in=[job.pk for job in old]).delete()
    for file in stored:
        file.storage.delete(file.name)
    return Cleaned(interrupted, len(old), len(stored))
