from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class InterestsConfig(AppConfig):
    name = "interests"
    verbose_name = _("Expressions of interest")

    def ready(self):
        # An embargo saved or lifted changes what buyers of its country see at once (hubs.models
        # not_embargoed): the catalogue's cached pages are filed under a new version, and the forms' marks
        # are read afresh.
        from interests.embargoes import forget_blocking_scopes
        from interests.models import Embargo
        from products.caching import bump_on_change

        receivers = [(bump_on_change, "catalogue-version"), (forget_blocking_scopes, "embargo-marks")]
        for receiver, uid in receivers:
            post_save.connect(receiver, sender=Embargo, dispatch_uid=f"{uid}-Embargo")
            post_delete.connect(receiver, sender=Embargo, dispatch_uid=f"{uid}-Embargo")
