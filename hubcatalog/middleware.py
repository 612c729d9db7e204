from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers


def security_headers(get_response):
    """The site's own security headers, on every response, static files included.

    Content-Security-Policy: scripts, styles and everything else from this site only, no inline script, no
    style attribute, no framing. Permissions-Policy: no camera, microphone, location, payment and the like.

    A response to a signed-in person may show what only they may see (their organisation's catalogue, their
    expressions of interest, admin): `Cache-Control: private, no-store` keeps it out of shared caches and off
    the disk of the browser, and the back button after signing out. This middleware sits outside whitenoise,
    so that static files get the headers too; whitenoise answers them before the session is read, so they
    never have a request.user and keep their long public cache. Nothing answered before the authentication
    middleware knows who asked, so nothing personal can be in it.
    """

    def middleware(request):
        response = get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ("Cookie",))
        return response

    return middleware
