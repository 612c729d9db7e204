from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "hubs"
    verbose_name = _("Hubs and listings")

    def ready(self):
        # What buyers see of hubs and listings is cached under the catalogue's version (products/caching.py).
        from hubs.models import Hub, Listing
        from products.caching import bump_on_change

        for model in (Hub, Listing):
            post_save.connect(
                bump_on_change, sender=model, dispatch_uid=f"catalogue-version-{model.__name__}"
            )
            post_delete.connect(
                bump_on_change, sender=model, dispatch_uid=f"catalogue-version-{model.__name__}"
            )
        # Which hubs coordinate cooperation on a product shows on hub and product pages.
        m2m_changed.connect(
            bump_on_change,
            sender=Hub.cooperation_products.through,
            dispatch_uid="catalogue-version-hub-cooperation",
        )
