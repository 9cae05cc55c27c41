from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    name = "binhdang.committees"
    label = "committees"
    verbose_name = _("Committees for the Advancement of Women")

    def ready(self) -> None:
        from binhdang.core import audit

        from .models import Committee, Decision, Membership, Person

        for model in (Committee, Decision, Membership, Person):
            audit.register(model, exclude_fields=["updated_at"])
