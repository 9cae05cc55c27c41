from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgUnitsConfig(AppConfig):
    name = "binhdang.orgunits"
    label = "orgunits"
    verbose_name = _("Administrative units")

    def ready(self) -> None:
        from binhdang.core import audit

        from .models import OrgUnit

        audit.register(OrgUnit)  # path, depth and the search name are derived: left out
