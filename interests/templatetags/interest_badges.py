"""An EOI's status as a badge: a list of expressions of interest shows one per row, so it is built with
format_html rather than an included template (an include costs about as much as the rest of a row)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def status_badge(status: str, label: str):
    """{% status_badge interest.status interest.get_status_display %}"""
    return format_html('<span class="badge interest-status interest-status-{}">{}</span>', status, label)
