from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "binhdang.activities"
    label = "activities"
    verbose_name = _("Activities, commendations and calendar")

    def ready(self) -> None:
        from binhdang.core import audit

        from .models import Activity, ActivityOutput, ActivityTopic, Commendation

        audit.register(Activity, exclude_fields=["updated_at"])
        audit.register(ActivityTopic)
        audit.register(ActivityOutput)
        audit.register(Commendation, exclude_fields=["updated_at"])
