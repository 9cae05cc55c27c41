from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "binhdang.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from binhdang.core import audit

        from .models import DataValue, Indicator, Lock, Target

        for model in (Indicator, Target, DataValue, Lock):
            audit.register(model, exclude_fields=["updated_at"])
