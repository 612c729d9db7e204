"""The admin where staff vet partners: access requests and their decision, organisations, buyers.

Deciding takes the permission "Can approve or reject access requests" (superusers and the "Partner vetting"
group have it); approving or suspending an organisation takes "Can approve or suspend partner organisations".
Every decision goes through partners.onboarding or the models' methods, as views and commands would.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from accounts.email import site_url
from audit import log as audit
from audit.models import Action
from partners.forms import DecisionActionForm
from partners.models import AccessRequest, Buyer, PartnerOrganisation
from partners.onboarding import approve_access_request, reject_access_request, send_login_link

Vetting = PartnerOrganisation.VettingStatus
# What the audit log calls a change of vetting status, by (from, to).
VETTING_ACTIONS = {
    (Vetting.PENDING, Vetting.APPROVED): Action.ORGANISATION_APPROVED,
    (Vetting.SUSPENDED, Vetting.APPROVED): Action.ORGANISATION_REINSTATED,
    (Vetting.PENDING, Vetting.SUSPENDED): Action.ORGANISATION_SUSPENDED,
    (Vetting.APPROVED, Vetting.SUSPENDED): Action.ORGANISATION_SUSPENDED,
}


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["full_name", "status", "organisation_name", "country", "work_email", "created_at"]
    list_filter = ["status", "organisation_kind", ("country", CountryFilter)]
    search_fields = ["full_name", "work_email", "organisation_name"]
    search_help_text = _("Search by name, email or organisation.")
    actions = ["approve_requests", "reject_requests"]
    action_form = DecisionActionForm
    autocomplete_fields = ["organisation"]
    request_fields = [
        "full_name",
        "work_email",
        "job_title",
        "organisation_name",
        "organisation_kind",
        "country",
        "reason",
        "language",
        "created_at",
    ]
    readonly_fields = [*request_fields, "status", "organisation_on_file", "decided_by", "decided_at", "buyer"]
    fieldsets = [
        (_("Request"), {"fields": request_fields}),
        (
            _("Decision"),
            {
                "fields": [
                    "status",
                    "organisation_on_file",
                    "organisation",
                    "decision_note",
                    "decided_by",
                    "decided_at",
                    "buyer",
                ],
                "description": _(
                    "Approving reuses the organisation on file with the same name and country, or the one "
                    "chosen below; without either it creates the organisation, approved. The applicant then "
                    "receives an email with a link to choose a password."
                ),
            },
        ),
    ]

    def has_add_permission(self, request):
        # Requests come from the public form, in the applicant's own words.
        return False

    def has_change_permission(self, request, obj=None):
        # A decided request is a record: it can be read, not rewritten.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_pending)

    def has_decide_permission(self, request):
        return request.user.has_perm("partners.decide_accessrequest")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_decide_permission": self.has_decide_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("organisation on file"))
    def organisation_on_file(self, access_request):
        organisation = access_request.organisation or (
            PartnerOrganisation.objects.named(
                access_request.organisation_name, access_request.country
            ).first()
        )
        if organisation is None:
            return gettext("None yet: approving creates it, approved.")
        return format_html(
            '<a href="{}">{}</a> – {}',
            reverse("admin:partners_partnerorganisation_change", args=[organisation.pk]),
            organisation,
            organisation.get_vetting_status_display(),
        )

    def response_change(self, request, obj):
        # The change form's own buttons: the form (organisation chosen, note) is saved first, then decided.
        if "_approve" not in request.POST and "_reject" not in request.POST:
            return super().response_change(request, obj)
        if not self.has_decide_permission(request):
            raise PermissionDenied
        if "_approve" in request.POST:
            decided = self.approve(request, obj, note=None)
        else:
            decided = self.reject(request, obj, note=None)
        if not decided:
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:partners_accessrequest_changelist"))

    @admin.action(description=_("Approve and email the login links"), permissions=["decide"])
    def approve_requests(self, request, queryset):
        self.decide_each(request, queryset, self.approve)

    @admin.action(description=_("Reject and tell the applicants"), permissions=["decide"])
    def reject_requests(self, request, queryset):
        self.decide_each(request, queryset, self.reject)

    def decide_each(self, request, queryset, decide):
        note = request.POST.get("decision_note", "").strip() or None
        decided = 0
        for access_request in queryset.select_related("organisation"):
            decided += decide(request, access_request, note=note)
        if decided:
            self.message_user(
                request,
                ngettext("%(count)d request was decided.", "%(count)d requests were decided.", decided)
                % {"count": decided},
                messages.SUCCESS,
            )

    def approve(self, request, access_request, *, note) -> bool:
        try:
            buyer = approve_access_request(
                access_request,
                by=request.user,
                organisation=access_request.organisation,
                note=note,
                request=request,
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return False
        self.log_change(request, access_request, gettext("Approved."))
        self.message_user(
            request,
            gettext("%(name)s is now a buyer of %(organisation)s; a login link was emailed to %(email)s.")
            % {
                "name": access_request.full_name,
                "organisation": buyer.organisation,
                "email": buyer.user.email,
            },
            messages.SUCCESS,
        )
        return True

    def reject(self, request, access_request, *, note) -> bool:
        try:
            reject_access_request(access_request, by=request.user, note=note, request=request)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return False
        self.log_change(request, access_request, gettext("Rejected."))
        self.message_user(
            request,
            gettext("The request of %(name)s was rejected; %(email)s was told.")
            % {"name": access_request.full_name, "email": access_request.work_email},
            messages.SUCCESS,
        )
        return True


class BuyerInline(admin.TabularInline):
    model = Buyer
    fields = ["user", "email", "job_title", "phone", "is_active"]
    readonly_fields = ["user", "email", "is_active"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        # A buyer comes from an approved access request (or the Buyer admin, which picks an existing user).
        return False

    @admin.display(description=_("email"))
    def email(self, buyer):
        return buyer.user.email

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, buyer):
        return buyer.user.is_active


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "kind", "vetting_status", "buyer_count", "vetting_changed_at"]
    list_filter = ["vetting_status", ("country", CountryFilter), "kind"]
    search_fields = ["name"]
    search_help_text = _("Search by name.")
    filter_horizontal = ["hubs"]
    readonly_fields = ["vetting_status", "vetting_changed_at", "created_at"]
    inlines = [BuyerInline]
    actions = ["approve_organisations", "suspend_organisations"]
    # Spelled out: the model's default ordering does not apply to the annotated (GROUP BY) queryset.
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "country", "kind", "hubs", "notes"]}),
        (
            _("Vetting"),
            {
                "fields": ["vetting_status", "vetting_changed_at", "created_at"],
                "description": _(
                    "Change the vetting status with the actions of the list of organisations. A suspended "
                    "organisation's buyers lose access at once, even in the middle of a session."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(buyer_count=Count("buyers"))

    def has_vet_permission(self, request):
        return request.user.has_perm("partners.vet_partnerorganisation")

    @admin.display(description=_("buyers"), ordering="buyer_count")
    def buyer_count(self, organisation):
        return organisation.buyer_count

    @admin.action(description=_("Approve (or reinstate) the selected organisations"), permissions=["vet"])
    def approve_organisations(self, request, queryset):
        self.set_status(request, queryset, PartnerOrganisation.VettingStatus.APPROVED, gettext("Approved."))

    @admin.action(description=_("Suspend the selected organisations"), permissions=["vet"])
    def suspend_organisations(self, request, queryset):
        self.set_status(request, queryset, PartnerOrganisation.VettingStatus.SUSPENDED, gettext("Suspended."))

    def set_status(self, request, queryset, status, log_message):
        changed = 0
        for organisation in queryset.exclude(vetting_status=status):
            with transaction.atomic():
                action = VETTING_ACTIONS[organisation.vetting_status, status]
                organisation.set_vetting_status(status)
                self.log_change(request, organisation, log_message)
                audit.record(request, action, obj=organisation)
            changed += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation is now %(status)s.",
                "%(count)d organisations are now %(status)s.",
                changed,
            )
            % {"count": changed, "status": PartnerOrganisation.VettingStatus(status).label.lower()},
            messages.SUCCESS,
        )


@admin.register(Buyer)
class BuyerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "organisation_name", "vetting_status", "is_active"]
    list_select_related = ["user", "organisation"]
    list_filter = ["organisation__vetting_status", ("organisation__country", CountryFilter)]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "organisation__name",
    ]
    search_help_text = _("Search by name, username, email or organisation.")
    raw_id_fields = ["user"]
    autocomplete_fields = ["organisation"]
    actions = ["send_login_links"]
    ordering = ["organisation__name", "user__last_name", "user__first_name"]

    @admin.display(description=_("name"), ordering="user__last_name")
    def name(self, buyer):
        return buyer.user.get_full_name() or buyer.user.get_username()

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, buyer):
        return buyer.user.email

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_name(self, buyer):
        return buyer.organisation.name

    @admin.display(description=_("vetting status"), ordering="organisation__vetting_status")
    def vetting_status(self, buyer):
        return buyer.organisation.get_vetting_status_display()

    @admin.display(description=_("active"), boolean=True, ordering="user__is_active")
    def is_active(self, buyer):
        return buyer.user.is_active

    @admin.action(description=_("Email the selected buyers a new login link"), permissions=["change"])
    def send_login_links(self, request, queryset):
        sent = 0
        for buyer in queryset.filter(user__is_active=True):
            send_login_link(buyer.user, base_url=site_url(request))
            self.log_change(request, buyer, gettext("Login link emailed."))
            sent += 1
        self.message_user(
            request,
            ngettext("%(count)d login link was emailed.", "%(count)d login links were emailed.", sent)
            % {"count": sent},
            messages.SUCCESS if sent else messages.WARNING,
        )
