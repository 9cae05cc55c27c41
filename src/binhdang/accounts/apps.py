from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "binhdang.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from binhdang.core import audit

        from .models import OversightGrant, TwoFactorRequirement, User

        audit.register(User, exclude_fields=["password", "last_login", "updated_at"])
        audit.register(TwoFactorRequirement)
        audit.register(OversightGrant)
        # services.remove_two_factor logs {"two_factor": ["on", "off"]} on the account.
        audit.register_pseudo_field(
            "two_factor", _("two-factor login"), {"on": _("on"), "off": _("off")}
        )
