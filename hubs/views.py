"""Hub pages for buyers: the map and list of the export hubs, and each hub's contact details and listings.

Need to know: a buyer sees, and counts, only what Listing.objects.visible_to(organisation) gives them
(published products at active hubs, offered to their organisation's country). The pages hold nothing of the
buyer's own, so they are cached whole for every buyer of the same country (products/caching.py).
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from hubs import map as europe_map
from hubs.models import Hub, Listing
from partners.access import approved_buyer_required
from products.caching import cached

LISTINGS_PER_PAGE = 25


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
@approved_buyer_required(preview=True)
def hub_list(request):
    """The active hubs on a map and in a list, each with the number of listings the buyer may see there."""
    country = request.organisation.country.code
    content = cached(request, ("hubs", country, get_language()), lambda: hub_list_content(request))
    return render(request, "hubs/hub_list.html", {"content": content})


def hub_list_content(request) -> str:
    """The hubs list as every buyer of the organisation's country sees it, rendered (cached by the view)."""
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
    context = {"hubs": hubs, **_map_context(markers_for(hubs))}
    return render_to_string("hubs/includes/hub_list_content.html", context, request)


@require_GET
@approved_buyer_required(preview=True)
def hub_detail(request, slug):
    """A hub's contact details and, a page at a time, the listings there that the buyer may see."""
    country = request.organisation.country.code
    parts = ("hub", slug, country, get_language(), request.GET.get("page", "")[:20])
    hub_name, content = cached(request, parts, lambda: hub_detail_content(request, slug))
    return render(request, "hubs/hub_detail.html", {"hub_name": hub_name, "content": content})


def hub_detail_content(request, slug) -> tuple[str, str]:
    """A hub's page as every buyer of the organisation's country sees it, rendered (cached by the view):
    its name and its content. 404 for an unknown or inactive hub."""
    hub = hub_for_buyer(request, slug)
    listings = (
        Listing.objects.visible_to(request.organisation)
        .filter(hub=hub)
        .select_related("product", "product__manufacturer")
        .order_by("product__name", "pk")
    )
    paginator = Paginator(listings, LISTINGS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "hub": hub,
        "listings": page.object_list,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        **_map_context(markers_for([hub])),
    }
    return hub.name, render_to_string("hubs/includes/hub_detail_content.html", context, request)
