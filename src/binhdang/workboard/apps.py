from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkboardConfig(AppConfig):
    name = "binhdang.workboard"
    label = "workboard"
    verbose_name = _("To do")
