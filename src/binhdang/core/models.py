"""Shared building blocks for the domain models."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from binhdang.core.text import fold


class TimeStamped(models.Model):
    """When a record was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Searchable(models.Model):
    """A record found by words typed with or without diacritics ("tap huan" finds "Tập huấn"):
    its searched text is kept folded (`core.text.fold`) in `search_text` on every save, and
    `core.text.matching` filters on it."""

    search_text = models.CharField(max_length=700, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = fold(self.search_source())[:700]
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def search_source(self) -> str:
        """The text a search looks in (a title, a name and a user name...)."""
        raise NotImplementedError


class Job(models.Model):
    """A piece of long work run in the background (a consolidated report, a conversion), with
    its progress for the page that follows it and the file it produces. Only its owner sees it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=255, blank=True)
    result = models.FileField(_("result file"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("download name"), max_length=255, blank=True)
    result_type = models.CharField(_("content type"), max_length=128, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The language of whoever started the job: the sentences on its page are written in it.
    language = models.CharField(_("language"), max_length=8, default=settings.LANGUAGE_CODE)
    # The id of the django.tasks result, to find the run in a task backend's records.
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("core:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class JobFile(models.Model):
    """A further file a job produced beside its result (e.g. the Excel annex of a report)."""

    job = models.ForeignKey(
        Job, verbose_name=_("background job"), on_delete=models.CASCADE, related_name="files"
    )
    label = models.CharField(_("label"), max_length=255, blank=True)
    file = models.FileField(_("stored file"), upload_to="jobs/%Y/%m/")
    name = models.CharField(_("download name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=128)

    class Meta:
        verbose_name = _("job file")
        verbose_name_plural = _("job files")
        ordering = ["job", "pk"]

    def __str__(self) -> str:
        return self.name
