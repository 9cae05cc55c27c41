from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "binhdang.intake"
    label = "intake"
    verbose_name = _("Import from a news report")

    def ready(self) -> None:
        from binhdang.core import audit

        # Every record an intake saves is marked so (services.confirm): its history says so.
        audit.register_via("intake", _("Import from a news report"))
