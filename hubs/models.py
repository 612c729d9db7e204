"""Where products are offered: the export hubs, their coordinators, and the listings of surplus at each hub.

This module knows products but nothing of buyers: visibility to an organisation is asked for with a country,
through Listing.objects.offered_to(country). A listing's destination countries are edited as one field
(`destination_countries`) and indexed one row per country (ListingDestination), which Listing.save() keeps in
step, so that "offered to Germany" is an index lookup rather than a text search through every listing.
Nothing is offered to a country under an arms embargo in force (not_embargoed), whatever the destinations say.
"""

import datetime
import re

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from products.models import Product, ProductCooperation

COUNTRY_CODE = re.compile(r"[A-Z]{2}")
# The most units, systems, kits or sets a form accepts, as listed or as asked for: far beyond any real
# offer, far within the database's integer range (PostgreSQL's integer ends at 2,147,483,647).
MAX_QUANTITY = 1_000_000
# The listing's fields its destination rows repeat (ListingDestination.LISTING_FACTS), and its countries.
INDEXED_LISTING_FIELDS = frozenset(
    {
        "destination_countries",
        "product",
        "product_id",
        "hub",
        "hub_id",
        "availability",
        "valid_until",
        "lead_time_weeks",
    }
)


class HubQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def coordinated_by(self, user):
        """The hubs a user may manage: all of them for a superuser, else those the user coordinates."""
        if user.is_superuser:
            return self.all()
        return self.filter(coordinators=user)

    def coordinating_cooperation_on(self, product):
        """The active hubs that coordinate cooperation on a product."""
        return self.active().filter(cooperation_products=product)


class Hub(models.Model):
    """An export hub: a coordination centre between Ukrainian manufacturers and partners in one country."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100)
    address = models.TextField(_("address"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        blank=True,
        related_name="coordinated_hubs",
        help_text=_("Staff who manage this hub's listings and review its expressions of interest."),
    )
    cooperation_products = models.ManyToManyField(
        Product,
        verbose_name=_("coordinates cooperation on"),
        blank=True,
        related_name="cooperation_hubs",
        help_text=_(
            "Products whose joint production this hub coordinates: it reviews partners' proposals of "
            "cooperation on them (products no hub coordinates go to the hubs that list them)."
        ),
    )

    objects = HubQuerySet.as_manager()

    class Meta:
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90) & Q(latitude__lte=90), name="hub_latitude_in_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180) & Q(longitude__lte=180), name="hub_longitude_in_range"
            ),
        ]
        indexes = [models.Index(fields=["is_active", "country"], name="hub_active_country")]

    def __str__(self):
        return f"{self.name} ({self.country.code})"

    def cooperation_offers(self):
        """The forms of cooperation on the published products whose cooperation this hub coordinates, by form
        and product, with the product (one query)."""
        return (
            ProductCooperation.objects.filter(
                product__in=self.cooperation_products.filter(status=Product.Status.PUBLISHED)
            )
            .select_related("product")
            .order_by("form", "product__name")
        )


def not_embargoed(country_code: str) -> Exists:
    """True unless the country is under an embargo that blocks offers to it (interests.Embargo.objects
    .blocking(), where the rule is written): a listing offered to it is not shown there from the moment the
    embargo is saved, whatever its destinations say. The subquery names no outer column, so the database runs
    it once per statement, on a table of a few dozen rows.

    The embargo list is kept (and audited) in the interests app, above this one: it is looked up by name
    rather than imported, the one place this module reads a table of a layer above it."""
    embargoes = apps.get_model("interests", "Embargo").objects.blocking()
    return ~Exists(embargoes.filter(country=country_code))


def available_condition(on: datetime.date | None = None) -> Q:
    """Marked available and not past its validity date: for listings and their destination rows alike."""
    on = on or timezone.localdate()
    return Q(availability=Listing.Availability.AVAILABLE) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )


def open_for_interest_condition(on: datetime.date | None = None) -> Q:
    """Available or reserved and not past its validity date: what a partner may still express interest in,
    for listings and their destination rows alike."""
    on = on or timezone.localdate()
    return Q(availability__in=[Listing.Availability.AVAILABLE, Listing.Availability.RESERVED]) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )


class ListingQuerySet(models.QuerySet):
    def available(self, on: datetime.date | None = None):
        """Listings that count as available: marked available and not past their validity date."""
        return self.filter(available_condition(on))

    def open_for_interest(self, on: datetime.date | None = None):
        """Listings a partner may still express interest in: available or reserved, not past their date."""
        return self.filter(open_for_interest_condition(on))

    def offered_to(self, country_code: str):
        """Listings whose destination countries include the given ISO 3166 alpha-2 code (anything else is no
        country code and matches nothing)."""
        code = str(country_code).upper()
        if not COUNTRY_CODE.fullmatch(code):
            return self.none()
        # At most one destination row per listing and country (a unique constraint): the join never
        # repeats a listing.
        return self.filter(destinations__country=code).filter(not_embargoed(code))

    def visible_to(self, organisation):
        """What a partner organisation may see: listings of published products at active hubs that may be
        offered to the organisation's country (need to know by destination)."""
        return self.filter(product__status=Product.Status.PUBLISHED, hub__is_active=True).offered_to(
            organisation.country.code
        )

    def coordinated_by(self, user):
        """The listings a user may manage: all of them for a superuser, else those of the user's hubs."""
        if user.is_superuser:
            return self.all()
        return self.filter(hub__coordinators=user)


class Listing(models.Model):
    """A product offered at a hub: the surplus available there, on what terms and to which countries."""

    class Availability(models.TextChoices):
        AVAILABLE = "available", _("Available")
        RESERVED = "reserved", _("Reserved")
        EXHAUSTED = "exhausted", _("Exhausted")

    class LicenceStatus(models.TextChoices):
        PRE_CLEARED = "pre_cleared", _("Pre-cleared")
        LICENCE_REQUIRED = "required", _("Licence required")
        PENDING = "pending", _("Licence pending")

    class QuantityUnit(models.TextChoices):
        UNITS = "units", _("units")
        SYSTEMS = "systems", _("systems")
        KITS = "kits", _("kits")
        SETS = "sets", _("sets")

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="listings"
    )
    hub = models.ForeignKey(Hub, verbose_name=_("hub"), on_delete=models.PROTECT, related_name="listings")
    quantity_available = models.PositiveIntegerField(_("surplus quantity available"))
    quantity_unit = models.CharField(
        _("unit"), max_length=10, choices=QuantityUnit.choices, default=QuantityUnit.UNITS
    )
    lead_time_weeks = models.PositiveSmallIntegerField(
        _("lead time (weeks)"), validators=[MaxValueValidator(260)]
    )
    unit_price_eur = models.DecimalField(
        _("indicative unit price (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Indicative only; leave empty to show 'on request'."),
    )
    availability = models.CharField(
        _("availability"), max_length=10, choices=Availability.choices, default=Availability.AVAILABLE
    )
    licence_status = models.CharField(
        _("export licence"),
        max_length=12,
        choices=LicenceStatus.choices,
        default=LicenceStatus.LICENCE_REQUIRED,
    )
    destination_countries = CountryField(
        _("may be offered to"),
        multiple=True,
        blank=True,
        help_text=_("The partner countries this listing may be shown and offered to."),
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("After this date the listing no longer counts as available."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["hub__name", "product__name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "hub"], name="listing_one_per_product_and_hub"),
            models.CheckConstraint(
                condition=Q(unit_price_eur__isnull=True) | Q(unit_price_eur__gte=0),
                name="listing_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(lead_time_weeks__lte=260), name="listing_lead_time_at_most_5_years"
            ),
            models.CheckConstraint(
                condition=~Q(availability="available") | Q(quantity_available__gt=0),
                name="listing_available_has_quantity",
            ),
        ]
        indexes = [
            models.Index(fields=["availability", "valid_until"], name="listing_availability"),
            models.Index(fields=["product", "availability"], name="listing_product_availability"),
            models.Index(fields=["hub", "availability"], name="listing_hub_availability"),
            models.Index(fields=["lead_time_weeks"], name="listing_lead_time"),
        ]

    def __str__(self):
        return _("%(product)s at %(hub)s") % {"product": self.product.name, "hub": self.hub.name}

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and not INDEXED_LISTING_FIELDS & set(update_fields):
            super().save(*args, **kwargs)
            return
        # The listing and its destination rows are written together or not at all.
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            self.index_destinations()

    def clean(self):
        if self.availability == self.Availability.AVAILABLE and not self.quantity_available:
            raise ValidationError(
                {"quantity_available": _("An available listing needs a quantity; mark it exhausted instead.")}
            )

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def is_available(self) -> bool:
        return self.availability == self.Availability.AVAILABLE and not self.is_expired

    def index_destinations(self):
        """Make the listing's destination rows match it: one row per destination country, each carrying the
        listing's facts that buyers filter by."""
        wanted = {country.code for country in self.destination_countries}
        indexed = self.destinations.all()
        indexed.exclude(country__in=wanted).delete()
        facts = {field: getattr(self, field) for field in ListingDestination.LISTING_FACTS}
        present = set(indexed.values_list("country", flat=True))
        if present:
            indexed.update(**facts)
        ListingDestination.objects.bulk_create(
            ListingDestination(listing=self, country=code, **facts) for code in sorted(wanted - present)
        )

    def mark_exhausted(self):
        self.availability = self.Availability.EXHAUSTED
        self.save(update_fields=["availability", "updated_at"])


# Every listing's destination rows from its comma-separated `destination_countries` and its facts, in one
# statement.
_REBUILD_DESTINATIONS = {
    "postgresql": """
        INSERT INTO hubs_listingdestination
            (listing_id, country, product_id, hub_id, availability, valid_until, lead_time_weeks)
        SELECT listing.id, code, listing.product_id, listing.hub_id, listing.availability,
               listing.valid_until, listing.lead_time_weeks
        FROM hubs_listing AS listing, unnest(string_to_array(listing.destination_countries, ',')) AS code
        WHERE code <> ''
    """,
    # SQLite has no string splitting: the list is read as a JSON array.
    "sqlite": """
        INSERT INTO hubs_listingdestination
            (listing_id, country, product_id, hub_id, availability, valid_until, lead_time_weeks)
        SELECT listing.id, code.value, listing.product_id, listing.hub_id, listing.availability,
               listing.valid_until, listing.lead_time_weeks
        FROM hubs_listing AS listing,
             json_each('["' || replace(listing.destination_countries, ',', '","') || '"]') AS code
        WHERE code.value <> ''
    """,
}


class ListingDestinationQuerySet(models.QuerySet):
    def offered_to(self, country_code: str, *, at_hubs=None):
        """The rows of listings offered to a country (an ISO 3166 alpha-2 code; anything else matches
        nothing), at the given hubs (ids) if any."""
        code = str(country_code).upper()
        if not COUNTRY_CODE.fullmatch(code):
            return self.none()
        rows = self.filter(country=code).filter(not_embargoed(code))
        return rows if at_hubs is None else rows.filter(hub_id__in=at_hubs)

    def available(self, on: datetime.date | None = None):
        return self.filter(available_condition(on))

    def open_for_interest(self, on: datetime.date | None = None):
        return self.filter(open_for_interest_condition(on))

    def rebuild(self) -> int:
        """Re-derive every destination row from the listings, in one transaction: after writes that bypass
        Listing.save() (loaddata, bulk_create, queryset.update()). Returns how many rows there are now."""
        connection = connections[self.db]
        with transaction.atomic(using=self.db):
            self.all().delete()
            with connection.cursor() as cursor:
                cursor.execute(_REBUILD_DESTINATIONS[connection.vendor])
        return self.count()


class ListingDestination(models.Model):
    """A listing as offered to one of its destination countries: the index behind what buyers see of
    listings (Listing.objects.offered_to(), the catalogue's listing filters and counts).

    Each row repeats the listing's facts that buyers filter by (product, hub, availability, validity, lead
    time), so that "available in Germany within 4 weeks" is answered from one index without visiting
    listings. Derived from the Listing (whose `destination_countries` coordinators edit) by Listing.save()
    and by `manage.py rebuild_catalogue_index`; nothing else writes it.
    """

    LISTING_FACTS = ("product_id", "hub_id", "availability", "valid_until", "lead_time_weeks")

    listing = models.ForeignKey(
        Listing,
        verbose_name=_("listing"),
        on_delete=models.CASCADE,
        related_name="destinations",
        db_index=False,  # the unique (listing, country) index serves lookups by listing
    )
    country = models.CharField(_("country"), max_length=2)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    hub = models.ForeignKey(
        Hub, verbose_name=_("hub"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    availability = models.CharField(_("availability"), max_length=10, choices=Listing.Availability.choices)
    valid_until = models.DateField(_("valid until"), null=True)
    lead_time_weeks = models.PositiveSmallIntegerField(_("lead time (weeks)"))

    objects = ListingDestinationQuerySet.as_manager()

    class Meta:
        verbose_name = _("listing destination")
        verbose_name_plural = _("listing destinations")
        constraints = [
            models.UniqueConstraint(fields=["listing", "country"], name="listing_destination_once"),
        ]
        indexes = [
            # Buyers' queries start from their country: a product's rows there, with every fact the
            # catalogue filters or counts by in the index itself (index-only scans, on both databases).
            models.Index(
                fields=["country", "product", "hub", "availability", "valid_until", "lead_time_weeks"],
                name="listing_destination_country",
            ),
            # The listings offered to a country, for pages that show listings.
            models.Index(fields=["country", "listing"], name="listing_destination_listing"),
        ]

    def __str__(self):
        return f"{self.listing_id} → {self.country}"
