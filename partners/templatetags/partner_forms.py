"""Render Django's form fields with Bootstrap's classes, for our forms and for Django's own auth forms."""

from django import forms, template

register = template.Library()


@register.filter
def bootstrap_widget(bound_field, hint_id=""):
    """The field's widget with Bootstrap's class (and "is-invalid" when it has errors). Django adds
    aria-invalid and the aria-describedby that points at the help text and the errors; `hint_id` names one
    more element that describes the field (a hint written in the template)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css_class = "form-check-input"
    elif isinstance(widget, forms.Select):
        css_class = "form-select"
    else:
        css_class = "form-control"
    if bound_field.errors:
        css_class += " is-invalid"
    existing = widget.attrs.get("class")
    attrs = {"class": f"{existing} {css_class}" if existing else css_class}
    if hint_id:
        attrs["aria-describedby"] = " ".join(filter(None, [hint_id, bound_field.aria_describedby]))
    return bound_field.as_widget(attrs=attrs)
