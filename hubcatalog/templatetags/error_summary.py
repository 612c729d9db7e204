"""`{% load error_summary %}`: the box at the top of a form page that failed (GOV.UK's error summary): "There
is a problem", then each error as a link to its field. static/js/error_summary.js moves the focus to it, so
that a screen reader reads it first.

    {% block title %}{% error_title_prefix form %}Log in – …{% endblock %}
    {% error_summary form %}                  one form
    {% error_summary form formset %}          several forms, formsets included, in the page's order
"""

from dataclasses import dataclass

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()


@dataclass(frozen=True)
class SummaryError:
    message: str
    anchor: str = ""  # the id of the field to go to, "" when the error is not about one field


def _field_anchor(bound_field) -> str:
    if bound_field.is_hidden:
        return ""
    # Radio buttons and checkbox lists have no one element a label points at (id_for_label is ""): the
    # first choice is where the buyer starts.
    return bound_field.id_for_label or (f"{bound_field.auto_id}_0" if bound_field.auto_id else "")


def _form_errors(form) -> list[SummaryError]:
    # A form about one product (a line of the shortlist) names it: "Quantity" alone would not say which.
    about = getattr(form, "product", None)
    visible = [field for field in form if not field.is_hidden]
    first_anchor = _field_anchor(visible[0]) if visible else ""
    errors = [
        SummaryError(f"{about}: {error}" if about else error, first_anchor)
        for error in form.non_field_errors()
    ]
    for field in form:
        # A checkbox's label is a whole sentence (a declaration) and its error already says what to tick.
        named = field.label and not isinstance(field.field.widget, forms.CheckboxInput)
        for error in field.errors:
            label = (f"{about} – {field.label}" if about else field.label) if named else about
            errors.append(SummaryError(f"{label}: {error}" if label else error, _field_anchor(field)))
    return errors


def collect_errors(*forms_or_formsets) -> list[SummaryError]:
    """Every error of the forms and formsets, in order: for each form its own errors, then its fields'."""
    errors = []
    for item in forms_or_formsets:
        if isinstance(item, forms.BaseFormSet):
            if not item.is_bound:
                continue
            errors.extend(SummaryError(error) for error in item.non_form_errors())
            for form in item.forms:
                errors.extend(_form_errors(form))
        elif isinstance(item, forms.BaseForm) and item.is_bound:
            errors.extend(_form_errors(item))
    return errors


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_or_formsets):
    return {"errors": collect_errors(*forms_or_formsets)}


@register.simple_tag
def error_title_prefix(*forms_or_formsets) -> str:
    """ "Error: " before the page's title when the form failed: the first thing a screen reader announces."""
    return _("Error:") + " " if collect_errors(*forms_or_formsets) else ""
