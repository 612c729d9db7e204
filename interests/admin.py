"""The staff side of expressions of interest: review in the admin, scoped to the hubs a coordinator runs.

An EOI is routed to the hubs of its lines: a coordinator sees and acts on the EOIs of which one line is at a
hub they coordinate (superusers see all). Scoping reuses hubs.admin.HubScopedAdminMixin (another hub's EOI
answers 404 on every path built on get_queryset/get_object), with the EOI's own rule for "within scope".

The status changes only through ExpressionOfInterest.transition(), called from a small form on the change page
(posted to a separate admin URL); the history is shown read-only and no admin route edits it.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, Prefetch, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_countries import countries

from audit import log as audit
from audit.admin import AuditedAdmin
from audit.models import Action
from hubcatalog.spreadsheets import streamed_csv
from hubs.admin import HubScopedAdminMixin
from hubs.models import Hub, Listing
from interests.models import (
    OPEN_STATES,
    REASON_REQUIRED_FOR,
    STAFF_TARGETS,
    Embargo,
    ExpressionOfInterest,
    InterestLine,
    Reason,
    Status,
    StatusChange,
)
from interests.notifications import notify_buyer_of_change
from products.models import Product

# EOIs read at a time by the CSV export (with one query for their lines).
EXPORT_CHUNK_SIZE = 500

# The open states in workflow order, for the dashboard's columns and the chart's segments.
OPEN_STATES_IN_ORDER = [state for state in Status.values if state in OPEN_STATES]


def interests_of_hubs(queryset, user):
    """The EOIs of which one line is at a hub the user coordinates (all of them for a superuser).

    A subquery rather than a join, so that an EOI with several lines at the user's hubs appears once and the
    change list's ordering and counts need no DISTINCT.
    """
    if user.is_superuser:
        return queryset
    return queryset.filter(
        pk__in=InterestLine.objects.filter(hub__in=Hub.objects.coordinated_by(user)).values("interest_id")
    )


def eligible_reviewers(interest):
    """Active staff who coordinate one of the EOI's hubs, and superusers."""
    hub_ids = interest.lines.values("hub_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(coordinated_hubs__in=hub_ids))
        .distinct()
        .order_by("username")
    )


def choice_label(choices, value: str) -> str:
    """The label of a snapshot of a choice, or the stored value if the choices have changed since."""
    return choices(value).label if value in choices.values else value


def age_in_days(interest) -> int:
    return (timezone.now() - interest.submitted_at).days


class TransitionForm(forms.Form):
    """The next review step a member of staff takes: the target state, a coded reason, what the buyer reads
    and what only staff read."""

    to_status = forms.ChoiceField(label=_("Next step"))
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("— no reason —")), *Reason.choices],
        help_text=_("Required when requesting information or declining."),
    )
    comment = forms.CharField(
        label=_("Comment to the buyer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Emailed to the buyer and shown to them. Required when requesting information or declining."
        ),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Staff only: never shown or sent to the buyer."),
    )

    def __init__(self, interest, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (state, label) for state, label in Status.choices if state in self.staff_targets(interest)
        ]

    @staticmethod
    def staff_targets(interest) -> frozenset[str]:
        return interest.allowed_targets() & STAFF_TARGETS

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to_status") in REASON_REQUIRED_FOR:
            if not cleaned.get("reason"):
                self.add_error("reason", _("Choose a reason."))
            if not cleaned.get("comment", "").strip():
                self.add_error("comment", _("Write a comment to the buyer."))
        return cleaned


class AgeListFilter(admin.SimpleListFilter):
    title = _("age")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [
            ("week", _("Up to 7 days")),
            ("month", _("8 to 30 days")),
            ("older", _("More than 30 days")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        week_ago, month_ago = now - datetime.timedelta(days=7), now - datetime.timedelta(days=30)
        if self.value() == "week":
            return queryset.filter(submitted_at__gt=week_ago)
        if self.value() == "month":
            return queryset.filter(submitted_at__lte=week_ago, submitted_at__gt=month_ago)
        if self.value() == "older":
            return queryset.filter(submitted_at__lte=month_ago)
        return queryset


class OverdueListFilter(admin.SimpleListFilter):
    title = _("review deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = Q(status__in=OPEN_STATES, review_due_on__lt=timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class IdListFilter(admin.SimpleListFilter):
    """A filter on the id of a related object; a value that is not an id is a bad request, not a 500."""

    def int_value(self):
        try:
            value = int(self.value())
        except (TypeError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
        # Beyond PostgreSQL's bigint no row has that id, and the database would refuse the number.
        if not 0 < value < 2**63:
            raise IncorrectLookupParameters(f"{self.parameter_name} out of range")
        return value


class HubListFilter(IdListFilter):
    title = _("hub")
    parameter_name = "hub"

    def lookups(self, request, model_admin):
        return [(hub.pk, hub.name) for hub in Hub.objects.coordinated_by(request.user).order_by("name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(pk__in=InterestLine.objects.filter(hub=self.int_value()).values("interest_id"))


class ProductListFilter(IdListFilter):
    """The products most asked about in the user's EOIs, and the chosen one: listing every product ever
    asked about would grow with the data."""

    title = _("product")
    parameter_name = "product"
    shown = 20

    def lookups(self, request, model_admin):
        lines = InterestLine.objects.filter(interest__in=model_admin.get_queryset(request))
        most_asked = (
            lines.order_by()
            .values("product_id")
            .annotate(asked=Count("interest", distinct=True))
            .order_by("-asked")
        )
        ids = [row["product_id"] for row in most_asked[: self.shown]]
        if self.value() is not None:
            ids.append(self.int_value())
        products = Product.objects.filter(pk__in=ids).order_by("name")
        return [(product.pk, product.name) for product in products]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(
            pk__in=InterestLine.objects.filter(product=self.int_value()).values("interest_id")
        )


class DeliveryCountryListFilter(admin.SimpleListFilter):
    """The delivery countries of the user's EOIs (a plain choices filter would list all 250 countries)."""

    title = _("delivery country")
    parameter_name = "delivery_country"

    def lookups(self, request, model_admin):
        eois = model_admin.get_queryset(request).order_by()
        codes = set(eois.values_list("delivery_country", flat=True).distinct())
        return [(code, name) for code, name in countries if code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(delivery_country=self.value())
        return queryset


class InterestLineInline(admin.TabularInline):
    model = InterestLine
    extra = 0
    can_delete = False
    fields = [
        "product",
        "hub",
        "quantity",
        "exceeds",
        "delivery_window",
        "listed_quantity",
        "listed_quantity_unit",
        "listed_lead_time_weeks",
        "listed_unit_price_eur",
        "listed_licence",
        "listed_availability_label",
        "listed_valid_until",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "hub")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("more than listed"), boolean=True)
    def exceeds(self, line):
        return line.exceeds_listed_quantity

    @admin.display(description=_("listed export licence status"))
    def listed_licence(self, line):
        return choice_label(Listing.LicenceStatus, line.listed_licence_status)

    @admin.display(description=_("listed availability"))
    def listed_availability_label(self, line):
        return choice_label(Listing.Availability, line.listed_availability)

    @admin.display(description=_("delivery wanted"))
    def delivery_window(self, line):
        return f"{localize(line.delivery_from)} – {localize(line.delivery_until)}"


class StatusChangeInline(admin.TabularInline):
    """The review history, in full and read-only: no admin route adds, changes or deletes a step."""

    model = StatusChange
    verbose_name = _("review step")
    verbose_name_plural = _("review history")
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor", "reason", "comment", "internal_note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(HubScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "organisation",
        "country",
        "status",
        "hub_names",
        "submitted",
        "age",
        "overdue",
        "reviewer",
    ]
    list_filter = [
        "status",
        OverdueListFilter,
        AgeListFilter,
        HubListFilter,
        DeliveryCountryListFilter,
        ProductListFilter,
    ]
    list_select_related = ["organisation", "reviewer"]
    search_fields = ["reference", "organisation__name", "end_user"]
    search_help_text = _("Search by reference, organisation or end user.")
    # The unfiltered total beside the filtered one is a second count on every page.
    show_full_result_count = False
    inlines = [InterestLineInline, StatusChangeInline]
    change_form_template = "admin/interests/expressionofinterest/change_form.html"
    change_list_template = "admin/interests/expressionofinterest/change_list.html"
    buyer_fields = [
        "reference",
        "status",
        "organisation",
        "submitted_by",
        "submitted_at",
        "review_due_on",
        "decided_at",
        "end_user",
        "intended_use",
        "intended_use_other",
        "delivery_country",
        "end_user_certificate",
        "financing",
        "financing_other",
        "contact_name",
        "contact_phone",
        "message",
        "declaration_accepted",
    ]
    readonly_fields = buyer_fields
    fieldsets = [
        (None, {"fields": ["reference", "status", "reviewer"]}),
        (_("Review"), {"fields": ["submitted_at", "review_due_on", "decided_at"]}),
        (_("Buyer"), {"fields": ["organisation", "submitted_by", "contact_name", "contact_phone"]}),
        (
            _("Request"),
            {
                "fields": [
                    "end_user",
                    "intended_use",
                    "intended_use_other",
                    "delivery_country",
                    "end_user_certificate",
                    "financing",
                    "financing_other",
                    "message",
                    "declaration_accepted",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": ["admin-extra/admin.css", "css/dashboard.css"]}

    # Scope: the EOIs routed to the user's hubs.

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return interests_of_hubs(queryset, request.user).prefetch_related(
            Prefetch("lines", queryset=InterestLine.objects.select_related("hub").order_by("pk"))
        )

    def is_within_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        cache = request.__dict__.setdefault("_interests_within_scope", {})
        if obj.pk not in cache:
            cache[obj.pk] = InterestLine.objects.filter(
                interest=obj, hub_id__in=self.coordinated_hub_ids(request)
            ).exists()
        return cache[obj.pk]

    def has_add_permission(self, request):
        return False  # EOIs come only from buyers.

    def has_delete_permission(self, request, obj=None):
        return False  # The history PROTECTs them anyway; an EOI is decided, never deleted.

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "reviewer" in form.base_fields:
            form.base_fields["reviewer"].queryset = eligible_reviewers(obj)
        return form

    # Change list columns.

    @admin.display(description=_("country"), ordering="organisation__country")
    def country(self, interest):
        return interest.organisation.country.name

    @admin.display(description=_("hubs"))
    def hub_names(self, interest):
        return ", ".join(sorted({line.hub.name for line in interest.lines.all()}))

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, interest):
        return localize(timezone.localtime(interest.submitted_at).date())

    @admin.display(description=_("age (days)"), ordering="submitted_at")
    def age(self, interest):
        return age_in_days(interest)

    @admin.display(description=_("overdue"), boolean=True, ordering="review_due_on")
    def overdue(self, interest):
        return interest.is_overdue

    # Extra admin views: the review step, the CSV export and the dashboard.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)),
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="{}_{}_dashboard".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if self.has_change_permission(request, obj) and TransitionForm.staff_targets(obj):
            extra_context["transition_form"] = TransitionForm(obj)
            extra_context["transition_url"] = reverse(
                "admin:interests_expressionofinterest_transition", args=[obj.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id):
        return require_POST(self._transition)(request, object_id)

    def _transition(self, request, object_id):
        interest = self.get_object(request, admin.utils.unquote(object_id))
        if not self.has_change_permission(request, interest):
            raise PermissionDenied
        change_url = reverse("admin:interests_expressionofinterest_change", args=[interest.pk])
        form = TransitionForm(interest, request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    self.message_user(request, f"{label}: {error}" if label else error, messages.ERROR)
            return HttpResponseRedirect(change_url)
        target = form.cleaned_data["to_status"]
        try:
            with transaction.atomic():
                change = interest.transition(
                    target,
                    by=request.user,
                    reason=form.cleaned_data["reason"] if target in REASON_REQUIRED_FOR else "",
                    comment=form.cleaned_data["comment"].strip(),
                    internal_note=form.cleaned_data["internal_note"].strip(),
                    request=request,
                )
                notify_buyer_of_change(interest, change, request)
                self.log_change(request, interest, gettext("Moved to “%s”.") % Status(target).label)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(change_url)
        self.message_user(
            request,
            gettext("%(reference)s is now “%(status)s”.")
            % {"reference": interest.reference, "status": Status(target).label},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:interests_expressionofinterest_changelist") + "?e=1")
        audit.record(
            request,
            Action.EXPORT,
            obj=ExpressionOfInterest,
            filters=request.GET.urlencode(),
            interests=changelist.result_count,
        )
        interests = (
            changelist.queryset.select_related("organisation", "reviewer")
            .prefetch_related(None)
            .prefetch_related(
                Prefetch(
                    "lines", queryset=InterestLine.objects.select_related("hub", "product").order_by("pk")
                )
            )
        )
        # The labels are translated now, in the request's language: the rows are written after the view
        # returned, as the download is read.
        status_labels = {value: str(label) for value, label in Status.choices}
        yes, no = gettext("yes"), gettext("no")
        header = [
            gettext("reference"),
            gettext("status"),
            gettext("organisation"),
            gettext("country"),
            gettext("delivery country"),
            gettext("hub"),
            gettext("product"),
            gettext("quantity"),
            gettext("listed quantity"),
            gettext("more than listed"),
            gettext("submitted"),
            gettext("review due"),
            gettext("overdue"),
            gettext("reviewer"),
        ]

        def rows():
            yield header
            # A chunk of EOIs and their lines (one prefetch) at a time, however many the filters select.
            for interest in interests.iterator(chunk_size=EXPORT_CHUNK_SIZE):
                for line in interest.lines.all():
                    yield [
                        interest.reference,
                        status_labels.get(interest.status, interest.status),
                        interest.organisation.name,
                        interest.organisation.country.code,
                        interest.delivery_country.code,
                        line.hub.name,
                        line.product.name,
                        line.quantity,
                        line.listed_quantity,
                        yes if line.exceeds_listed_quantity else no,
                        timezone.localtime(interest.submitted_at).date().isoformat(),
                        interest.review_due_on.isoformat(),
                        yes if interest.is_overdue else no,
                        interest.reviewer.get_username() if interest.reviewer else "",
                    ]

        return streamed_csv(rows(), f"expressions-of-interest-{timezone.localdate().isoformat()}.csv")

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Expressions of interest: review dashboard"),
            **dashboard_data(request.user),
        }
        return TemplateResponse(request, "interests/staff/dashboard.html", context)


def dashboard_data(user) -> dict:
    """Open EOIs per hub and state, their oldest age and how many are overdue, in one query.

    An EOI with lines at two hubs counts at both: each hub reviews its part.
    """
    today = timezone.localdate()
    rows = (
        InterestLine.objects.filter(
            interest__status__in=OPEN_STATES, hub__in=Hub.objects.coordinated_by(user)
        )
        .values("hub_id", "hub__name", "interest__status")
        .annotate(
            count=Count("interest", distinct=True),
            overdue=Count("interest", distinct=True, filter=Q(interest__review_due_on__lt=today)),
            oldest=Min("interest__submitted_at"),
        )
        .order_by("hub__name", "hub_id")
    )
    hubs = {}
    now = timezone.now()
    for row in rows:
        hub = hubs.setdefault(
            row["hub_id"],
            {"name": row["hub__name"], "counts": dict.fromkeys(OPEN_STATES_IN_ORDER, 0), "overdue": 0},
        )
        hub["counts"][row["interest__status"]] = row["count"]
        hub["overdue"] += row["overdue"]
        age = (now - row["oldest"]).days
        hub["oldest_days"] = max(hub.get("oldest_days", 0), age)
    states = [{"value": state, "label": Status(state).label} for state in OPEN_STATES_IN_ORDER]
    table = []
    for hub_id, hub in hubs.items():
        total = sum(hub["counts"].values())
        table.append(
            {
                "hub_id": hub_id,
                "name": hub["name"],
                "cells": [hub["counts"][state] for state in OPEN_STATES_IN_ORDER],
                "total": total,
                "overdue": hub["overdue"],
                "oldest_days": hub["oldest_days"],
            }
        )
    return {
        "states": states,
        "table": table,
        "chart": chart_geometry(table),
        "review_days": settings.EOI_REVIEW_DAYS,
    }


def chart_geometry(table) -> list[dict]:
    """One horizontal stacked bar per hub, a segment per open state, in percent of the largest hub's total:
    each bar is an SVG stretched to the width of the page, its labels are HTML around it."""
    largest = max((row["total"] for row in table), default=0) or 1
    bars = []
    for row in table:
        x, segments = 0.0, []
        for state, count in zip(OPEN_STATES_IN_ORDER, row["cells"], strict=True):
            if count:
                width = round(count * 100 / largest, 2)
                segments.append(
                    {
                        "state": state,
                        "label": Status(state).label,
                        "x": round(x, 2),
                        "width": width,
                        "count": count,
                    }
                )
                x += width
        bars.append({"hub_id": row["hub_id"], "name": row["name"], "segments": segments, **row})
    return bars


@admin.register(Embargo)
class EmbargoAdmin(AuditedAdmin, admin.ModelAdmin):
    """The arms-embargo list that delivery countries are checked against (superusers only by default)."""

    list_display = ["country", "authority", "scope", "is_in_force", "as_of", "source"]
    list_filter = ["is_in_force", "authority", "scope"]
    search_fields = ["country", "source", "notes"]
    search_help_text = _("Search by country code, source or notes.")
    ordering = ["country"]
