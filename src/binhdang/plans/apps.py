from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "binhdang.plans"
    label = "plans"
    verbose_name = _("Plans, tasks and inspections")

    def ready(self) -> None:
        from binhdang.core import audit

        from .models import Inspection, Plan, Recommendation, Task, TaskUpdate

        for model in (Plan, Task, TaskUpdate, Inspection, Recommendation):
            audit.register(model, exclude_fields=["updated_at"])
