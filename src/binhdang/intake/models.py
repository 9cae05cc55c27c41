"""A pasted or uploaded report kept between reading it and the officer's confirmation."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from binhdang.orgunits.models import OrgUnit


class Draft(models.Model):
    """A report's clean text, read for proposals, until its records are saved (then `saved_at`
    keeps a second confirmation, from a stale tab, from saving them twice). Drafts older than
    `services.DRAFT_DAYS` are deleted whenever a new one is made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("text"))
    title = models.CharField(_("title"), max_length=500, blank=True)
    published = models.DateField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    # What the confirmation saved, as [label, link] pairs, for the page after it.
    saved = models.JSONField(_("saved records"), default=list, blank=True)

    class Meta:
        verbose_name = _("intake draft")
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return self.title or self.text[:80]
