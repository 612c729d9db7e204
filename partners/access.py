"""The one rule of access: who may see the catalogue, asked on every request.

A buyer may browse while their organisation is approved. The organisation is read from the database on each
request, so a suspension takes effect at once, in the middle of a session.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from partners.models import Buyer, PartnerOrganisation


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


def approved_buyer_required(view):
    """Let only buyers of approved organisations through; sets request.buyer and request.organisation.

    Anonymous visitors are sent to the login page; a logged-in user without an approved organisation gets
    403 with the reason (pending vetting, suspended, no organisation).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
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
