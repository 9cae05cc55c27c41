"""Values every page needs: the navigation sections."""

from django.utils.translation import gettext_lazy as _

# The sections of the platform in menu order; those without a URL name are still to come.
SECTIONS = [
    ("workboard", _("To do"), "workboard:home"),
    ("orgunits", _("Units"), "orgunits:home"),
    ("committees", _("Committees"), "committees:home"),
    ("indicators", _("Indicators"), "indicators:mine"),
    ("plans", _("Plans & tasks"), "plans:home"),
    ("activities", _("Activities"), "activities:home"),
    ("reporting", _("Reports"), "reporting:home"),
]


def navigation(request) -> dict:
    """The menu sections, for the base layout."""
    return {"nav_sections": SECTIONS}
