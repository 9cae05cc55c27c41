"""Template filters for Vietnamese-style figures."""

from django import template

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
