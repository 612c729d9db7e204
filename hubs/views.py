"""Hub pages for buyers: the map and list of the export hubs, and each hub's contact details and listings.

Need to know: a buyer sees, and counts, only what Listing.objects.visible_to(organisation) gives them
(published products at active hubs, offered to their organisation's country).
"""

from dataclasses import dataclass

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from hubs import map as europe_map
from hubs.models import Hub, Listing
from partners.access import approved_buyer_required


@dataclass
class HubMarker:
    """A hub's dot and label on the map, in the outline's SVG units."""

    hub: Hub
    x: float
    y: float
    label: europe_map.Label


def markers_for(hubs: list[Hub]) -> list[HubMarker]:
    """The hubs' places on the map, with labels that keep clear of each other; hubs outside the frame have
    no marker (the list still names them)."""
    frame = europe_map.frame()
    placed = []
    for hub in hubs:
        x, y = europe_map.project(hub.latitude, hub.longitude)
        if frame.contains(x, y):
            placed.append((hub, x, y))
    labels = europe_map.place_labels([(x, y, hub.city) for hub, x, y in placed], frame.width, frame.height)
    return [HubMarker(hub, x, y, label) for (hub, x, y), label in zip(placed, labels, strict=True)]


def hub_for_buyer(request, slug: str) -> Hub:
    """An active hub, by its slug; 404 for an unknown or inactive one."""
    return get_object_or_404(Hub.objects.active(), slug=slug)


def _map_context(markers: list[HubMarker]) -> dict:
    frame = europe_map.frame()
    return {"markers": markers, "map_width": frame.width, "map_height": frame.height}


@require_GET
@approved_buyer_required
def hub_list(request):
    """The active hubs on a map and in a list, each with the number of listings the buyer may see there."""
    hubs = list(Hub.objects.active().order_by("name"))
    # One grouped query for every hub's count, whatever the number of hubs or listings.
    counts = dict(
        Listing.objects.visible_to(request.organisation)
        .order_by()
        .values("hub_id")
        .annotate(listings=Count("pk"))
        .values_list("hub_id", "listings")
    )
    for hub in hubs:
        hub.visible_listings = counts.get(hub.pk, 0)
    return render(request, "hubs/hub_list.html", {"hubs": hubs, **_map_context(markers_for(hubs))})


@require_GET
@approved_buyer_required
def hub_detail(request, slug):
    """A hub's contact details and the listings there that the buyer's organisation may see."""
    hub = hub_for_buyer(request, slug)
    listings = (
        Listing.objects.visible_to(request.organisation)
        .filter(hub=hub)
        .select_related("product", "product__manufacturer")
        .order_by("product__name")
    )
    context = {"hub": hub, "listings": listings, **_map_context(markers_for([hub]))}
    return render(request, "hubs/hub_detail.html", context)
