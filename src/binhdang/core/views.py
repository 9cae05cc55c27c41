"""Error pages in the user's language, the health check, and the pages of background jobs."""

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from . import health as health_check
from . import uploads
from .models import Job, JobFile


def _error(request, status: int, exception=None):
    args = getattr(exception, "args", ())
    # Our own refusals carry a sentence for the user; the resolver's 404 carries a dict.
    message = args[0] if args and isinstance(args[0], str) else ""
    return render(request, f"{status}.html", {"message": message}, status=status)


def forbidden(request, exception=None):
    return _error(request, 403, exception)


def not_found(request, exception=None):
    return _error(request, 404, exception)


def csrf_failure(request, reason=""):
    """A form sent from a page that expired (or without cookies), explained in the user's
    language instead of Django's English page."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    return render(request, "500.html", status=500)


@login_not_required
def health(request):
    """For load balancers and monitoring: the database (503 when unreachable) and the queue."""
    answer, status = health_check.check()
    response = JsonResponse(answer, status=status)
    response["Cache-Control"] = "no-store"
    return response


# --- Background jobs --------------------------------------------------------------------------


def _own_job(request, pk) -> Job:
    """The user's own job, or 404: nobody else learns that it exists."""
    return get_object_or_404(Job, pk=pk, owner=request.user)


def job(request, pk):
    """A job's progress; htmx asks for the status part again every second until it finishes."""
    current = _own_job(request, pk)
    context = {"job": current, "files": list(current.files.all()) if current.is_finished else []}
    if request.htmx:
        return render(request, "core/_job_status.html", context)
    return render(request, "core/job.html", context)


def jobs(request):
    """The user's recent jobs, newest first."""
    return render(request, "core/jobs.html", {"jobs": Job.objects.filter(owner=request.user)[:50]})


def _send(field, name: str, content_type: str):
    if not field:
        raise Http404(_("This job has no file to download."))
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file of this job is no longer on the server.")) from None
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    return uploads.protect(response)


def job_download(request, pk):
    """The job's result file, under its download name."""
    current = _own_job(request, pk)
    if current.status != Job.Status.DONE:
        raise Http404(_("This job has no file to download."))
    return _send(current.result, current.result_name, current.result_type)


def job_file(request, pk, file_pk):
    """A further file of the job (e.g. an annex)."""
    current = _own_job(request, pk)
    extra = get_object_or_404(JobFile, pk=file_pk, job=current)
    return _send(extra.file, extra.name, extra.content_type)
