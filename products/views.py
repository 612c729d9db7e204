"""The partner-facing catalogue: browse and search, suggestions as one types, product pages, documents.

Every view is for approved buyers only, and shows listings (quantities, terms) only through
Listing.objects.visible_to(request.organisation).
"""

from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Exists, Min, OuterRef
from django.http import FileResponse, Http404, JsonResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import log as audit
from audit.models import Action
from hubcatalog.formatting import format_money
from hubcatalog.ratelimit import rate_limit
from hubs.models import Listing, open_for_interest_condition
from partners.access import approved_buyer_required
from products import compare
from products.access import document_for_buyer, product_for_buyer
from products.caching import cached, cached_each
from products.facets import CatalogueFacets
from products.filters import SEARCH_MAX_LENGTH, ProductFilter
from products.models import Product, ProductDocument
from products.search import SUGGEST_MIN_LENGTH, suggest_products

PAGE_SIZES = (12, 24)
SUGGEST_LIMIT = 8
RELATED_PRODUCTS = 4
KEY_SPECIFICATIONS = 3


def page_size(request, notices: list[str]) -> int:
    raw = request.GET.get("per_page")
    if raw in (None, ""):
        return PAGE_SIZES[0]
    for size in PAGE_SIZES:
        if raw == str(size):
            return size
    notices.append(_("Products per page can be 12 or 24; showing 12."))
    return PAGE_SIZES[0]


class CountedPaginator(Paginator):
    """A paginator told its number of items (counted with the facets), so that it does not count again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


def page_of(request, queryset, per_page: int, notices: list[str], *, count: int | None = None):
    """The asked page, or the nearest one that exists, saying so."""
    paginator = (
        Paginator(queryset, per_page) if count is None else CountedPaginator(queryset, per_page, count=count)
    )
    raw = request.GET.get("page", "")
    try:
        return paginator.page(raw or 1)
    except PageNotAnInteger:
        notices.append(_("“%(page)s” is not a page number; showing the first page.") % {"page": raw[:20]})
        return paginator.page(1)
    except EmptyPage:
        if int(raw) < 1:
            notices.append(_("Pages start at 1; showing the first page."))
            return paginator.page(1)
        notices.append(
            _("There is no page %(page)s; showing the last page, %(last)s.")
            % {"page": raw[:20], "last": paginator.num_pages}
        )
        return paginator.page(paginator.num_pages)


@dataclass(frozen=True)
class ProductRef:
    """What the buyer's own controls for a product (compare, shortlist) need of it. `requestable`: a listing
    offered to the buyer's country is open to expressions of interest, so the product may be shortlisted."""

    pk: int
    name: str
    requestable: bool


@dataclass(frozen=True)
class ProductCard(ProductRef):
    """A catalogue card as cached: its rendered content, and what the buyer's own controls under it need."""

    body: str


def card_context(product) -> dict:
    """What a card shows beyond the product's own fields: its key specifications (the first filterable
    ones, prefetched by for_catalogue()) and its lowest indicative price (from with_listing_facts())."""
    return {
        "product": product,
        "key_specs": product.key_spec_values[:KEY_SPECIFICATIONS],
        "price": format_money(product.lowest_price),
    }


def with_listing_facts(products, visible_listings) -> list[Product]:
    """The products of a page, as a list, each with what its card says of the listings the buyer may see:
    `is_requestable` (one of them is open to expressions of interest) and `lowest_price` (their lowest
    indicative unit price, None when none has one). One query for the page's products: as subqueries of the
    page's own statement, PostgreSQL first read every open listing of the catalogue (a hashed subplan),
    however few cards the page shows."""
    products = list(products)
    facts = {
        row["product_id"]: row
        for row in visible_listings.filter(product_id__in=[product.pk for product in products])
        .order_by()
        .values("product_id")
        .annotate(
            lowest_price=Min("unit_price_eur"),
            open_listings=Count("pk", filter=open_for_interest_condition()),
        )
    }
    for product in products:
        row = facts.get(product.pk, {})
        product.lowest_price = row.get("lowest_price")
        product.is_requestable = bool(row.get("open_listings"))
    return products


def product_cards(request, products) -> list[ProductCard]:
    """The products' cards; their content is cached per product for every page that shows it. The products
    come from with_listing_facts()."""
    products = list(products)
    by_pk = {product.pk: product for product in products}
    country, language = request.organisation.country.code, get_language()
    bodies = cached_each(
        request,
        {product.pk: ("card", product.pk, country, language) for product in products},
        lambda missing: {
            pk: render_to_string("products/includes/product_card_body.html", card_context(by_pk[pk]), request)
            for pk in missing
        },
    )
    return [
        ProductCard(product.pk, product.name, product.is_requestable, bodies[product.pk])
        for product in products
    ]


def canonical_query(query: QueryDict) -> str:
    """The query string with its parameters in one order and empty ones left out: one cache entry for the
    ways of writing the same request."""
    return urlencode(sorted((key, value) for key, values in query.lists() for value in values if value != ""))


@require_GET
@approved_buyer_required(preview=True)
def catalogue(request):
    country = request.organisation.country.code
    parts = ("catalogue", country, get_language(), canonical_query(request.GET))
    context = cached(request, parts, lambda: catalogue_content(request))
    return render(
        request, "products/catalogue.html", {**context, "compared_ids": compare.compared_ids(request)}
    )


def catalogue_content(request) -> dict:
    """A catalogue page but the buyer's own controls, rendered: the same for every buyer of the organisation's
    country, so the view caches it (products/caching.py). Queries: the filters' validation, the facet counts
    with the number of results (one statement), the page of products with their images."""
    organisation = request.organisation
    product_filter = ProductFilter(
        request.GET,
        queryset=Product.objects.visible_to(organisation).for_catalogue(),
        organisation=organisation,
    )
    facets = CatalogueFacets(product_filter)
    notices = []
    per_page = page_size(request, notices)
    visible_listings = Listing.objects.visible_to(organisation)
    page = page_of(request, product_filter.qs, per_page, notices, count=facets.total)
    page.object_list = with_listing_facts(page.object_list, visible_listings)
    context = {
        "form": product_filter.form,
        "categories": product_filter.values.get("category") or [],
        "spec_category": product_filter.spec_category,
        "correction": facets.correction(),
        "page_obj": page,
        "products": page.object_list,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "errors": product_filter.error_messages(),
        "notices": notices,
        "facets": facets.facets(),
        "spec_groups": product_filter.spec_groups(),
        "chips": facets.chips(),
        "sort_options": facets.sort_options(),
        "sort_value": product_filter.values.get("sort") or "",
    }
    return {
        "search_query": product_filter.search_query,
        "search_html": render_to_string("products/includes/catalogue_search.html", context, request),
        "filters_html": render_to_string("products/includes/catalogue_filters.html", context, request),
        "results_header_html": render_to_string(
            "products/includes/catalogue_results_header.html", context, request
        ),
        "cards": product_cards(request, page.object_list),
        "pagination_html": render_to_string("products/includes/pagination.html", context, request),
    }


def no_suggestions(request, seconds: int):
    """Over the rate limit: no suggestions, which the search box shows as none; searching still works."""
    response = JsonResponse({"results": []}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_GET
@approved_buyer_required(preview=True)
@rate_limit("search_suggestions", methods=("GET",), refused=no_suggestions)
def suggest(request):
    """A few products the buyer may see that match what they are typing, as JSON for the search box."""
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    found = []
    if len(query) >= SUGGEST_MIN_LENGTH:
        visible = Product.objects.visible_to(request.organisation)
        found = suggest_products(visible, query, SUGGEST_LIMIT)
    results = [
        {"name": item["name"], "slug": item["slug"], "url": reverse("product_detail", args=[item["slug"]])}
        for item in found
    ]
    return JsonResponse({"results": results})


@require_GET
@approved_buyer_required(preview=True)
def product_detail(request, slug):
    country = request.organisation.country.code
    context = cached(
        request, ("product", slug, country, get_language()), lambda: product_content(request, slug)
    )
    return render(
        request, "products/product_detail.html", {**context, "compared_ids": compare.compared_ids(request)}
    )


def product_content(request, slug) -> dict:
    """A product's page but the buyer's own controls, rendered: the same for every buyer of the
    organisation's country, so the view caches it. 404 for a product the organisation may not see."""
    organisation = request.organisation
    product = product_for_buyer(request, slug)
    visible_listings = Listing.objects.visible_to(organisation)
    requestable = visible_listings.open_for_interest()
    values = {value.attribute_id: value for value in product.spec_values.select_related("attribute")}
    specifications = [
        values[attribute.pk] for attribute in product.category.spec_attributes() if attribute.pk in values
    ]
    related = with_listing_facts(
        Product.objects.visible_to(organisation)
        .filter(category=product.category)
        .exclude(pk=product.pk)
        .for_catalogue()
        .with_listing_summary(visible_listings)
        .order_by("name")[:RELATED_PRODUCTS],
        visible_listings,
    )
    context = {
        "product": product,
        "categories": [*reversed(product.category.ancestors()), product.category],
        "images": list(product.images.all()),
        "specifications": specifications,
        # Each listing says whether it is open to expressions of interest, in the same query.
        "listings": list(
            visible_listings.filter(product=product)
            .select_related("hub")
            .annotate(is_open_for_interest=Exists(requestable.filter(pk=OuterRef("pk"))))
        ),
        "documents": list(ProductDocument.objects.visible_to(organisation).filter(product=product)),
        "related_products": list(related),
    }
    return {
        "product": ProductRef(
            product.pk,
            product.name,
            requestable=any(listing.is_open_for_interest for listing in context["listings"]),
        ),
        "category_name": product.category.name,
        "breadcrumb_html": render_to_string("products/includes/product_breadcrumb.html", context, request),
        "gallery_html": render_to_string("products/includes/product_gallery.html", context, request),
        "overview_html": render_to_string("products/includes/product_overview.html", context, request),
        "sections_html": render_to_string("products/includes/product_sections.html", context, request),
        "related": product_cards(request, context["related_products"]),
    }


@require_GET
@approved_buyer_required(preview=True)
def document_download(request, pk):
    """Stream a document from the private storage, after checking that the buyer may see its product."""
    document = document_for_buyer(request, pk)
    try:
        file = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This document is not available at the moment.")) from None
    audit.record(
        request,
        Action.DOCUMENT_DOWNLOADED,
        obj=document,
        product=document.product.name,
        organisation=request.organisation.name,
    )
    filename = f"{slugify(document.title) or 'document'}.pdf"
    response = FileResponse(file, as_attachment=True, filename=filename, content_type="application/pdf")
    patch_cache_control(response, private=True)
    return response
