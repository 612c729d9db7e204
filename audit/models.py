"""The audit log: who did what, when, to which object and from which address.

A record is never changed or deleted once written: the model and its QuerySet refuse it, the admin offers no
way to, and a database trigger refuses it too (audit/migrations/0002_audit_log_append_only.py), so that
neither a bug nor someone with a database shell and the site's credentials quietly rewrites the record.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditLogIsAppendOnly(PermissionDenied):
    """Raised on any attempt to change or delete a record; the admin answers it with 403, not 500."""


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logged out")
    ACCESS_APPROVED = "access_approved", _("Access request approved")
    ACCESS_REJECTED = "access_rejected", _("Access request rejected")
    ORGANISATION_APPROVED = "organisation_approved", _("Organisation approved")
    ORGANISATION_SUSPENDED = "organisation_suspended", _("Organisation suspended")
    ORGANISATION_REINSTATED = "organisation_reinstated", _("Organisation reinstated")
    PRODUCT_ADDED = "product_added", _("Product added")
    PRODUCT_CHANGED = "product_changed", _("Product changed")
    PRODUCT_DELETED = "product_deleted", _("Product deleted")
    LISTING_ADDED = "listing_added", _("Listing added")
    LISTING_CHANGED = "listing_changed", _("Listing changed")
    LISTING_DELETED = "listing_deleted", _("Listing deleted")
    # Categories, specification attributes, manufacturers, hubs, the embargo list: the object type says which.
    ENTRY_ADDED = "entry_added", _("Other entry added")
    ENTRY_CHANGED = "entry_changed", _("Other entry changed")
    ENTRY_DELETED = "entry_deleted", _("Other entry deleted")
    DOCUMENT_DOWNLOADED = "document_downloaded", _("Document downloaded")
    EXPORT = "export", pgettext_lazy("audit action: data written to a file", "Export")
    EOI_STEP = "eoi_step", _("Expression of interest step")


# What the admin's add, change and delete of one kind of object record (audit.admin.AuditedAdmin).
PRODUCT_ACTIONS = (Action.PRODUCT_ADDED, Action.PRODUCT_CHANGED, Action.PRODUCT_DELETED)
LISTING_ACTIONS = (Action.LISTING_ADDED, Action.LISTING_CHANGED, Action.LISTING_DELETED)
ENTRY_ACTIONS = (Action.ENTRY_ADDED, Action.ENTRY_CHANGED, Action.ENTRY_DELETED)


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly(_("The audit log cannot be changed."))

    def delete(self):
        raise AuditLogIsAppendOnly(_("The audit log cannot be deleted from."))


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # PROTECT: an account that appears in the log can be deactivated, not deleted (deleting it would have
    # to change or delete its records).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # audit_actor_at serves it
    )
    # The username as it was then: the record reads the same after the account is renamed.
    actor_name = models.CharField(_("username"), max_length=254, blank=True)
    address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    action = models.CharField(_("what"), max_length=32, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # audit_object serves it
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        # Nobody may be given the right to add, change or delete a record: the permissions do not exist.
        default_permissions = ["view"]
        indexes = [
            models.Index(fields=["action", "-at"], name="audit_action_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_repr or self.actor_name or '—'}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditLogIsAppendOnly(_("The audit log cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly(_("The audit log cannot be deleted from."))
