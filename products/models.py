"""What a product is: the category tree and its specification schema, manufacturers, products, their typed
specification values, images and documents.

This module knows nothing of hubs or buyers; availability and visibility are asked through reverse lookups
from the apps above it. One exception: a need-to-know document follows the listings' rule of visibility
itself (ProductDocument.objects.visible_to asks hubs' Listing.objects.visible_to).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, router, transaction
from django.db.backends.signals import connection_created
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from products import media
from products.words import TRANSLITERATION, VOCABULARY_MAX_LENGTH, transliterate, vocabulary_words

NSN_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{3}-[0-9]{4}$"
MAX_CATEGORY_DEPTH = 5


class MilitaryListCategory(models.TextChoices):
    """The EU Common Military List (ML1–ML22)."""

    ML1 = "ML1", _("ML1 – Smooth-bore weapons < 20 mm, other arms and automatic weapons ≤ 12.7 mm")
    ML2 = "ML2", _("ML2 – Smooth-bore weapons ≥ 20 mm, other weapons > 12.7 mm")
    ML3 = "ML3", _("ML3 – Ammunition and fuze-setting devices")
    ML4 = "ML4", _("ML4 – Bombs, torpedoes, rockets, missiles, other explosive devices")
    ML5 = "ML5", _("ML5 – Fire control, surveillance and warning equipment")
    ML6 = "ML6", _("ML6 – Ground vehicles")
    ML7 = "ML7", _("ML7 – Chemical or biological toxic agents, riot control agents")
    ML8 = "ML8", _("ML8 – Energetic materials")
    ML9 = "ML9", _("ML9 – Vessels of war, special naval equipment")
    ML10 = "ML10", _("ML10 – Aircraft, unmanned aerial vehicles, aero-engines")
    ML11 = "ML11", _("ML11 – Electronic equipment, including electronic warfare")
    ML12 = "ML12", _("ML12 – Kinetic energy weapon systems")
    ML13 = "ML13", _("ML13 – Armoured or protective equipment")
    ML14 = "ML14", _("ML14 – Training and simulation equipment")
    ML15 = "ML15", _("ML15 – Imaging or countermeasure equipment")
    ML16 = "ML16", _("ML16 – Forgings, castings, unfinished products")
    ML17 = "ML17", _("ML17 – Miscellaneous equipment")
    ML18 = "ML18", _("ML18 – Production equipment")
    ML19 = "ML19", _("ML19 – Directed energy weapon systems")
    ML20 = "ML20", _("ML20 – Cryogenic and superconductive equipment")
    ML21 = "ML21", _("ML21 – Software")
    ML22 = "ML22", _("ML22 – Technology")


class Category(models.Model):
    """A node of the category tree (Unmanned aerial systems → Strike/FPV, …)."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=models.F("pk")),
                name="category_not_its_own_parent",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent"),
        ]

    def __str__(self):
        return " → ".join(str(category.name) for category in [*reversed(self.ancestors()), self])

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        renaming_fields = {"name", "parent", "parent_id", *localized("name")}
        may_rename = not self._state.adding and (
            update_fields is None or bool(renaming_fields & set(update_fields))
        )
        super().save(*args, **kwargs)
        if may_rename:
            # Products are found by their category path (this name and its ancestors').
            Product.objects.using(self._state.db).in_category(self).refresh_search_index()

    def ancestors(self) -> list["Category"]:
        """The parent, the grandparent, … up to the root (nearest first)."""
        found = []
        node = self.parent
        while node is not None and len(found) < MAX_CATEGORY_DEPTH:
            found.append(node)
            node = node.parent
        return found

    def lineage_ids(self) -> list[int]:
        """This category's id and its ancestors': the categories whose attributes its products carry."""
        return [self.pk, *(ancestor.pk for ancestor in self.ancestors())]

    def descendant_ids(self) -> list[int]:
        """This category's id and every id below it, so that a parent category includes its children."""
        ids = [self.pk]
        frontier = [self.pk]
        for _depth in range(MAX_CATEGORY_DEPTH):
            frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            if not frontier:
                break
            ids.extend(frontier)
        return ids

    def spec_attributes(self) -> models.QuerySet["SpecAttribute"]:
        """The specification schema of this category's products: its own attributes and its ancestors'."""
        lineage = self.lineage_ids()
        # The root's attributes first, then each level down: the same order on every database.
        depth = Case(*(When(category_id=pk, then=Value(-level)) for level, pk in enumerate(lineage)))
        return (
            SpecAttribute.objects.filter(category_id__in=lineage)
            .alias(depth=depth)
            .order_by("depth", "position", "name")
        )

    def clean(self):
        node = self.parent
        depth = 0
        while node is not None:
            depth += 1
            if node.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A category cannot sit below itself.")})
            if depth >= MAX_CATEGORY_DEPTH:
                message = _("Categories nest at most %(depth)s levels deep.")
                raise ValidationError(
                    {"parent": ValidationError(message, params={"depth": MAX_CATEGORY_DEPTH})}
                )
            node = node.parent


class CategoryTree:
    """Every category, read in one query, linked both ways: for a page that walks the tree several times
    (the catalogue's filters and counts), instead of a query per step."""

    def __init__(self, categories: list[Category]):
        self.categories = categories  # in the tree's order: position, then name
        self.by_pk = {category.pk: category for category in categories}
        self.by_slug = {category.slug: category for category in categories}
        self.children: dict[int | None, list[Category]] = {}
        for category in categories:
            self.children.setdefault(category.parent_id, []).append(category)
            # Its parent from the tree, so that ancestors() and str() cost no query.
            category.parent = self.by_pk.get(category.parent_id)

    @classmethod
    def load(cls, using: str = "default") -> "CategoryTree":
        return cls(list(Category.objects.using(using).order_by("position", "name")))

    def descendant_ids(self, category: Category) -> list[int]:
        """The category's id and every id below it."""
        ids, frontier = [category.pk], [category.pk]
        while frontier:
            frontier = [child.pk for pk in frontier for child in self.children.get(pk, [])]
            ids.extend(frontier)
        return ids


class SpecAttribute(models.Model):
    """One specification a category's products carry: range in km, night capability, deployment, …"""

    class ValueType(models.TextChoices):
        NUMBER = "number", _("Number")
        RANGE = "range", _("Range (from–to)")
        TEXT = "text", _("Text")
        CHOICE = "choice", _("Choice")
        BOOLEAN = "boolean", _("Yes/no")

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher", _("Higher is better")
        LOWER_IS_BETTER = "lower", _("Lower is better")
        NEUTRAL = "neutral", _("Neutral")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="attributes"
    )
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80)
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("For example km, min, kg, MHz.")
    )
    value_type = models.CharField(_("type"), max_length=10, choices=ValueType.choices)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_("For the choice type: the allowed values, as a list."),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.NEUTRAL
    )
    is_required = models.BooleanField(_("required to publish"), default=False)
    is_filterable = models.BooleanField(_("filterable"), default=False)
    is_comparable = models.BooleanField(_("shown in comparisons"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("specification attribute")
        verbose_name_plural = _("specification attributes")
        ordering = ["category", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "slug"], name="spec_attribute_unique_slug_per_category"
            ),
            models.CheckConstraint(
                condition=Q(value_type__in=["number", "range"]) | Q(direction="neutral"),
                name="spec_attribute_direction_only_for_numbers",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.unit})" if self.unit else str(self.name)

    @property
    def is_numeric(self) -> bool:
        return self.value_type in (self.ValueType.NUMBER, self.ValueType.RANGE)

    def clean(self):
        if self.value_type == self.ValueType.CHOICE:
            if not self.choices or not isinstance(self.choices, list):
                raise ValidationError({"choices": _("A choice attribute needs a list of allowed values.")})
            if not all(isinstance(choice, str) and choice.strip() for choice in self.choices):
                raise ValidationError({"choices": _("Every choice must be a non-empty text.")})
        elif self.choices:
            raise ValidationError({"choices": _("Only a choice attribute has a list of allowed values.")})
        if self.direction != self.Direction.NEUTRAL and not self.is_numeric:
            raise ValidationError({"direction": _("Only numbers and ranges have a direction.")})
        if self.category_id:
            related = {*self.category.lineage_ids(), *self.category.descendant_ids()}
            clash = SpecAttribute.objects.filter(category_id__in=related, slug=self.slug).exclude(pk=self.pk)
            if clash.exists():
                message = _("A category above or below this one already has an attribute with this slug.")
                raise ValidationError({"slug": message})


class Manufacturer(models.Model):
    """A Ukrainian company whose products the hubs list."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    city = models.CharField(_("city"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("Checked by the programme's staff against official registers."),
    )

    class Meta:
        verbose_name = _("manufacturer")
        verbose_name_plural = _("manufacturers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        may_rename = not self._state.adding and (update_fields is None or "name" in update_fields)
        super().save(*args, **kwargs)
        if may_rename:
            # Its products are found by its name: one statement refreshes them all.
            self.products.refresh_search_index()


# Full-text search (the queries: products/search.py). Each database keeps its own index of the products' text,
# written by the database from the saved rows (refresh_search_index), so that one statement refreshes any
# number of products:
# - PostgreSQL: a weighted tsvector per product (Product.search_vector), with a GIN index, and a trigram index
#   on the name for suggestions; made by migration 0002 on PostgreSQL only, so not in Meta.indexes.
# - SQLite: the FTS5 table products_search (ProductSearchEntry), made by migration 0003 on SQLite only.
# - Both: SearchTerm, the vocabulary that mistyped words are corrected against.
SEARCH_CONFIG = "english"  # stemmed: "jammers" and "jammer" are one word
# Names are proper nouns: indexed as typed too. So are the texts in the other languages: PostgreSQL has no
# Ukrainian stemmer, and their words are found as typed or, from four letters of Cyrillic, as a prefix.
NAME_SEARCH_CONFIG = "simple"
OTHER_LANGUAGES_SEARCH_CONFIG = "simple"
# The languages of the catalogue's content (products/translation.py): English first, the one every text has.
CONTENT_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
OTHER_CONTENT_LANGUAGES = tuple(code for code in CONTENT_LANGUAGES if code != "en")


def localized(field: str) -> list[str]:
    """A translated field's column for each language: ["summary_en", "summary_uk", …]."""
    return [f"{field}_{code}" for code in CONTENT_LANGUAGES]


SEARCHED_PRODUCT_FIELDS = frozenset(
    {
        "name",
        "name_uk",
        "summary",
        *localized("summary"),
        "description",
        *localized("description"),
        "manufacturer",
        "manufacturer_id",
        "category",
        "category_id",
    }
)
# SQLite: the FTS5 table's columns in their order, and bm25's weight for each (the same order of importance
# as PostgreSQL's weights A, B, C, D).
FULL_TEXT_COLUMNS = ("name", "context", "summary", "description")
FULL_TEXT_WEIGHTS = (8.0, 4.0, 2.0, 1.0)


def stores_search_vector(using: str) -> bool:
    """Whether this database keeps products' search vectors: PostgreSQL does; SQLite has its FTS5 table."""
    return connections[using].vendor == "postgresql"


def category_path_levels(prefix: str = "", language: str = "") -> list[str]:
    """The lookups of a category's name and its ancestors' names (in a language's column when given),
    nearest first."""
    name = f"name_{language}" if language else "name"
    return [prefix + "parent__" * level + name for level in range(MAX_CATEGORY_DEPTH)]


def transliteration_sql(sql: str, vendor: str) -> str:
    """SQL that spells the Cyrillic letters of the text `sql` gives in Latin ones (products.words
    .TRANSLITERATION, upper and lower case alike): the documents' Latin spelling of their Ukrainian text, so
    that "Zhalo" finds "Жало". PostgreSQL: translate() for the letters of one Latin letter or none, replace()
    for the others. SQLite: products.words.transliterate(), given to each connection (a chain of replace()
    calls that deep overflows SQLite's parser)."""
    if vendor == "sqlite":
        return f"transliterate({sql})"
    pairs = [
        (letter, latin)
        for cyrillic, latin in TRANSLITERATION.items()
        for letter in dict.fromkeys((cyrillic, cyrillic.upper()))
    ]
    ones = [(letter, latin) for letter, latin in pairs if len(latin) == 1]
    dropped = [letter for letter, latin in pairs if not latin]
    source = "".join(letter for letter, _latin in ones) + "".join(dropped)
    sql = "translate({}, '{}', '{}')".format(
        sql, source.replace("'", "''"), "".join(latin for _l, latin in ones)
    )
    for letter, latin in pairs:
        if len(latin) > 1:
            sql = f"replace({sql}, '{letter}', '{latin}')"
    return sql


@receiver(connection_created)
def _add_transliterate_to_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "transliterate", 1, lambda text: transliterate(text or ""), deterministic=True
        )


class Transliterated(models.Func):
    """A text's Cyrillic letters spelled in Latin ones (transliteration_sql), as an ORM expression."""

    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(models.functions.Coalesce(*self.source_expressions, Value("")))
        return transliteration_sql(sql, connection.vendor), params


def product_search_document() -> SearchVector:
    """A product's weighted search document: name and Ukrainian spelling (A), manufacturer and category path
    (B), summary (C) and description (D), each in every language of the content, the English text stemmed
    and the others as typed, with the Latin spelling of the Ukrainian text. One SQL expression over a
    product's row, the other tables' names coming through subqueries, so that one UPDATE refreshes any number
    of products."""
    manufacturer_name = Manufacturer.objects.filter(pk=OuterRef("manufacturer_id")).values("name")[:1]

    def category_path(language: str) -> Subquery:
        levels = category_path_levels(language=language)
        parts = [part for level in levels for part in (models.F(level), Value(" "))][:-1]
        path = Concat(*parts, output_field=models.TextField())
        return Subquery(Category.objects.filter(pk=OuterRef("category_id")).values_list(path)[:1])

    def other_languages(field: str, weight: str) -> SearchVector:
        return SearchVector(
            *(f"{field}_{code}" for code in OTHER_CONTENT_LANGUAGES),
            Transliterated(f"{field}_uk"),
            config=OTHER_LANGUAGES_SEARCH_CONFIG,
            weight=weight,
        )

    return (
        SearchVector("name", "name_uk", Transliterated("name_uk"), config=NAME_SEARCH_CONFIG, weight="A")
        + SearchVector("name", config=SEARCH_CONFIG, weight="A")
        + SearchVector(Subquery(manufacturer_name), category_path("en"), config=SEARCH_CONFIG, weight="B")
        + SearchVector(
            *(category_path(code) for code in OTHER_CONTENT_LANGUAGES),
            Transliterated(category_path("uk")),
            config=OTHER_LANGUAGES_SEARCH_CONFIG,
            weight="B",
        )
        + SearchVector("summary_en", config=SEARCH_CONFIG, weight="C")
        + other_languages("summary", "C")
        + SearchVector("description_en", config=SEARCH_CONFIG, weight="D")
        + other_languages("description", "D")
    )


def _full_text_rows() -> str:
    """SQLite: the SELECT of products' rows for the FTS5 table, from the product, its manufacturer and its
    category path, each column holding every language's text and the Latin spelling of the Ukrainian one."""

    def joined(*parts: str) -> str:
        return " || ' ' || ".join(f"coalesce({part}, '')" for part in parts)

    def path(language: str) -> str:
        return joined(*(f"level{level}.name_{language}" for level in range(MAX_CATEGORY_DEPTH)))

    def every_language(field: str) -> str:
        columns = [f"product.{field}_{code}" for code in CONTENT_LANGUAGES]
        return joined(*columns, transliteration_sql(f"product.{field}_uk", "sqlite"))

    levels = "\n".join(
        f"    LEFT JOIN products_category AS level{level} ON level{level}.id = level{level - 1}.parent_id"
        for level in range(1, MAX_CATEGORY_DEPTH)
    )
    name = joined("product.name", "product.name_uk", transliteration_sql("product.name_uk", "sqlite"))
    paths = (path(code) for code in CONTENT_LANGUAGES)
    context = joined("manufacturer.name", *paths, transliteration_sql(path("uk"), "sqlite"))
    return f"""
    SELECT product.id, {name}, {context},
           {every_language("summary")},
           {every_language("description")}
    FROM products_product AS product
    LEFT JOIN products_manufacturer AS manufacturer ON manufacturer.id = product.manufacturer_id
    LEFT JOIN products_category AS level0 ON level0.id = product.category_id
{levels}
"""


_FULL_TEXT_ROWS = _full_text_rows()


class ProductQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Product.Status.PUBLISHED)

    def visible_to(self, organisation):
        """What an approved partner organisation may browse: every published product. Quantities and terms
        are on listings, which have their own rule (Listing.objects.visible_to)."""
        return self.published()

    def refresh_search_index(self):
        """Recompute these products' search index from their rows as stored, and add their words to the
        vocabulary: a statement or two however many products. Product, Manufacturer and Category call it when
        they save a searched field; after writes that bypass save() (loaddata, queryset.update(), bulk_create)
        `manage.py rebuild_catalogue_index` does it for every product."""
        if stores_search_vector(self.db):
            self.update(search_vector=product_search_document())
        else:
            ids_sql, ids_params = self.values("pk").query.sql_with_params()
            columns = ", ".join(FULL_TEXT_COLUMNS)
            with connections[self.db].cursor() as cursor:
                cursor.execute(f"DELETE FROM products_search WHERE rowid IN ({ids_sql})", ids_params)
                cursor.execute(
                    f"INSERT INTO products_search (rowid, {columns}) {_FULL_TEXT_ROWS} "
                    f"WHERE product.id IN ({ids_sql})",
                    ids_params,
                )
        SearchTerm.objects.using(self.db).add_words_of(self)

    def in_category(self, category: Category):
        """Products of the category or any category below it."""
        return self.filter(category_id__in=category.descendant_ids())

    def with_spec_between(self, attribute: "SpecAttribute", minimum=None, maximum=None):
        """Products whose value of a numeric attribute lies within [minimum, maximum] (either end open).

        For a range attribute (frequency coverage 400–6000 MHz) a product matches when its range overlaps the
        interval asked for, so minimum = maximum = 1200 finds what covers 1200 MHz.
        """
        upper = "number_max" if attribute.value_type == SpecAttribute.ValueType.RANGE else "number"
        conditions = Q(attribute=attribute)
        if minimum is not None:
            conditions &= Q(**{f"{upper}__gte": minimum})
        if maximum is not None:
            conditions &= Q(number__lte=maximum)
        return self.filter(Exists(SpecValue.objects.filter(conditions, product=OuterRef("pk"))))

    def annotate_spec(self, attribute: "SpecAttribute", name: str = "spec_number"):
        """Annotate each product with its number for an attribute (the lower end of a range), to sort by."""
        value = SpecValue.objects.filter(product=OuterRef("pk"), attribute=attribute).values("number")[:1]
        return self.annotate(**{name: Subquery(value)})

    def for_catalogue(self):
        """What a catalogue card shows, fetched with the products: manufacturer, category, images (the
        first is the card's thumbnail) and the values of filterable attributes (`key_spec_values`, the first
        few are the card's key specifications), in one extra query each however many cards there are. The
        long texts a card does not show are left in the database."""
        key_values = (
            SpecValue.objects.filter(attribute__is_filterable=True)
            .select_related("attribute")
            .order_by("attribute__position", "attribute__name")
        )
        return (
            self.prefetch_related(
                # Manufacturers and categories in queries of their own rather than joins: joined, these small
                # tables led PostgreSQL to cross them with the specification values a filter matches before
                # reading any product (at 100,000 products, 1.1 s instead of a few ms for a category, a
                # specification bound and a country chosen).
                "manufacturer",
                "category",
                models.Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
                models.Prefetch("spec_values", queryset=key_values, to_attr="key_spec_values"),
            )
            # The forms of cooperation the card's badges name: one more query however many cards.
            .with_cooperation()
            .defer("description", "field_notes", "search_vector")
        )

    def with_listing_summary(self, listings):
        """Annotate `hub_count` and `shortest_lead_time` (weeks, None when unlisted) from the given listings
        (anything with product, hub and lead_time_weeks: the rows of the listings a buyer may see, from the
        hubs app), so that a buyer learns nothing of listings not meant for them."""
        per_product = listings.filter(product=OuterRef("pk")).order_by().values("product")
        hubs = per_product.annotate(hub_count=models.Count("hub", distinct=True)).values("hub_count")
        lead_time = per_product.annotate(weeks=models.Min("lead_time_weeks")).values("weeks")
        return self.annotate(
            hub_count=models.functions.Coalesce(Subquery(hubs), 0),
            shortest_lead_time=Subquery(lead_time),
        )

    def open_to(self, *forms):
        """Products whose manufacturer is open to any of the given forms of cooperation (CooperationForm
        values); with none given, to any form at all."""
        offers = ProductCooperation.objects.filter(product=OuterRef("pk"))
        if forms:
            offers = offers.filter(form__in=forms)
        return self.filter(Exists(offers))

    def with_cooperation(self):
        """Prefetch each product's forms of cooperation with their conditions (one query for a page)."""
        return self.prefetch_related(
            models.Prefetch("cooperation_offers", queryset=ProductCooperation.objects.order_by("form"))
        )


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    name = models.CharField(_("name"), max_length=150)
    # Names stay as the manufacturer writes them; this is how Ukrainian readers spell it ("Жало").
    name_uk = models.CharField(
        _("Ukrainian spelling"),
        max_length=150,
        blank=True,
        help_text=_("The name in Cyrillic, shown under the name on the Ukrainian pages and searchable."),
    )
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    manufacturer = models.ForeignKey(
        Manufacturer, verbose_name=_("manufacturer"), on_delete=models.PROTECT, related_name="products"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown on the catalogue card."),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    military_list_category = models.CharField(
        _("EU Military List category"), max_length=4, choices=MilitaryListCategory.choices, blank=True
    )
    is_dual_use = models.BooleanField(
        _("dual-use"),
        default=False,
        help_text=_("Controlled under EU Regulation 2021/821 rather than the Military List."),
    )
    nato_stock_number = models.CharField(
        _("NATO Stock Number"),
        max_length=16,
        blank=True,
        validators=[RegexValidator(NSN_PATTERN, _("Enter the NSN as 13 digits written NNNN-NN-NNN-NNNN."))],
    )
    technology_readiness_level = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1–9; 9 means proven in an operational environment."),
    )
    is_combat_proven = models.BooleanField(_("combat-proven"), default=False)
    field_notes = models.TextField(
        _("field notes"), blank=True, help_text=_("How and where it has been used.")
    )
    is_authorised_for_use = models.BooleanField(
        _("authorised for use"),
        default=False,
        help_text=_("Authorised for use by Ukraine's defence ministry."),
    )
    is_codified = models.BooleanField(
        _("codified"), default=False, help_text=_("Codified by Ukraine's defence ministry.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # On PostgreSQL computed by the database whenever the product, its manufacturer or its category is saved
    # (product_search_document); always empty on SQLite, which searches the live columns.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        indexes = [
            # Holds every column the catalogue's filters and counts read (products/facets.py), so that they
            # are index-only scans of a narrow index rather than reads of a wide table.
            models.Index(
                fields=[
                    "status",
                    "category",
                    "id",
                    "manufacturer",
                    "military_list_category",
                    "technology_readiness_level",
                    "is_combat_proven",
                    "is_authorised_for_use",
                ],
                name="product_status_category",
            ),
            models.Index(fields=["status", "-published_at"], name="product_status_newest"),
            models.Index(fields=["status", "name"], name="product_status_name"),
            models.Index(fields=["military_list_category"], name="product_military_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(technology_readiness_level__gte=1) & Q(technology_readiness_level__lte=9),
                name="product_trl_1_to_9",
            ),
            models.CheckConstraint(
                condition=Q(nato_stock_number="") | Q(nato_stock_number__regex=NSN_PATTERN),
                name="product_nsn_format",
            ),
            models.UniqueConstraint(
                fields=["nato_stock_number"],
                condition=~Q(nato_stock_number=""),
                name="product_unique_nsn",
            ),
            models.CheckConstraint(
                condition=~Q(military_list_category="") | Q(is_dual_use=True),
                name="product_controlled_by_military_list_or_dual_use",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | (~Q(summary="") & Q(published_at__isnull=False)),
                name="product_published_has_summary_and_date",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Publishing through a form (the admin's status field) stamps the date the same way publish() does.
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "published_at"}
        update_fields = kwargs.get("update_fields")
        using = kwargs.get("using") or router.db_for_write(Product, instance=self)
        searched_fields_change = update_fields is None or bool(SEARCHED_PRODUCT_FIELDS & set(update_fields))
        if not searched_fields_change:
            super().save(*args, **kwargs)
            return
        # The database indexes the saved row and the names it refers to, in the same transaction.
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)
            Product.objects.using(using).filter(pk=self.pk).refresh_search_index()

    def clean(self):
        if not self.military_list_category and not self.is_dual_use:
            raise ValidationError(
                {
                    "military_list_category": _(
                        "Choose the EU Military List category, or mark the product dual-use."
                    )
                }
            )
        # English: the summary every language falls back to (products/translation.py).
        if self.status == self.Status.PUBLISHED and not (self.summary_en or "").strip():
            raise ValidationError({"summary_en": _("A published product needs a summary.")})

    def missing_required_attributes(self) -> list["SpecAttribute"]:
        present = set(self.spec_values.values_list("attribute_id", flat=True))
        return [
            attribute
            for attribute in self.category.spec_attributes().filter(is_required=True)
            if attribute.pk not in present
        ]

    def publication_problems(self) -> list[str]:
        """What stands between this product, as stored, and its publication (empty when nothing does)."""
        problems = []
        if not (self.summary_en or "").strip():
            problems.append(_("it has no summary"))
        if not self.images.exists():
            problems.append(_("it has no image"))
        missing = self.missing_required_attributes()
        if missing:
            names = ", ".join(str(attribute.name) for attribute in missing)
            problems.append(_("required specifications are missing: %(names)s") % {"names": names})
        return problems

    def publish(self):
        problems = self.publication_problems()
        if problems:
            raise ValidationError(
                _("%(product)s cannot be published: %(problems)s."),
                params={"product": self.name, "problems": "; ".join(str(p) for p in problems)},
            )
        self.status = self.Status.PUBLISHED
        if self.published_at is None:
            self.published_at = timezone.now()
        self.save(update_fields=["status", "published_at", "updated_at"])

    def withdraw(self):
        self.status = self.Status.WITHDRAWN
        self.save(update_fields=["status", "updated_at"])


class SpecValue(models.Model):
    """A product's value for one attribute, stored in the column its type needs.

    Numbers (and both ends of a range) are stored as decimals, so that catalogue filters compare and sort them
    in the database.
    """

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="spec_values"
    )
    attribute = models.ForeignKey(
        SpecAttribute, verbose_name=_("attribute"), on_delete=models.PROTECT, related_name="values"
    )
    number = models.DecimalField(
        _("number (or lower end)"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    number_max = models.DecimalField(_("upper end"), max_digits=14, decimal_places=3, null=True, blank=True)
    text = models.CharField(_("text or choice"), max_length=200, blank=True)
    boolean = models.BooleanField(_("yes/no"), null=True, blank=True)

    class Meta:
        verbose_name = _("specification value")
        verbose_name_plural = _("specification values")
        ordering = ["attribute__position", "attribute__name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "attribute"], name="spec_value_one_per_attribute"),
            models.CheckConstraint(
                condition=Q(number_max__isnull=True)
                | Q(number__isnull=False, number_max__gte=models.F("number")),
                name="spec_value_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=False) | ~Q(text="") | Q(boolean__isnull=False),
                name="spec_value_not_empty",
            ),
        ]
        # A specification range filter reads the products from the index alone.
        indexes = [
            models.Index(fields=["attribute", "number", "product"], name="spec_value_attribute_number"),
            models.Index(fields=["attribute", "number_max", "product"], name="spec_value_attribute_max"),
        ]

    def __str__(self):
        return f"{self.attribute.name}: {self.display()}"

    def clean(self):
        if not (self.attribute_id and self.product_id):
            return
        attribute = self.attribute
        if attribute.category_id not in self.product.category.lineage_ids():
            message = _("%(attribute)s is not a specification of the category %(category)s.")
            params = {"attribute": attribute.name, "category": self.product.category.name}
            raise ValidationError({"attribute": ValidationError(message, params=params)})
        kind = attribute.value_type
        types = SpecAttribute.ValueType
        has_number, has_max = self.number is not None, self.number_max is not None
        has_text, has_boolean = bool(self.text.strip()), self.boolean is not None
        expected = {
            types.NUMBER: (True, False, False, False),
            types.RANGE: (True, True, False, False),
            types.TEXT: (False, False, True, False),
            types.CHOICE: (False, False, True, False),
            types.BOOLEAN: (False, False, False, True),
        }[kind]
        if (has_number, has_max, has_text, has_boolean) != expected:
            messages = {
                types.NUMBER: _("%(attribute)s takes a number, and only a number."),
                types.RANGE: _("%(attribute)s takes a range: a lower and an upper number."),
                types.TEXT: _("%(attribute)s takes a text, and only a text."),
                types.CHOICE: _("%(attribute)s takes one of its choices."),
                types.BOOLEAN: _("%(attribute)s takes yes or no."),
            }
            raise ValidationError(messages[kind], params={"attribute": attribute.name})
        if kind == types.RANGE and self.number_max < self.number:
            raise ValidationError({"number_max": _("The upper end cannot be below the lower end.")})
        if kind == types.CHOICE and self.text not in attribute.choices:
            message = _("Choose one of: %(choices)s.")
            raise ValidationError(
                {"text": ValidationError(message, params={"choices": ", ".join(attribute.choices)})}
            )

    @property
    def value(self):
        kind = self.attribute.value_type
        if kind == SpecAttribute.ValueType.NUMBER:
            return self.number
        if kind == SpecAttribute.ValueType.RANGE:
            return (self.number, self.number_max)
        if kind == SpecAttribute.ValueType.BOOLEAN:
            return self.boolean
        return self.text

    def display(self) -> str:
        """The value as a person reads it, with its unit: "40 km", "400–6000 MHz", "Yes"."""
        kind = self.attribute.value_type
        unit = f" {self.attribute.unit}" if self.attribute.unit else ""
        if kind == SpecAttribute.ValueType.NUMBER:
            return f"{format_number(self.number)}{unit}"
        if kind == SpecAttribute.ValueType.RANGE:
            return f"{format_number(self.number)}–{format_number(self.number_max)}{unit}"
        if kind == SpecAttribute.ValueType.BOOLEAN:
            return str(_("Yes") if self.boolean else _("No"))
        return self.text


def format_number(number: Decimal | None) -> str:
    if number is None:
        return ""
    return f"{number.normalize():f}"


class SearchTermQuerySet(models.QuerySet):
    def add_words_of(self, products: ProductQuerySet):
        """Add the words of these products' searched text that the vocabulary lacks (none is ever removed
        here: a word no product has any more only leads a mistyped query to no result, until a rebuild)."""
        text_fields = [
            "name",
            "name_uk",
            *localized("summary"),
            *localized("description"),
            "manufacturer__name",
            *(level for code in CONTENT_LANGUAGES for level in category_path_levels("category__", code)),
        ]
        words = set()
        for texts in products.order_by().values_list(*text_fields).iterator(chunk_size=2000):
            words |= vocabulary_words(*texts)
        self.bulk_create(
            [SearchTerm(term=word) for word in sorted(words)], ignore_conflicts=True, batch_size=2000
        )


class SearchTerm(models.Model):
    """A word of the catalogue's searched text, lower-cased: the vocabulary that a mistyped word of a query is
    corrected against ("jamer" → "jammer"). On PostgreSQL a trigram index finds the candidates (migration
    0003); on SQLite, words with the same first letter."""

    term = models.CharField(_("term"), max_length=VOCABULARY_MAX_LENGTH, unique=True)

    objects = SearchTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self):
        return self.term


class FullTextMatchField(models.TextField):
    """FTS5's hidden column named after its table: `column MATCH 'query'` asks the full-text index."""


@FullTextMatchField.register_lookup
class FullTextMatch(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class ProductSearchEntry(models.Model):
    """SQLite only: a product's row of the FTS5 full-text table `products_search` (migration 0003 makes it on
    SQLite; PostgreSQL has Product.search_vector instead). Its rowid is the product's id; `rank` is bm25 with
    FULL_TEXT_WEIGHTS (lower is better), set as the table's default ranking by the migration."""

    product = models.OneToOneField(
        Product,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="search_entry",
    )
    name = models.TextField()
    context = models.TextField()
    summary = models.TextField()
    description = models.TextField()
    document = FullTextMatchField(db_column="products_search")
    rank = models.FloatField()

    class Meta:
        managed = False
        db_table = "products_search"

    def __str__(self):
        return self.name


class ProductImage(models.Model):
    """A picture of a product. Uploads are checked and stripped of metadata, and get web renditions."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images"
    )
    image = models.ImageField(
        _("image"),
        upload_to="products/",
        width_field="width",
        height_field="height",
        validators=[media.validate_image_upload],
        help_text=_("JPEG, PNG or WebP. Location and camera data are removed on upload."),
    )
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    thumbnail = models.ImageField(upload_to="products/renditions/", editable=False, blank=True)
    large = models.ImageField(upload_to="products/renditions/", editable=False, blank=True)
    alt_text = models.CharField(
        _("alternative text"), max_length=200, help_text=_("What the picture shows, for screen readers.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.alt_text

    def save(self, *args, **kwargs):
        # Every way in (admin, shell, demo commands) passes here: a new file is re-encoded without its
        # metadata and gets its renditions before anything is written to storage.
        if self.image and not self.image._committed:
            processed = media.process_image(self.image)
            stem = uuid.uuid4().hex
            processed.original.name = f"{stem}.{processed.extension}"
            processed.thumbnail.name = f"{stem}-thumb.webp"
            processed.large.name = f"{stem}-large.webp"
            self.image, self.thumbnail, self.large = processed.original, processed.thumbnail, processed.large
        with transaction.atomic():
            super().save(*args, **kwargs)


class DocumentsStorage(LazyObject):
    """The "documents" storage of settings.STORAGES, looked up when first used rather than at import."""

    def _setup(self):
        self._wrapped = storages["documents"]


_documents_storage = DocumentsStorage()


# As Django does for default_storage: a changed STORAGES setting (override_settings in tests) reaches
# the field.
@receiver(setting_changed)
def _reset_documents_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _documents_storage._wrapped = empty


def documents_storage():
    return _documents_storage


def document_upload_to(instance, filename):
    return f"products/{uuid.uuid4().hex}.pdf"


class ProductDocumentQuerySet(models.QuerySet):
    def visible_to(self, organisation):
        """The documents an approved partner organisation may list and download: those of products it may
        browse that are meant for every partner, and the need-to-know ones of products with a listing it
        may see (one offered to its country). The product page, the comparison and the download all ask
        this."""
        # The one place this module reaches up to hubs (which stands on products, hence imported when asked):
        # a document follows the listings' own rule of visibility, whatever that rule comes to hold
        # (destinations, embargoes), rather than a copy of it.
        from hubs.models import Listing

        listed = Listing.objects.visible_to(organisation).filter(product=OuterRef("product_id"))
        return self.filter(product__in=Product.objects.visible_to(organisation)).filter(
            Q(audience=ProductDocument.Audience.EVERY_PARTNER) | Exists(listed)
        )


class ProductDocument(models.Model):
    """A datasheet or manual, kept outside the public media folder; only an access-checked view serves it."""

    class Kind(models.TextChoices):
        DATASHEET = "datasheet", _("Datasheet")
        MANUAL = "manual", _("Manual")
        CERTIFICATE = "certificate", _("Certificate")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        NEED_TO_KNOW = "need_to_know", _("Only where a listing is offered to the buyer's country")
        EVERY_PARTNER = "every_partner", _("Every approved partner")

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DATASHEET)
    audience = models.CharField(
        _("audience"),
        max_length=20,
        choices=Audience.choices,
        default=Audience.NEED_TO_KNOW,
        help_text=_(
            "Who may list and download it. Export-controlled detail stays with the buyers a listing of the "
            "product is offered to."
        ),
    )
    file = models.FileField(
        _("PDF file"),
        storage=documents_storage,
        upload_to=document_upload_to,
        validators=[media.validate_pdf_upload],
    )
    page_count = models.PositiveIntegerField(_("pages"), editable=False, null=True)
    size_bytes = models.PositiveIntegerField(_("size in bytes"), editable=False, null=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ProductDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:
            self.page_count = media.pdf_page_count(self.file)
            self.size_bytes = self.file.size
        super().save(*args, **kwargs)


class CooperationForm(models.TextChoices):
    """How a manufacturer may work with a partner's industry on a product, beyond offering surplus."""

    LICENSED_PRODUCTION = "licensed_production", _("Licensed production")
    LOCAL_ASSEMBLY = "local_assembly", _("Local assembly")
    CO_DEVELOPMENT = "co_development", _("Co-development")
    COMPONENT_SUPPLY = "component_supply", _("Component supply")
    TRIALS_EVALUATION = "trials_evaluation", _("Trials and evaluation")


class ProductCooperation(models.Model):
    """One form of cooperation a product's manufacturer is open to, with the conditions a partner should know
    before asking. Partners propose it through a cooperation expression of interest (interests app)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="cooperation_offers"
    )
    form = models.CharField(_("form of cooperation"), max_length=20, choices=CooperationForm.choices)
    minimum_annual_volume = models.PositiveIntegerField(
        _("minimum annual volume"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty when there is no minimum."),
    )
    volume_unit = models.CharField(
        _("volume unit"), max_length=40, blank=True, help_text=_("For example: units, kits, airframes.")
    )
    partner_provides = models.TextField(
        _("what the partner provides"), blank=True, help_text=_("Site, staff, certification, materials…")
    )
    stays_in_ukraine = models.TextField(
        _("what stays in Ukraine"),
        blank=True,
        help_text=_("Parts, software or know-how that remain with the manufacturer."),
    )
    months_to_first_output = models.PositiveSmallIntegerField(
        _("typical months to first output"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("form of cooperation")
        verbose_name_plural = _("forms of cooperation")
        ordering = ["product", "form"]
        constraints = [
            models.UniqueConstraint(fields=["product", "form"], name="product_cooperation_once_per_form"),
            models.CheckConstraint(
                condition=Q(form__in=CooperationForm.values), name="product_cooperation_known_form"
            ),
            models.CheckConstraint(
                condition=Q(minimum_annual_volume__isnull=True) | Q(minimum_annual_volume__gt=0),
                name="product_cooperation_positive_minimum",
            ),
        ]
        indexes = [models.Index(fields=["form", "product"], name="product_cooperation_form")]

    def __str__(self):
        return f"{self.product}: {self.get_form_display()}"


class CatalogueVersion(models.Model):
    """One row: a number that grows whenever something buyers see changes (a product, its specifications,
    images or documents, a category, a manufacturer, a hub, a listing). Cached catalogue pages are filed under
    it (products/caching.py), so a change is seen at once by every app server, whatever the cache backend."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self):
        return str(self.number)
