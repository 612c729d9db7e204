"""Country choices and refusals that name the arms embargoes in force (interests.Embargo.objects.blocking()).

The forms that ask for a country a product could go to (a listing's destinations in the admin, an access
request's organisation country, an EOI's delivery country) mark those countries as under an arms embargo and
refuse them when sent, naming the embargo, its source and its date. The marks are read from the cache (one
short entry, dropped whenever an embargo is saved or deleted) so that a form costs no query to show; a refusal
always reads the database.
"""

from django import forms
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from interests.models import Embargo

CACHE_KEY = "embargoes:blocking"
# Where the cache is each process's memory (no REDIS_URL), another process may mark with an older list for
# this long; what is refused is decided by the database.
CACHE_SECONDS = 5 * 60


def blocking_scopes() -> dict[str, str]:
    """{country code: scope} of the blocking embargoes, from the cache when it has them."""
    scopes = cache.get(CACHE_KEY)
    if scopes is None:
        scopes = dict(Embargo.objects.blocking().values_list("country", "scope"))
        cache.set(CACHE_KEY, scopes, CACHE_SECONDS)
    return scopes


def forget_blocking_scopes(sender=None, **kwargs):
    """Signal receiver for an Embargo's post_save and post_delete: at once, and again once it commits, so that
    a form read in between does not keep the old list."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY), using=kwargs.get("using"))


def marked(name: str, scope: str) -> str:
    return _("%(country)s (%(scope)s)") % {"country": name, "scope": Embargo.Scope(scope).label.lower()}


class EmbargoMarkingSelect(forms.Select):
    """A country select whose countries under an arms embargo are shown disabled, marked with the embargo."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        scope = self.scopes.get(str(value))
        if scope:
            option["label"] = marked(label, scope)
            option["attrs"]["disabled"] = True
        return option

    def get_context(self, name, value, attrs):
        # Read when the form is shown, not when it is made: a form that is only validated needs no marks.
        self.scopes = blocking_scopes()
        return super().get_context(name, value, attrs)


def mark_embargoed_countries(field: forms.ChoiceField):
    """Show the field's embargoed countries disabled and marked (its choices and attributes are kept)."""
    widget = EmbargoMarkingSelect(attrs=field.widget.attrs, choices=field.choices)
    widget.is_required = field.widget.is_required
    field.widget = widget


def refuse_embargoed(country_codes, *, message: str):
    """Raise a ValidationError naming each of the countries under a blocking embargo (none: return).
    `message` introduces the list, e.g. "This listing cannot be offered to:"."""
    refusals = Embargo.objects.refusals(country_codes)
    if refusals:
        raise forms.ValidationError(
            [forms.ValidationError(message, code="embargoed")]
            + [forms.ValidationError(refusal, code="embargoed") for refusal in refusals]
        )
