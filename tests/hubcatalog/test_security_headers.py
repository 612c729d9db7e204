"""Every response carries the site's security headers: pages, redirects, errors, admin and static files.

What a signed-in person is shown is theirs alone: it is never stored by a shared cache or the browser. Static
files are the same for everyone and keep their public cache. Behind the TLS proxy, plain HTTP is redirected
and browsers are told to use HTTPS only.
"""

import pytest
from django.test import Client
from django.urls import path

from hubcatalog import urls as site_urls
from tests.hubcatalog.test_settings import run_python


def fail(request):
    raise RuntimeError("a bug")


# The site's pages plus one that fails, to see the headers on a 500 (pytest.mark.urls(__name__)).
urlpatterns = [path("fails/", fail), *site_urls.urlpatterns]
handler500 = site_urls.handler500

# (path, status) for an anonymous visitor and for a signed-in buyer alike.
KINDS_OF_RESPONSE = [
    pytest.param("/", 200, id="page"),
    pytest.param("/catalogue", 301, id="redirect"),
    pytest.param("/no-such-page/", 404, id="not-found"),
    pytest.param("/fails/", 500, id="server-error"),
]


@pytest.fixture
def visitor():
    """A client that gets the 500 page as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


def assert_site_headers(response):
    policy = response["Content-Security-Policy"]
    directives = dict(directive.strip().split(" ", 1) for directive in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/admin/login/", "/healthz"])
def test_it_sends_a_strict_content_security_policy(client, path):
    assert_site_headers(client.get(path))


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("path", "status"), KINDS_OF_RESPONSE)
def test_every_kind_of_response_to_an_anonymous_visitor_carries_the_headers_and_may_be_cached(
    visitor, path, status
):
    response = visitor.get(path)
    assert response.status_code == status
    assert_site_headers(response)
    assert not {"private", "no-store"} & cache_control(response)


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("path", "status"), KINDS_OF_RESPONSE)
def test_every_kind_of_response_to_a_signed_in_buyer_is_private_and_never_stored(
    visitor, buyer_a, path, status
):
    visitor.force_login(buyer_a.user)
    response = visitor.get(path)
    assert response.status_code == status
    assert_site_headers(response)
    assert {"private", "no-store"} <= cache_control(response)
    assert "Cookie" in response["Vary"]


def test_a_file_download_to_a_signed_in_buyer_is_private_too(client, buyer_a):
    client.force_login(buyer_a.user)
    response = client.get("/catalogue/documents/999999/")
    assert {"private", "no-store"} <= cache_control(response)


def test_admin_pages_are_private_and_carry_the_headers(client, superuser, settings):
    settings.STAFF_TWO_FACTOR = False
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_site_headers(response)
    assert {"private", "no-store"} <= cache_control(response)


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_static_files_carry_the_headers_and_stay_publicly_cacheable(client, settings, buyer_a, signed_in):
    # whitenoise serves straight from static/, as no collectstatic has run in the tests.
    settings.WHITENOISE_USE_FINDERS = True
    if signed_in:
        client.force_login(buyer_a.user)
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert_site_headers(response)
    directives = cache_control(response)
    assert "public" in directives
    assert any(directive.startswith("max-age=") and directive != "max-age=0" for directive in directives)
    assert not {"private", "no-store", "no-cache"} & directives


BEHIND_THE_PROXY = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
client = Client()
for path, proto in [("/no-such-page/", "http"), ("/healthz", "https"), ("/healthz", "http")]:
    response = client.get(path, headers={"X-Forwarded-Proto": proto})
    hsts = response.get("Strict-Transport-Security", "-")
    no_camera = "camera=()" in response.get("Permissions-Policy", "")
    print(path, proto, response.status_code, response.get("Location", "-"), hsts, no_camera, sep="|")
"""


def test_behind_the_tls_proxy_http_is_redirected_and_https_is_strict(tmp_path):
    """In a process of its own, as production starts: the proxy's settings are read once, at start-up."""
    result = run_python(
        BEHIND_THE_PROXY,
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_BEHIND_TLS_PROXY="1",
        HUBCATALOG_SITE_URL="https://testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'proxy.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines == [
        # Plain HTTP is sent to HTTPS, for good (and with the site's headers).
        "/no-such-page/|http|301|https://testserver/no-such-page/|-|True",
        # HTTPS: browsers are told to use nothing else for a year, subdomains included, no preload.
        "/healthz|https|200|-|max-age=31536000; includeSubDomains|True",
        # The load balancer's health check still comes over plain HTTP.
        "/healthz|http|200|-|-|True",
    ]
