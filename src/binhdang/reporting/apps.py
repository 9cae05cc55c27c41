from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "binhdang.reporting"
    label = "reporting"
    verbose_name = _("Reporting rounds")

    def ready(self) -> None:
        from binhdang.core import audit

        from .models import ReportingRound, Submission

        audit.register(ReportingRound, exclude_fields=["updated_at"])
        audit.register(Submission, exclude_fields=["updated_at", "version"])
