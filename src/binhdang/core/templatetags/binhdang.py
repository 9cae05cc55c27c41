"""Template filters for Vietnamese-style figures."""

from auditlog.models import LogEntry
from django import template
from django.utils.translation import pgettext_lazy

from binhdang.core import formatting

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """Render a percentage: {{ 84.21|percent }} -> "84,2%"."""
    return formatting.percent(value, digits)


@register.filter
def document_date(value) -> str:
    """Render a document date line: "ngày 05 tháng 02 năm 2025"."""
    return formatting.document_date(value) if value else ""


@register.filter
def model_label(content_type) -> str:
    """The Vietnamese (or English) name of the model a content type stands for."""
    model = content_type.model_class() if content_type else None
    return str(model._meta.verbose_name).capitalize() if model else ""


AUDIT_ACTIONS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit", "created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit", "changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit", "deleted"),
}


@register.filter
def audit_action(action) -> str:
    """The audit action in the interface's language."""
    return AUDIT_ACTIONS.get(action, "")
