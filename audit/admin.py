"""The audit log in the admin, for superusers only and read-only, with its CSV export; and AuditedAdmin, which
records the admin's additions, changes and deletions of the objects of another ModelAdmin."""

import json

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.log import record
from audit.models import ENTRY_ACTIONS, Action, AuditEvent
from hubcatalog.spreadsheets import streamed_csv

SUMMARY_LENGTH = 160
# Events read at a time by the CSV export.
EXPORT_CHUNK_SIZE = 2000


class AuditedAdmin:
    """Records in the audit log what the admin adds, changes (forms and actions) and deletes (one object or
    the bulk action), with the request's user and address and the admin's own description of the change.

    `audit_actions` are the (added, changed, deleted) actions to record, e.g. audit.models.PRODUCT_ACTIONS.
    The add, change and delete pages call these methods inside the transaction of the change, so the record
    is kept only with it; admin actions call log_change after each object's change."""

    audit_actions = ENTRY_ACTIONS

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        record(request, self.audit_actions[0], obj=obj, **change_details(message))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        record(request, self.audit_actions[1], obj=obj, **change_details(message))
        return entry

    def log_deletions(self, request, queryset):
        # Called before the deletion, while the objects still have their primary keys.
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            record(request, self.audit_actions[2], obj=obj)
        return entries


def change_details(message) -> dict:
    """The admin's change message: a list of what was added or changed (field labels, as in the object's
    history), or an action's sentence ("Published.")."""
    if isinstance(message, list):
        return {"changes": message} if message else {}
    return {"message": str(message)} if message else {}


class ActorListFilter(admin.SimpleListFilter):
    """Staff accounts by name (there are few); any other account by following its name in a row."""

    title = _("who")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(str(pk), username) for pk, username in staff.values_list("pk", "username")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            return queryset.filter(actor_id=int(self.value()))
        except ValueError:
            raise IncorrectLookupParameters from None


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "who", "address", "object_type", "object", "summary"]
    list_filter = [
        "action",
        ("at", admin.DateFieldListFilter),
        ActorListFilter,
        ("content_type", admin.RelatedFieldListFilter),
    ]
    list_select_related = ["content_type"]
    date_hierarchy = "at"
    search_fields = ["actor_name", "object_repr", "address", "details__username"]
    search_help_text = _("Search by username (also one tried at a failed login), object or address.")
    list_per_page = 100
    # The unfiltered total beside the filtered one would count the whole log on every page.
    show_full_result_count = False
    actions = None
    fields = [
        "at",
        "action",
        "actor",
        "actor_name",
        "address",
        "content_type",
        "object_id",
        "object_repr",
        "details",
    ]

    # Superusers read the log; nobody, superusers included, writes to it here.

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("who"), ordering="actor_name")
    def who(self, event):
        if event.actor_id is None:
            return event.actor_name or self.get_empty_value_display()
        return format_html(
            '<a href="?{}={}" title="{}">{}</a>',
            ActorListFilter.parameter_name,
            event.actor_id,
            gettext("Only this person's events"),
            event.actor_name,
        )

    @admin.display(description=_("object type"))
    def object_type(self, event):
        if event.content_type is None:
            return self.get_empty_value_display()
        return event.content_type.name

    @admin.display(description=_("object"), ordering="object_repr")
    def object(self, event):
        return event.object_repr or self.get_empty_value_display()

    @admin.display(description=_("details"))
    def summary(self, event):
        return Truncator(describe(event)).chars(SUMMARY_LENGTH)

    # The CSV export of the filtered list.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)),
            *super().get_urls(),
        ]

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:audit_auditevent_changelist") + "?e=1")
        export = record(
            request,
            Action.EXPORT,
            obj=AuditEvent,
            filters=request.GET.urlencode(),
            events=changelist.result_count,
        )
        # The log as it stood when the export began: not this export's own record, nor any written since.
        events = changelist.queryset.filter(pk__lt=export.pk)
        return streamed_csv(csv_rows(events), f"audit-log-{timezone.localdate().isoformat()}.csv")


def csv_rows(events):
    """The header and a row per event. The labels are translated now, in the request's language: the rows
    are written after the view returned, as the download is read."""
    action_labels = {value: str(label) for value, label in Action.choices}
    header = [
        gettext("when"),
        gettext("action"),
        gettext("what"),
        gettext("user id"),
        gettext("username"),
        gettext("from address"),
        gettext("object type"),
        gettext("object id"),
        gettext("object"),
        gettext("details"),
    ]

    def rows():
        yield header
        for event in events.iterator(chunk_size=EXPORT_CHUNK_SIZE):
            content_type = event.content_type
            yield [
                timezone.localtime(event.at).isoformat(),
                event.action,
                action_labels.get(event.action, event.action),
                event.actor_id or "",
                event.actor_name,
                event.address or "",
                f"{content_type.app_label}.{content_type.model}" if content_type else "",
                event.object_id,
                event.object_repr,
                json.dumps(event.details, ensure_ascii=False, sort_keys=True),
            ]

    return rows()


def describe(event) -> str:
    """One line for the list: the admin's change message as the object's history shows it, an EOI's step,
    or the details as `key: value`."""
    details = event.details or {}
    if "changes" in details:
        return LogEntry(change_message=json.dumps(details["changes"])).get_change_message()
    if event.action == Action.EOI_STEP:
        return f"{details.get('from_status') or '—'} → {details.get('to_status', '')}"
    return "; ".join(f"{key}: {value}" for key, value in details.items())
