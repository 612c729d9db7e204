"""Staff preview the catalogue as the buyers of a chosen country see it: the catalogue, product pages,
documents, hubs and the comparison, read-only.

Starting a preview puts the country in the staff member's session (partners.access.PREVIEW_COUNTRY); the
catalogue's pages then show it with a stand-in organisation of that country and a banner, and every page or
form that would ask or change something is refused (partners.access.approved_buyer_required). Ending the
preview, or signing out, removes it.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_countries import countries

from partners.access import PREVIEW_COUNTRY, preview_country, stand_in_organisation


class PreviewForm(forms.Form):
    country = forms.ChoiceField(
        label=gettext_lazy("Country of the buyer"),
        choices=[("", "—"), *countries],
        error_messages={"required": gettext_lazy("Choose the country whose buyers' catalogue to preview.")},
    )


def staff_only(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied(_("Only staff can preview the catalogue."))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_http_methods(["GET", "POST"])
@staff_only
def start(request):
    """Choose a country (?country=PL fills it in) and see the catalogue as its buyers do."""
    country = preview_country(request)
    request.catalogue_preview = stand_in_organisation(country) if country else None
    initial = {"country": request.GET.get("country", "")[:2].upper()}
    form = PreviewForm(request.POST or None, initial=initial)
    if form.is_valid():
        request.session[PREVIEW_COUNTRY] = form.cleaned_data["country"]
        return redirect("catalogue")
    return render(request, "products/preview.html", {"form": form}, status=400 if form.is_bound else 200)


@require_POST
@staff_only
def end(request):
    """Back to work as oneself, in the admin."""
    if request.session.pop(PREVIEW_COUNTRY, None):
        messages.info(request, _("The preview of the catalogue has ended."))
    return redirect("admin:index")
