from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "binhdang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from auditlog.models import LogEntry
        from django.db.models.signals import pre_save

        from . import audit

        pre_save.connect(audit.add_marks, sender=LogEntry, dispatch_uid="binhdang_audit_marks")
