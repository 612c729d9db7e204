"""The site's URLs plus one page behind approved_buyer_required, for testing the rule through a real session
(the catalogue's own views are another area's)."""

from django.http import HttpResponse
from django.urls import path

from hubcatalog.urls import urlpatterns as site_urlpatterns
from partners.access import approved_buyer_required


@approved_buyer_required
def buyers_only(request):
    return HttpResponse(f"Catalogue for {request.organisation.name}")


urlpatterns = [path("buyers-only/", buyers_only, name="buyers_only"), *site_urlpatterns]
