import warnings

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Catalogue")

    def ready(self):
        # Pillow's own guard against decompression bombs, at our limit, and as an error rather than a
        # warning wherever an image is opened in this process.
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
        warnings.simplefilter("error", Image.DecompressionBombWarning)

        # What buyers see of the catalogue is cached under a version that every change of it bumps.
        from products import models
        from products.caching import bump_on_change

        for model in (
            models.Category,
            models.SpecAttribute,
            models.Manufacturer,
            models.Product,
            models.SpecValue,
            models.ProductImage,
            models.ProductDocument,
            models.ProductCooperation,
        ):
            post_save.connect(
                bump_on_change, sender=model, dispatch_uid=f"catalogue-version-{model.__name__}"
            )
            post_delete.connect(
                bump_on_change, sender=model, dispatch_uid=f"catalogue-version-{model.__name__}"
            )
