"""In the admin: each person's language for emails (on the user's page), and the outbox.

The outbox holds what the site has to say to people, EOIs included, so only superusers see it. It shows
what waits to be sent, what failed and why (each attempt is logged), and lets them retry now: the worker
sends; the admin never waits on a mail server.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from mailer.models import PRIORITY_DEFERRED, PRIORITY_MEDIUM, DontSendEntry, Message, MessageLog

from accounts.models import Preference


class PreferenceInline(admin.StackedInline):
    model = Preference
    can_delete = False
    verbose_name_plural = _("language for emails")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithPreferenceAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, PreferenceInline]


class SuperusersOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


for model in (Message, MessageLog, DontSendEntry):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Message)
class OutboxAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["when_added", "recipients", "subject", "state", "retry_count"]
    list_filter = [("priority", admin.ChoicesFieldListFilter)]
    fields = ["when_added", "recipients", "subject", "state", "retry_count", "body"]
    readonly_fields = fields
    ordering = ["-when_added"]
    actions = ["retry_now"]

    @admin.display(description=pgettext_lazy("email recipients", "to"))
    def recipients(self, message):
        return ", ".join(message.to_addresses) if message.email else "—"

    @admin.display(description=_("state"))
    def state(self, message):
        return _("failed, waiting to be retried") if message.priority == PRIORITY_DEFERRED else _("waiting")

    @admin.display(description=_("text"))
    def body(self, message):
        return message.email.body if message.email else "—"

    @admin.action(description=_("Retry the selected emails now"), permissions=["view"])
    def retry_now(self, request, queryset):
        count = queryset.filter(priority=PRIORITY_DEFERRED).update(priority=PRIORITY_MEDIUM)
        self.message_user(
            request,
            ngettext(
                "%(count)d email will be sent again by the mail worker.",
                "%(count)d emails will be sent again by the mail worker.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(MessageLog)
class DeliveryLogAdmin(SuperusersOnly, admin.ModelAdmin):
    list_display = ["when_attempted", "recipients", "subject", "result", "log_message"]
    list_filter = ["result"]
    search_fields = ["message_id", "log_message"]
    ordering = ["-when_attempted"]

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was sent and what failed stays

    @admin.display(description=pgettext_lazy("email recipients", "to"))
    def recipients(self, entry):
        return ", ".join(entry.to_addresses) if entry.email else "—"

    @admin.display(description=_("subject"))
    def subject(self, entry):
        return entry.subject if entry.email else "—"
