from django.utils.functional import SimpleLazyObject

from partners.access import buyer_of


def buyer(request):
    """`buyer`: the logged-in user's buyer profile or None, read only if a template asks for it."""

    def load():
        return getattr(request, "buyer", None) or buyer_of(request.user)

    return {"buyer": SimpleLazyObject(load)}
