"""What the header of every page shows besides the links: how many products the buyer shortlisted and marked
for comparison ("Shortlist (3)", "Compare (2)")."""

from functools import cached_property

from interests.models import ShortlistItem
from partners.access import buyer_of
from products.compare import compared_ids
from products.models import Product


class HeaderCounts:
    """Read when the header asks, at most once per page: the comparison from the session (no query), the
    shortlist in one count, counted as the shortlist page lists it; None for whoever has no shortlist
    (visitors, staff, buyers of an organisation that may not browse)."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def compared(self) -> int:
        # A page rendered outside the middleware (a 404 for a request that never got a session) has none.
        if not self.request.user.is_authenticated or not hasattr(self.request, "session"):
            return 0
        return len(compared_ids(self.request))

    @cached_property
    def shortlisted(self) -> int | None:
        user = self.request.user
        if not user.is_authenticated or user.is_staff:
            return None
        buyer = getattr(self.request, "buyer", None) or buyer_of(user)
        if buyer is None or not buyer.organisation.may_browse:
            return None
        visible = Product.objects.visible_to(buyer.organisation)
        return ShortlistItem.objects.filter(user=user, product__in=visible).count()


def header_counts(request):
    return {"header_counts": HeaderCounts(request)}
