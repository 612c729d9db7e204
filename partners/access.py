"""The one rule of access: who may see the catalogue, asked on every request.

A buyer may browse while their organisation is approved. The organisation is read from the database on each
request, so a suspension takes effect at once, in the middle of a session.

Staff may preview the catalogue as the buyers of a country see it (products/preview.py): the pages that only
show the catalogue let them through with a stand-in organisation of that country, never saved, and every
other buyer page refuses them while the preview lasts, so nothing is ever written in a buyer's name.
"""

from functools import partial, wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_countries import countries

from partners.models import Buyer, PartnerOrganisation

# The ISO code of the country a staff member previews the catalogue as, in their session.
PREVIEW_COUNTRY = "catalogue_preview_country"


def buyer_of(user) -> Buyer | None:
    """The user's buyer profile with its organisation, or None: read with the user by the authentication
    backend (partners.backends) for the signed-in user, else in one query."""
    if not user.is_authenticated:
        return None
    try:
        if Buyer.user.field.related_model.buyer.is_cached(user):
            buyer = user.buyer
        else:
            buyer = Buyer.objects.select_related("organisation").get(user=user)
    except Buyer.DoesNotExist:
        return None
    buyer.user = user  # the user we already have, so that buyer.user costs no query
    return buyer


def preview_country(request) -> str | None:
    """The country whose buyers' catalogue the signed-in staff member is previewing, or None (not staff, no
    preview, or anything but a country code in the session)."""
    user, session = request.user, getattr(request, "session", None)
    if session is None or not (user.is_authenticated and user.is_staff):
        return None
    code = session.get(PREVIEW_COUNTRY)
    return code if isinstance(code, str) and code in countries else None


def stand_in_organisation(country_code: str) -> PartnerOrganisation:
    """What a preview browses as: an approved organisation of that country. Never saved: without a primary
    key nothing can be filed under it."""
    return PartnerOrganisation(
        name=_("Preview: a buyer in %(country)s") % {"country": countries.name(country_code)},
        country=country_code,
        kind=PartnerOrganisation.Kind.MINISTRY_OF_DEFENCE,
        vetting_status=PartnerOrganisation.VettingStatus.APPROVED,
    )


def approved_buyer_required(view=None, *, preview: bool = False):
    """Let only buyers of approved organisations through; sets request.buyer and request.organisation.

    Anonymous visitors are sent to the login page; a logged-in user without an approved organisation gets
    403 with the reason (pending vetting, suspended, no organisation).

    `@approved_buyer_required(preview=True)` marks a page that only shows the catalogue: staff previewing it
    get through too, on GET, with request.organisation a stand-in of the previewed country and
    request.buyer None. Any other page, or method, is refused to them with a message. request
    .catalogue_preview is the stand-in during a preview (the page shows a banner), else None.
    """
    if view is None:
        return partial(approved_buyer_required, preview=preview)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.catalogue_preview = None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        country = preview_country(request)
        if country is not None:
            request.catalogue_preview = stand_in_organisation(country)
            if not preview or request.method not in ("GET", "HEAD"):
                raise PermissionDenied(
                    _(
                        "This is a preview of the catalogue as a buyer sees it: nothing can be requested, "
                        "shortlisted or changed in it. End the preview to work as yourself."
                    )
                )
            request.buyer = None
            request.organisation = request.catalogue_preview
            return view(request, *args, **kwargs)
        buyer = buyer_of(request.user)
        if buyer is None:
            raise PermissionDenied(_("Your account does not belong to a partner organisation."))
        organisation = buyer.organisation
        if organisation.vetting_status == PartnerOrganisation.VettingStatus.SUSPENDED:
            raise PermissionDenied(_("Your organisation's access to the catalogue is suspended."))
        if not organisation.may_browse:
            raise PermissionDenied(_("Your organisation is still being vetted."))
        request.buyer = buyer
        request.organisation = organisation
        return view(request, *args, **kwargs)

    return wrapper
