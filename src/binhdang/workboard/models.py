"""What the work board remembers per user: that the year's three-line introduction was shown."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IntroSeen(models.Model):
    """The user has been shown the home page's introduction to their year (shown once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    seen_at = models.DateTimeField(_("seen at"), auto_now_add=True)

    class Meta:
        verbose_name = _("introduction seen")
        verbose_name_plural = _("introductions seen")

    def __str__(self) -> str:
        return str(self.user_id)
