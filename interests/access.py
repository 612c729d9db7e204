"""The access helpers for what an interests URL can name: a product to shortlist, an expression of interest.

Each 404s what the buyer's organisation may not see, so a guessed id or reference tells nothing.
"""

from django.shortcuts import get_object_or_404

from hubs.models import Hub
from interests.models import EndUserCertificate, ExpressionOfInterest, InterestLine
from interests.submission import cooperable_products
from products.models import Product


def shortlistable_product(request, pk: int) -> Product:
    """A product the request's organisation may browse, to add to or remove from the buyer's shortlist."""
    return get_object_or_404(Product.objects.visible_to(request.organisation), pk=pk)


def cooperable_product(request, slug: str) -> Product:
    """A product the request's organisation may see whose manufacturer is open to cooperation, by its slug,
    with its offers of cooperation; 404 for any other."""
    products = cooperable_products(request.organisation).select_related("manufacturer").with_cooperation()
    return get_object_or_404(products, slug=slug)


def interest_for_buyer(request, reference: str) -> ExpressionOfInterest:
    """One of the request's organisation's expressions of interest, by its reference; 404 for any other."""
    interests = ExpressionOfInterest.objects.of_organisation(request.organisation).select_related(
        "submitted_by"
    )
    return get_object_or_404(interests, reference=reference)


def certificate_for_buyer(request, reference: str, pk: int) -> EndUserCertificate:
    """An end-user certificate attached to one of the request's organisation's expressions of interest."""
    certificates = EndUserCertificate.objects.filter(
        interest__organisation=request.organisation, interest__reference=reference
    ).select_related("interest")
    return get_object_or_404(certificates, pk=pk)


def certificate_for_staff(user, pk: int) -> EndUserCertificate:
    """An end-user certificate of an EOI with a line at one of the user's hubs (any, for a superuser): need to
    know, as for the EOI itself in the admin; a catalogue editor or another hub's coordinator gets 404."""
    certificates = EndUserCertificate.objects.select_related("interest")
    if not user.is_superuser:
        lines_at_their_hubs = InterestLine.objects.filter(hub__in=Hub.objects.coordinated_by(user))
        certificates = certificates.filter(interest__in=lines_at_their_hubs.values("interest_id"))
    return get_object_or_404(certificates, pk=pk)
