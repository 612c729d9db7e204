"""The access helpers for what a catalogue URL can name: a product by its slug, a document by its id.

Each 404s what the buyer's organisation may not see, so a guessed slug or id tells nothing, and fetches
what its page needs. Views call these instead of looking objects up themselves.
"""

from django.shortcuts import get_object_or_404

from products.models import Product, ProductDocument


def product_for_buyer(request, slug: str) -> Product:
    """A product the request's organisation may browse, with what its page shows beside it."""
    products = Product.objects.visible_to(request.organisation).select_related(
        "manufacturer", "category__parent__parent"
    )
    return get_object_or_404(products, slug=slug)


def document_for_buyer(request, pk: int) -> ProductDocument:
    """A document the request's organisation may download: of a product it may browse, and, unless meant for
    every partner, with a listing offered to its country (ProductDocument.objects.visible_to)."""
    documents = ProductDocument.objects.visible_to(request.organisation).select_related("product")
    return get_object_or_404(documents, pk=pk)
