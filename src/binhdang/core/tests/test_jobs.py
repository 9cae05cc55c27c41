"""Background jobs: lifecycle, progress, failure, owner-only pages and downloads."""

import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from binhdang.accounts.models import Role
from binhdang.conftest import make_user
from binhdang.core import jobs
from binhdang.core.models import Job, JobFile

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# What the work functions saw while running: (status, progress, message) of their job.
SEEN: list[tuple[str, int, str]] = []


def _snapshot(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    SEEN.append((job.status, job.progress, job.message))


def count_provinces(job, total: int, name: str = "report.docx"):
    """A job's work: reports progress per item, returns a result and an annex."""
    _snapshot(job.pk)
    for done in range(1, total + 1):
        jobs.report_progress(job.pk, done, total, f"Đang tổng hợp {done}/{total} tỉnh")
        _snapshot(job.pk)
    jobs.report_progress(job.pk, total, total, "Đã tạo báo cáo.")
    return [
        jobs.Output(name, b"word bytes", DOCX),
        jobs.Output("phu-luc.xlsx", b"excel bytes", "application/vnd.ms-excel", "Phụ lục (Excel)"),
    ]


def nothing(job):
    return None


def crash(job):
    jobs.report_progress(job.pk, 1, 4, "Đang tổng hợp 1/4 tỉnh")
    raise ZeroDivisionError("boom")


def refuse(job):
    raise ValidationError("Kỳ báo cáo chưa có đơn vị nào được tiếp nhận.")


@pytest.fixture(autouse=True)
def _clean_seen():
    SEEN.clear()


@pytest.fixture
def officer(tree):
    return make_user("officer", tree["province"], Role.DATA_OFFICER)


@pytest.fixture
def stranger(tree):
    return make_user("stranger", tree["province"], Role.DATA_OFFICER)


def test_immediate_job_runs_to_done_with_progress_and_files(officer):
    job = jobs.start(officer, "report", "Báo cáo năm 2025", count_provinces, total=4)
    assert job.status == Job.Status.DONE
    assert job.progress == 100
    assert job.message == "Đã tạo báo cáo."
    assert job.error == ""
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    assert job.task_id
    # The work ran as "running", and its progress moved 25, 50, 75 and stopped short of 100.
    assert SEEN[0] == ("running", 0, "")
    assert [p for _, p, _ in SEEN[1:]] == [25, 50, 75, 99]
    assert SEEN[2][2] == "Đang tổng hợp 2/4 tỉnh"
    assert job.result_name == "report.docx" and job.result_type == DOCX
    with job.result.open("rb") as handle:
        assert handle.read() == b"word bytes"
    (annex,) = job.files.all()
    assert (annex.name, annex.label) == ("phu-luc.xlsx", "Phụ lục (Excel)")


def test_job_without_output_is_done_without_a_file(officer, client):
    job = jobs.start(officer, "check", "Kiểm tra", "binhdang.core.tests.test_jobs.nothing")
    assert job.status == Job.Status.DONE and not job.result
    assert job.message == "Đã xong."
    client.force_login(officer)
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


@override_settings(TASKS=DUMMY)
def test_queued_job_waits_then_runs(officer, client):
    job = jobs.start(officer, "report", "Báo cáo năm 2025", count_provinces, total=2)
    assert job.status == Job.Status.QUEUED and job.progress == 0 and not SEEN
    client.force_login(officer)
    page = client.get(reverse("core:job", args=[job.pk]))
    assert "Đang chờ đến lượt" in page.content.decode()
    # A worker takes it.
    assert jobs.run_job.call(job.pk, "binhdang.core.tests.test_jobs.count_provinces", {"total": 2})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 100
    assert [s for s, _, _ in SEEN] == ["running"] * 3
    # A second run of the same job (a retried task) does nothing.
    assert jobs.run_job.call(job.pk, "binhdang.core.tests.test_jobs.crash", {}) == "skipped"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


@override_settings(TASKS=DATABASE_QUEUE)
def test_database_queue_and_worker(officer, monkeypatch):
    # The worker closes "old" connections between tasks; inside the test's transaction that
    # would close the test's own connection (PostgreSQL).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    job = jobs.start(officer, "report", "Báo cáo năm 2025", count_provinces, total=3)
    assert job.status == Job.Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 100
    assert job.result_name == "report.docx"


def test_crash_fails_the_job_with_a_clear_message(officer, client, caplog):
    job = jobs.start(officer, "report", "Báo cáo năm 2025", crash)
    assert job.status == Job.Status.FAILED
    assert job.progress == 25  # where it stopped
    assert "lỗi trên máy chủ" in job.error and "ZeroDivisionError" in job.error
    assert job.finished_at is not None and not job.result
    assert "boom" in caplog.text  # the traceback went to the log
    client.force_login(officer)
    page = client.get(reverse("core:job", args=[job.pk])).content.decode()
    assert "Không hoàn thành được công việc." in page
    assert "ZeroDivisionError" in page
    assert 'hx-trigger="every 1s"' not in page
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_refusal_keeps_its_own_sentence(officer):
    job = jobs.start(officer, "report", "Báo cáo năm 2025", refuse)
    assert job.status == Job.Status.FAILED
    assert job.error == "Kỳ báo cáo chưa có đơn vị nào được tiếp nhận."


def test_start_refuses_what_a_worker_could_not_run(officer):
    with pytest.raises(ValueError):
        jobs.start(officer, "x", "x", lambda job: None)
    with pytest.raises(TypeError):
        jobs.start(officer, "x", "x", nothing, unit=object())
    with pytest.raises(ImportError):
        jobs.start(officer, "x", "x", "binhdang.core.tests.test_jobs.missing")
    assert not Job.objects.exists()


def test_progress_is_clamped_and_only_for_running_jobs(officer):
    job = Job.objects.create(owner=officer, kind="x", title="x")
    jobs.report_progress(job.pk, 1, 2, "Đang làm")
    job.refresh_from_db()
    assert (job.progress, job.message) == (0, "")  # still queued: not touched
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    for done, total, expected in ((3, 2, 99), (-1, 2, 0), (1, 0, 0), (1, 3, 33)):
        jobs.report_progress(job.pk, done, total, "x" * 300)
        job.refresh_from_db()
        assert job.progress == expected
    assert len(job.message) == 255


@override_settings(TASKS=DUMMY)
def test_page_polls_while_running_and_stops_when_done(officer, client):
    job = jobs.start(officer, "report", "Báo cáo năm 2025", nothing)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, progress=35, message="Đang tổng hợp 12/34 tỉnh"
    )
    client.force_login(officer)
    url = reverse("core:job", args=[job.pk])
    full = client.get(url).content.decode()
    assert "<html" in full and 'id="job-status"' in full
    assert 'hx-trigger="every 1s"' in full and 'aria-valuenow="35"' in full
    assert "Đang tổng hợp 12/34 tỉnh" in full
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in part and part.lstrip().startswith('<div id="job-status"')
    assert "pct-35" in part
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, progress=100, message="Xong")
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in part and 'aria-valuenow="100"' in part


def test_only_the_owner_sees_and_downloads(officer, stranger, tree, client):
    job = jobs.start(officer, "report", "Báo cáo năm 2025", count_provinces, total=1)
    annex = JobFile.objects.get(job=job)
    urls = [
        reverse("core:job", args=[job.pk]),
        reverse("core:job_download", args=[job.pk]),
        reverse("core:job_file", args=[job.pk, annex.pk]),
    ]
    # Not even a system administrator sees another person's job.
    admin = make_user("admin", tree["nation"], Role.SYSTEM_ADMIN)
    for other in (stranger, admin):
        client.force_login(other)
        for url in urls:
            assert client.get(url).status_code == 404
        assert job.title not in client.get(reverse("core:jobs")).content.decode()
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page

    client.force_login(officer)
    page = client.get(urls[0]).content.decode()
    assert "Tải xuống report.docx" in page and "Phụ lục (Excel)" in page
    response = client.get(urls[1])
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert 'filename="report.docx"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"word bytes"
    response = client.get(urls[2])
    assert b"".join(response.streaming_content) == b"excel bytes"
    assert 'filename="phu-luc.xlsx"' in response["Content-Disposition"]
    assert job.title in client.get(reverse("core:jobs")).content.decode()
    # Another job's file id under this job: 404.
    other = jobs.start(stranger, "report", "Khác", count_provinces, total=1)
    wrong = reverse("core:job_file", args=[job.pk, other.files.get().pk])
    assert client.get(wrong).status_code == 404


def test_empty_jobs_page_explains(officer, client):
    client.force_login(officer)
    page = client.get(reverse("core:jobs")).content.decode()
    assert "Bạn chưa bắt đầu công việc nào." in page


def test_browser_follows_a_running_job_without_reloading(page, live_map):
    """The page polls itself: the bar and the message move, the page is never reloaded, and
    the download appears when the job is done."""
    from playwright.sync_api import expect

    from binhdang.conftest import log_in
    from binhdang.orgunits.models import OrgUnit

    officer = make_user("qngai.baocao", OrgUnit.objects.get(code="P51"), Role.DATA_OFFICER)
    job = Job.objects.create(
        owner=officer,
        kind="report",
        title="Báo cáo tổng hợp năm 2025",
        status=Job.Status.RUNNING,
        progress=10,
        message="Đang tổng hợp 3/34 đơn vị",
    )
    log_in(page, "qngai.baocao")
    page.goto(f"/jobs/{job.pk}/")
    page.evaluate("window.notReloaded = true")
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "10")
    expect(page.get_by_text("Đang tổng hợp 3/34 đơn vị")).to_be_visible()

    Job.objects.filter(pk=job.pk).update(progress=60, message="Đang tổng hợp 20/34 đơn vị")
    expect(bar).to_have_attribute("aria-valuenow", "60", timeout=5000)
    expect(page.get_by_text("Đang tổng hợp 20/34 đơn vị")).to_be_visible()

    job.refresh_from_db()
    job.result.save("bao-cao.docx", ContentFile(b"word"), save=False)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        progress=100,
        message="Đã tạo báo cáo.",
        result=job.result.name,
        result_name="bao-cao.docx",
        result_type=DOCX,
    )
    download = page.get_by_role("link", name="Tải xuống bao-cao.docx")
    expect(download).to_be_visible(timeout=5000)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    assert page.evaluate("window.notReloaded") is True
    # Finished: the status part no longer asks the server every second.
    assert page.locator("#job-status[hx-trigger]").count() == 0


# ---------------------------------------------------------------------------------------------
# Cleaning up: interrupted jobs failed, old jobs deleted with their files.


def _job(owner, status, created, finished=None, files=()):
    with time_machine.travel(created, tick=False):
        job = Job.objects.create(owner=owner, kind="report", title="Báo cáo", status=status)
    job.finished_at = finished
    for name in files:
        if not job.result:
            job.result.save(name, ContentFile(b"word bytes"), save=False)
        else:
            extra = JobFile(job=job, name=name, content_type=DOCX)
            extra.file.save(name, ContentFile(b"annex bytes"), save=False)
            extra.save()
    job.save()
    return job


def test_clean_fails_interrupted_jobs_and_deletes_old_ones_with_their_files(
    officer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    now = datetime.datetime(2026, 11, 24, 6, 0, tzinfo=datetime.UTC)
    hours = datetime.timedelta(hours=1)
    stuck = _job(officer, Job.Status.RUNNING, now - 7 * hours)
    waiting = _job(officer, Job.Status.QUEUED, now - 8 * hours)
    recent = _job(officer, Job.Status.RUNNING, now - 5 * hours)
    old = _job(
        officer,
        Job.Status.DONE,
        now - 40 * 24 * hours,
        finished=now - 31 * 24 * hours,
        files=["bao-cao.docx", "phu-luc.xlsx"],
    )
    kept = _job(
        officer,
        Job.Status.DONE,
        now - 29 * 24 * hours,
        finished=now - 29 * 24 * hours,
        files=["bao-cao-moi.docx"],
    )
    old_paths = [old.result.path, old.files.get().file.path]
    assert all(Path(p).exists() for p in old_paths)

    done = jobs.clean(now)

    assert (done.interrupted, done.deleted, done.files) == (2, 1, 2)
    for job in (stuck, waiting):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and "bị gián đoạn" in job.error
    recent.refresh_from_db()
    assert recent.status == Job.Status.RUNNING  # still within JOB_STALE_HOURS
    assert not Job.objects.filter(pk=old.pk).exists() and not JobFile.objects.exists()
    assert not any(Path(p).exists() for p in old_paths)
    kept.refresh_from_db()
    assert Path(kept.result.path).exists()
    # A second run finds nothing more to do; an interrupted job is deleted in its turn.
    assert jobs.clean(now) == jobs.Cleaned(0, 0, 0)
    assert jobs.clean(now + 31 * 24 * hours).deleted == 3


def test_a_worker_never_runs_a_job_marked_interrupted(officer, settings):
    job = _job(officer, Job.Status.QUEUED, datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    jobs.clean()
    assert jobs.run_job.call(job.pk, f"{__name__}.nothing", {}) == "skipped"
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_clean_jobs_command_says_what_it_did(officer, settings):
    settings.JOB_STALE_HOURS = 1
    _job(officer, Job.Status.RUNNING, datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    out = io.StringIO()
    call_command("clean_jobs", stdout=out)
    assert "Đã đánh dấu 1 công việc bị gián đoạn (quá 1 giờ chưa xong)" in out.getvalue()


def speak(job):
    """A job's work: notes the language it runs in, reports a sentence, leaves an annex."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    SEEN.append(("language", 0, translation.get_language()))
    sentence = jobs.Sentence(
        gettext_lazy("Gathering unit %(index)s/%(count)s: %(unit)s"), index=1, count=2, unit="Xã A"
    )
    jobs.report_progress(job.pk, 1, 2, sentence)
    return [
        jobs.Output("report.docx", b"word bytes", DOCX),
        jobs.Output("annex.xlsx", b"excel", "application/vnd.ms-excel", gettext_lazy("PDF copy")),
    ]


@pytest.mark.parametrize(
    ("language", "message", "label"),
    [
        ("en", "Gathering unit 1/2: Xã A", "PDF copy"),
        ("vi", "Đang tổng hợp 1/2 đơn vị: Xã A", "Bản PDF"),
    ],
)
def test_job_page_speaks_the_starters_language_while_the_work_speaks_vietnamese(
    officer, language, message, label
):
    from django.utils import translation

    with translation.override(language):
        job = jobs.start(officer, "report", "Report 2025", speak)
    assert job.language == language
    assert SEEN == [("language", 0, "vi")]  # the documents are always Vietnamese
    assert job.message == message
    assert job.files.get().label == label
