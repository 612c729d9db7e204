from django.conf import settings


def content_security_policy(get_response):
    """Send the site's Content-Security-Policy: scripts, styles and everything else from this site only,
    no inline script, no style attribute, no framing."""

    def middleware(request):
        response = get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response

    return middleware
