"""The admin of hubs and listings, scoped so that a coordinator reaches only the hubs they coordinate.

Scoping lives in one place, HubScopedAdminMixin: its get_queryset is the model's `coordinated_by(user)`
QuerySet method, and Django builds every admin path on get_queryset (change list, search, filters, facet
counts, bulk actions, autocomplete, change, delete and history views). On top of that, an object outside the
scope answers 404 instead of Django's redirect to the index, the object permissions check the object's hub
again, and the `hub` field offers only the user's hubs, so that posting another hub's id is an ordinary form
error.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Count, Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from modeltranslation.admin import TranslationAdmin

from audit.admin import AuditedAdmin
from audit.models import LISTING_ACTIONS
from hubcatalog.formatting import format_money, format_quantity
from hubs.models import MAX_QUANTITY, Hub, Listing, ListingDestination
from interests.embargoes import blocking_scopes, marked, refuse_embargoed
from interests.models import Embargo
from products.models import Product, ProductCooperation


class CountriesSelectMultiple(FilteredSelectMultiple):
    """The admin's two-box chooser for a multiple CountryField (it needs a wrapper: its script moves itself
    to the front of its parent element, which would otherwise be the row with the field's label)."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html(
            '<div class="hc-select-filter">{}</div>', super().render(name, value, attrs, renderer)
        )


def hub_short_name(hub):
    """A hub as a narrow admin column names it: its city, with the full name on hover."""
    return format_html('<span title="{}">{}</span>', hub.name, hub.city)


class HubScopedAdminMixin:
    """For the admins of hubs and of what they offer: superusers see all, others only their hubs' objects."""

    #: Where an object keeps the id of its hub: "hub_id" for a listing, "pk" for the hub itself.
    hub_id_attribute = "hub_id"

    def get_queryset(self, request):
        return super().get_queryset(request).coordinated_by(request.user)

    def get_object(self, request, object_id, from_field=None):
        # Django answers a missing object with a redirect to the admin index and a message naming the id;
        # another hub's object is answered as if it did not exist at all.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(
                _("There is no %(name)s with this id that you may manage.") % {"name": self.opts.verbose_name}
            )
        return obj

    def coordinated_hub_ids(self, request) -> set[int]:
        # Kept on the request: the admin asks the object permissions several times per page.
        if not hasattr(request, "_coordinated_hub_ids"):
            request._coordinated_hub_ids = set(
                Hub.objects.coordinated_by(request.user).values_list("pk", flat=True)
            )
        return request._coordinated_hub_ids

    def is_within_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        return getattr(obj, self.hub_id_attribute) in self.coordinated_hub_ids(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.is_within_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.is_within_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.is_within_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "hub":
            kwargs["queryset"] = Hub.objects.coordinated_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class HubCountryFilter(admin.SimpleListFilter):
    """The countries of the hubs the user may see (a plain choices filter would list all 250 countries)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = set(model_admin.get_queryset(request).values_list("country", flat=True))
        return [(code, name) for code, name in countries if code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


@admin.register(Hub)
class HubAdmin(AuditedAdmin, HubScopedAdminMixin, TranslationAdmin):
    # The description is edited in every language side by side (hubs/translation.py).
    hub_id_attribute = "pk"
    list_display = ["name", "country", "city", "is_active", "opened_on", "listing_count"]
    list_filter = ["is_active", HubCountryFilter]
    search_fields = ["name", "city", "contact_name", "contact_email"]
    search_help_text = _("Search by name, city or contact.")
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["coordinators", "cooperation_products"]
    # Spelled out: the model's default ordering does not apply to the annotated (GROUP BY) queryset.
    ordering = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active", "opened_on", "description"]}),
        (_("Location"), {"fields": ["country", "city", "address", "latitude", "longitude"]}),
        (_("Contact"), {"fields": ["contact_name", "contact_email", "contact_phone"]}),
        (_("Coordinators"), {"fields": ["coordinators"]}),
        (_("Joint production"), {"fields": ["cooperation_products"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(listing_count=Count("listings", distinct=True))

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser decides who coordinates a hub: a coordinator given the right to change their hub
        # must still not be able to hand it to someone else.
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, "coordinators"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "coordinators":
            users = db_field.remote_field.model.objects
            kwargs["queryset"] = users.filter(is_staff=True).order_by("username")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("listings"), ordering="listing_count")
    def listing_count(self, hub):
        return hub.listing_count


class ValidityListFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"
    expiring_within = datetime.timedelta(days=30)

    def lookups(self, request, model_admin):
        return [
            ("valid", _("Still valid")),
            ("expiring", _("Expires within 30 days")),
            ("expired", _("Expired")),
            ("open", _("No end date")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "valid":
            return queryset.exclude(valid_until__lt=today)
        if self.value() == "expiring":
            return queryset.filter(valid_until__gte=today, valid_until__lte=today + self.expiring_within)
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        if self.value() == "open":
            return queryset.filter(valid_until__isnull=True)
        return queryset


class EmbargoedDestinationFilter(admin.SimpleListFilter):
    """Listings with a destination under an arms embargo in force: no longer shown there, to be corrected.
    Also takes a country code (the arms-embargo admin links to its country's listings)."""

    title = _("offered to an embargoed country")
    parameter_name = "embargoed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes"))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        countries_refused = Embargo.objects.blocking().values("country")
        if self.value() != "yes":
            countries_refused = countries_refused.filter(country=self.value().upper())
        return queryset.filter(
            Exists(ListingDestination.objects.filter(listing=OuterRef("pk"), country__in=countries_refused))
        )


class ListingAdminForm(forms.ModelForm):
    """Destinations: the countries under an arms embargo in force are not offered (so "Choose all" chooses
    every other country), and are refused with their embargo named if sent all the same. Those a listing
    already had when its embargo began stay shown, marked, so that the coordinator removes them knowingly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("destination_countries")
        if field is None:  # read-only for a user who may only view
            return
        scopes = blocking_scopes()
        kept = {country.code for country in self.instance.destination_countries} & set(scopes)
        field.widget.choices = [
            (code, marked(name, scopes[code]) if code in kept else name)
            for code, name in field.choices
            if code not in scopes or code in kept
        ]
        left_out = sorted(str(countries.name(code)) for code in scopes)
        if left_out:
            field.help_text = format_lazy(
                "{} {}",
                field.help_text,
                _("Not listed, as under an arms embargo in force: %(countries)s.")
                % {"countries": ", ".join(left_out)},
            )

    def clean_destination_countries(self):
        codes = self.cleaned_data["destination_countries"]
        refuse_embargoed(codes, message=_("A listing cannot be offered to a country under an arms embargo:"))
        return codes


@admin.register(Listing)
class ListingAdmin(AuditedAdmin, HubScopedAdminMixin, admin.ModelAdmin):
    form = ListingAdminForm
    audit_actions = LISTING_ACTIONS
    list_display = [
        "product",
        "hub_city",
        "availability",
        "quantity",
        "lead_time",
        "licence_status",
        "unit_price",
        "validity",
    ]
    list_filter = [
        "availability",
        "licence_status",
        # Only the hubs that appear in the user's own listings, so no other hub's name shows.
        ("hub", admin.RelatedOnlyFieldListFilter),
        ValidityListFilter,
        EmbargoedDestinationFilter,
    ]
    list_select_related = ["product", "hub"]
    search_fields = ["product__name", "product__manufacturer__name", "hub__name"]
    search_help_text = _("Search by product, manufacturer or hub.")
    autocomplete_fields = ["product", "hub"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["mark_exhausted"]
    # The unfiltered total beside the filtered one is a second count on every page.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["product", "hub"]}),
        (
            _("Offer"),
            {
                "fields": [
                    ("quantity_available", "quantity_unit"),
                    "availability",
                    "lead_time_weeks",
                    "unit_price_eur",
                    "valid_until",
                ]
            },
        ),
        (_("Export"), {"fields": ["licence_status", "destination_countries"]}),
        (_("Notes"), {"fields": ["notes"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["admin-extra/admin.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "quantity_available":
            kwargs["max_value"] = MAX_QUANTITY
        if db_field.name == "destination_countries":
            # Some 250 countries: the admin's two-box chooser with its filter, rather than a long plain list.
            kwargs["widget"] = CountriesSelectMultiple(_("countries"), is_stacked=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and set(blocking_scopes()) & {c.code for c in obj.destination_countries}:
            refusals = Embargo.objects.refusals(obj.destination_countries)
            messages.warning(
                request,
                format_lazy(
                    "{} {}",
                    _(
                        "This listing is not shown to buyers of the countries below, which are under an arms "
                        "embargo in force; remove them from its destinations to save it:"
                    ),
                    "; ".join(refusals),
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "hub" not in initial:
            # A coordinator of a single hub should not have to pick it every time.
            hub_ids = list(Hub.objects.coordinated_by(request.user).values_list("pk", flat=True)[:2])
            if len(hub_ids) == 1:
                initial["hub"] = hub_ids[0]
        return initial

    @admin.display(description=_("hub"), ordering="hub__city")
    def hub_city(self, listing):
        return hub_short_name(listing.hub)

    @admin.display(description=_("quantity"), ordering="quantity_available")
    def quantity(self, listing):
        return format_quantity(listing.quantity_available, listing.quantity_unit)

    @admin.display(description=_("lead time"), ordering="lead_time_weeks")
    def lead_time(self, listing):
        weeks = listing.lead_time_weeks
        return ngettext("%(weeks)d week", "%(weeks)d weeks", weeks) % {"weeks": weeks}

    @admin.display(description=_("unit price"), ordering="unit_price_eur")
    def unit_price(self, listing):
        if listing.unit_price_eur is None:
            return _("on request")
        return format_money(listing.unit_price_eur)

    @admin.display(description=_("valid until"), ordering="valid_until")
    def validity(self, listing):
        if listing.valid_until is None:
            return self.get_empty_value_display()
        if listing.is_expired:
            return format_html(
                '{} <span class="hc-flag hc-flag--expired">{}</span>',
                localize(listing.valid_until),
                gettext("expired"),
            )
        return localize(listing.valid_until)

    @admin.action(description=_("Mark the selected listings as exhausted"), permissions=["change"])
    def mark_exhausted(self, request, queryset):
        # The queryset is the scoped change list filtered by the selected ids: another hub's id is simply
        # not in it.
        marked = 0
        for listing in queryset.exclude(availability=Listing.Availability.EXHAUSTED):
            listing.mark_exhausted()
            self.log_change(request, listing, gettext("Marked as exhausted."))
            marked += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d listing was marked as exhausted.",
                "%(count)d listings were marked as exhausted.",
                marked,
            )
            % {"count": marked},
            messages.SUCCESS,
        )


def cooperation_scope(request, products):
    """The products whose offers of cooperation the user keeps: all for superusers and catalogue editors,
    else those of which one of the user's hubs coordinates cooperation."""
    user = request.user
    if user.is_superuser or user.has_perm("products.change_product"):
        return products
    return products.filter(pk__in=Hub.objects.coordinated_by(user).values("cooperation_products"))


@admin.register(ProductCooperation)
class ProductCooperationAdmin(AuditedAdmin, admin.ModelAdmin):
    """Forms of cooperation, for the hub coordinators who coordinate cooperation on the products (catalogue
    editors also keep them on the product's page)."""

    list_display = ["product", "form", "minimum_annual_volume", "volume_unit", "months_to_first_output"]
    list_filter = ["form"]
    list_select_related = ["product"]
    search_fields = ["product__name"]
    search_help_text = _("Search by product name.")
    fields = [
        "product",
        "form",
        ("minimum_annual_volume", "volume_unit", "months_to_first_output"),
        "partner_provides",
        "stays_in_ukraine",
        "notes",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(product__in=cooperation_scope(request, Product.objects.all()))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "product":
            kwargs["queryset"] = cooperation_scope(request, Product.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
