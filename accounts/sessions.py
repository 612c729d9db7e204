"""How long a signed-in session lasts, and when it ends early.

A session ends after HUBCATALOG_SESSION_IDLE_MINUTES without a request, HUBCATALOG_SESSION_MAX_HOURS after
logging in whatever the activity, and at once when the buyer's organisation is suspended. The person is then
logged out and sent to log in again with a message saying why.

The login time and the last request's time are kept in the session. The last-seen time is written at most
once a minute (LAST_SEEN_RESOLUTION_SECONDS): a session write is a database write, and one per page would be
one per page for every signed-in person. The idle limit is therefore exact to within that minute.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _

from partners.access import buyer_of

LOGGED_IN_AT = "hubcatalog_logged_in_at"
LAST_SEEN_AT = "hubcatalog_last_seen_at"
LAST_SEEN_RESOLUTION_SECONDS = 60


def now() -> int:
    return int(time.time())


@receiver(user_logged_in, dispatch_uid="accounts.sessions.stamp_login")
def stamp_login(sender, request, user, **kwargs):
    """Every way of logging in (the site's form, admin's, a test client's force_login) goes through
    django.contrib.auth.login(), which gives the session a new key and sends this signal."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT] = request.session[LAST_SEEN_AT] = now()


def reason_to_end(request) -> str | None:
    """Why the signed-in person's session must end now, or None. Costs no query: the buyer and their
    organisation were read with the user (partners.backends)."""
    session = request.session
    logged_in_at = session.get(LOGGED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    moment = now()
    # A session without the stamps was made before they existed: it has no known age, so it ends too.
    if (
        not isinstance(logged_in_at, int)
        or not isinstance(last_seen_at, int)
        or moment - logged_in_at > settings.SESSION_MAX_HOURS * 3600
        or moment - last_seen_at > settings.SESSION_IDLE_MINUTES * 60
    ):
        return _("Your session has ended; please log in again.")
    buyer = buyer_of(request.user)
    if buyer is not None and buyer.organisation.is_suspended:
        return _("Your organisation's access to the catalogue is suspended, so you have been logged out.")
    if moment - last_seen_at >= LAST_SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN_AT] = moment
    return None


def session_limits(get_response):
    """Log out a signed-in person whose session has ended (reason_to_end) and send them to log in again.

    Staff on admin pages are sent to admin's login page, everyone else to the site's. A request for a login
    page itself goes on, as an anonymous visitor's, so that a form posted there after the session ended still
    logs in."""

    def middleware(request):
        if request.user.is_authenticated:
            reason = reason_to_end(request)
            if reason is not None:
                site_login, admin_login = resolve_url(settings.LOGIN_URL), reverse("admin:login")
                staff_in_admin = request.user.is_staff and request.path.startswith(reverse("admin:index"))
                logout(request)
                messages.warning(request, reason)
                if request.path not in (site_login, admin_login):
                    login_url = admin_login if staff_in_admin else site_login
                    return redirect_to_login(request.get_full_path(), login_url)
        return get_response(request)

    return middleware
