"""The access helpers for what an interests URL can name: a product to shortlist, an expression of interest.

Each 404s what the buyer's organisation may not see, so a guessed id or reference tells nothing.
"""

from django.shortcuts import get_object_or_404

from interests.models import ExpressionOfInterest
from products.models import Product


def shortlistable_product(request, pk: int) -> Product:
    """A product the request's organisation may browse, to add to or remove from the buyer's shortlist."""
    return get_object_or_404(Product.objects.visible_to(request.organisation), pk=pk)


def interest_for_buyer(request, reference: str) -> ExpressionOfInterest:
    """One of the request's organisation's expressions of interest, by its reference; 404 for any other."""
    interests = ExpressionOfInterest.objects.filter(organisation=request.organisation).select_related(
        "submitted_by"
    )
    return get_object_or_404(interests, reference=reference)
