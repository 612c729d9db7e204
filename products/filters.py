"""The catalogue's filters, sorting and facet counts.

ProductFilter narrows the products an approved buyer may browse. Filters about where a product is offered
(hub, hub country, lead time, available now) look only at the listings visible to the buyer's organisation,
and all of them must hold for the same listing: "available in Poland within 4 weeks" means one listing that
is all three. A buyer never learns, through a filter or a count, of a listing that is not offered to their
country.

Facet counts say how many products each choice would show with the other active filters applied; each facet
is one grouped query, however many choices it has.
"""

from dataclasses import dataclass, field
from decimal import Decimal

import django_filters
from django import forms
from django.core.validators import slug_re
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django_filters.constants import EMPTY_VALUES

from hubs.models import Hub, Listing
from products.models import Category, Manufacturer, MilitaryListCategory, Product, SpecAttribute
from products.search import search_products

SEARCH_MAX_LENGTH = 200
MAX_LEAD_TIME_WEEKS = 260
# SpecValue stores numbers with 14 digits, 3 of them decimals: a bound beyond that cannot be meant.
SPEC_MAX_DIGITS, SPEC_DECIMAL_PLACES = 14, 3
SPEC_LIMIT = Decimal(10 ** (SPEC_MAX_DIGITS - SPEC_DECIMAL_PLACES))
YES = "yes"

# Filters answered by the buyer's visible listings; applied together, as one condition on one listing.
LISTING_FILTERS = ("hub", "country", "lead_time_max", "available")

SORT_RELEVANCE, SORT_NAME, SORT_NEWEST, SORT_LEAD_TIME = "relevance", "name", "newest", "lead_time"
SORT_CHOICES = [
    (SORT_RELEVANCE, gettext_lazy("Best match")),
    (SORT_NAME, gettext_lazy("Name")),
    (SORT_NEWEST, gettext_lazy("Newest")),
    (SORT_LEAD_TIME, gettext_lazy("Shortest lead time")),
]
ORDERINGS = {
    SORT_RELEVANCE: ("-rank", "name", "pk"),
    SORT_NAME: ("name", "pk"),
    SORT_NEWEST: (F("published_at").desc(nulls_last=True), "name", "pk"),
    SORT_LEAD_TIME: (F("shortest_lead_time").asc(nulls_last=True), "name", "pk"),
}


def country_choices():
    return [(country.code, country.name) for country in countries]


class YesFilter(django_filters.ChoiceFilter):
    """A checkbox: `?name=yes` keeps the products with the flag; any other value is an error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [(YES, gettext_lazy("Yes"))])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value != YES:
            return qs
        return qs.filter(**{self.field_name: True})


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class SpecBoundFilter(django_filters.NumberFilter):
    """One end (min or max) of a numeric specification range, for an attribute of the chosen category."""

    def __init__(self, attribute: SpecAttribute, bound: str):
        self.attribute = attribute
        self.bound = bound
        name = str(attribute)
        label = _("%(attribute)s, minimum") if bound == "min" else _("%(attribute)s, maximum")
        super().__init__(
            label=label % {"attribute": name},
            max_digits=SPEC_MAX_DIGITS,
            decimal_places=SPEC_DECIMAL_PLACES,
            min_value=-SPEC_LIMIT,
            max_value=SPEC_LIMIT,
            widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}),
        )

    def filter(self, qs, value):
        if value is None:
            return qs
        if self.bound == "min":
            return qs.with_spec_between(self.attribute, minimum=value)
        return qs.with_spec_between(self.attribute, maximum=value)


def spec_filter_name(attribute: SpecAttribute, bound: str) -> str:
    return f"spec_{attribute.slug}_{bound}"


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool
    children: list["FacetChoice"] = field(default_factory=list)


@dataclass
class Facet:
    name: str
    legend: str
    choices: list[FacetChoice]


@dataclass
class Chip:
    label: str
    query: str  # "?…" or "" for the bare catalogue


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=gettext_lazy("Search"), method="filter_search", max_length=SEARCH_MAX_LENGTH
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        method="filter_category",
    )
    manufacturer = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Manufacturer"),
        queryset=Manufacturer.objects.all(),
        to_field_name="slug",
        field_name="manufacturer__slug",
        distinct=False,
    )
    ml = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("EU Military List category"),
        choices=MilitaryListCategory.choices,
        field_name="military_list_category",
        distinct=False,
    )
    trl_min = django_filters.ChoiceFilter(
        label=gettext_lazy("Minimum technology readiness level"),
        choices=[(str(level), str(level)) for level in range(1, 10)],
        field_name="technology_readiness_level",
        lookup_expr="gte",
    )
    combat_proven = YesFilter(label=gettext_lazy("Combat-proven"), field_name="is_combat_proven")
    authorised = YesFilter(label=gettext_lazy("Authorised for use"), field_name="is_authorised_for_use")
    # The listing filters: see narrow_listings().
    hub = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Hub"), queryset=Hub.objects.active(), to_field_name="slug"
    )
    country = django_filters.MultipleChoiceFilter(label=gettext_lazy("Hub country"), choices=country_choices)
    available = YesFilter(label=gettext_lazy("Available now"))
    lead_time_max = WholeNumberFilter(
        label=gettext_lazy("Lead time at most (weeks)"),
        min_value=0,
        max_value=MAX_LEAD_TIME_WEEKS,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    sort = django_filters.ChoiceFilter(label=gettext_lazy("Sort by"), choices=SORT_CHOICES)

    class Meta:
        model = Product
        fields = []

    def __init__(self, data=None, queryset=None, *, organisation, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.visible_listings = Listing.objects.visible_to(organisation)
        self._descendant_ids = {}
        self.chosen_category = self._category_from_data()
        self.spec_attributes = []
        if self.chosen_category is not None:
            self.spec_attributes = list(
                self.chosen_category.spec_attributes().filter(
                    is_filterable=True,
                    value_type__in=[SpecAttribute.ValueType.NUMBER, SpecAttribute.ValueType.RANGE],
                )
            )
        for attribute in self.spec_attributes:
            for bound in ("min", "max"):
                spec_filter = SpecBoundFilter(attribute, bound)
                spec_filter.model, spec_filter.parent = Product, self
                self.filters[spec_filter_name(attribute, bound)] = spec_filter

    def _category_from_data(self) -> Category | None:
        """The chosen category, read before validation because its attributes decide the form's fields."""
        slug = self.data.get("category")
        if not isinstance(slug, str) or not slug_re.fullmatch(slug):
            return None  # no slug can name a category: the form says so
        return Category.objects.select_related("parent").filter(slug=slug).first()

    # Filtering

    def filter_search(self, queryset, name, value):
        query = value.strip()
        return search_products(queryset, query) if query else queryset

    def filter_category(self, queryset, name, category):
        # Facets apply the category filter many times in one request: walk the tree once.
        if category.pk not in self._descendant_ids:
            self._descendant_ids[category.pk] = category.descendant_ids()
        return queryset.filter(category_id__in=self._descendant_ids[category.pk])

    def narrow_listings(self, listings, values: dict):
        if values.get("hub"):
            listings = listings.filter(hub__in=values["hub"])
        if values.get("country"):
            listings = listings.filter(hub__country__in=values["country"])
        if values.get("lead_time_max") is not None:
            listings = listings.filter(lead_time_weeks__lte=values["lead_time_max"])
        if values.get("available") == YES:
            listings = listings.available()
        return listings

    def filtered(self, values: dict):
        """The products that pass the given cleaned filter values (sorting aside)."""
        queryset = self.queryset.all()
        for name, value in values.items():
            if name in LISTING_FILTERS or name == "sort":
                continue
            queryset = self.filters[name].filter(queryset, value)
        if any(values.get(name) not in EMPTY_VALUES for name in LISTING_FILTERS):
            listings = self.narrow_listings(self.visible_listings, values)
            queryset = queryset.filter(Exists(listings.filter(product=OuterRef("pk"))))
        return queryset

    def filter_queryset(self, queryset):
        products = self.filtered(self.values).with_listing_summary(self.visible_listings)
        return products.order_by(*ORDERINGS[self.sort_key])

    @property
    def values(self) -> dict:
        """The valid filter values; invalid ones are left out, so they filter nothing."""
        if not hasattr(self, "_values"):
            cleaned = {}
            if self.is_bound:
                self.form.is_valid()  # a field with an error is left out of cleaned_data
                cleaned = self.form.cleaned_data
            # Chosen hubs and manufacturers come as querysets (none() when nothing is chosen): read them once.
            self._values = {
                name: list(value) if isinstance(value, QuerySet) else value for name, value in cleaned.items()
            }
        return self._values

    @property
    def search_query(self) -> str:
        return (self.values.get("q") or "").strip()

    @property
    def sort_key(self) -> str:
        chosen = self.values.get("sort")
        if chosen == SORT_RELEVANCE or not chosen:
            return SORT_RELEVANCE if self.search_query else SORT_NAME
        return chosen

    def sort_options(self) -> list[tuple[str, str]]:
        """The sort select's options: the empty value is the default (best match when searching)."""
        if self.search_query:
            return [("", _("Best match")), *((key, str(label)) for key, label in SORT_CHOICES[1:])]
        return [("", _("Name")), *((key, str(label)) for key, label in SORT_CHOICES[2:])]

    # Messages, facets and chips

    def error_messages(self) -> list[str]:
        messages = []
        for name, errors in self.errors.items():
            label = self.filters[name].label if name in self.filters else name
            messages.extend(f"{label}: {error}" for error in errors)
        return messages

    def _without(self, *names) -> dict:
        return {name: value for name, value in self.values.items() if name not in names}

    def _product_groups(self, values: dict, *fields):
        """One grouped query: how many of the products passing `values` fall in each value of `fields`."""
        products = Product.objects.filter(pk__in=self.filtered(values).values("pk"))
        return products.order_by().values(*fields).annotate(count=Count("pk"))

    def _listing_groups(self, values: dict, *fields):
        """One grouped query over the buyer's visible listings that pass the listing filters in `values`,
        of products that pass the others: how many products each hub (or country) would show."""
        listings = self.narrow_listings(self.visible_listings, values)
        listings = listings.filter(product__in=self.filtered(values).values("pk"))
        return listings.order_by().values(*fields).annotate(count=Count("product", distinct=True))

    def _yes_choice(self, name: str) -> FacetChoice:
        """A checkbox filter's choice, counted as if it were ticked (one count query)."""
        count = self.filtered({**self._without(name), name: YES}).count()
        return FacetChoice(name, str(self.filters[name].label), count, self.values.get(name) == YES)

    def facets(self) -> dict[str, Facet]:
        values = self.values
        facets = {"category": self.category_facet()}

        rows = self._listing_groups(self._without("hub"), "hub__slug", "hub__name")
        found = {row["hub__slug"]: (row["hub__name"], row["count"]) for row in rows}
        chosen = {hub.slug: hub.name for hub in values.get("hub") or []}
        facets["hub"] = self._facet("hub", _("Hub"), found, chosen)

        rows = self._listing_groups(self._without("country"), "hub__country")
        found = {row["hub__country"]: (countries.name(row["hub__country"]), row["count"]) for row in rows}
        chosen = {code: countries.name(code) for code in values.get("country") or []}
        facets["country"] = self._facet("country", _("Hub country"), found, chosen)

        rows = self._product_groups(self._without("manufacturer"), "manufacturer__slug", "manufacturer__name")
        found = {row["manufacturer__slug"]: (row["manufacturer__name"], row["count"]) for row in rows}
        chosen = {maker.slug: maker.name for maker in values.get("manufacturer") or []}
        facets["manufacturer"] = self._facet("manufacturer", _("Manufacturer"), found, chosen)

        rows = self._product_groups(self._without("ml"), "military_list_category")
        found = {
            row["military_list_category"]: (
                MilitaryListCategory(row["military_list_category"]).label,
                row["count"],
            )
            for row in rows
            if row["military_list_category"]
        }
        chosen = {code: MilitaryListCategory(code).label for code in values.get("ml") or []}
        facets["ml"] = self._facet("ml", _("EU Military List category"), found, chosen, sort_by_label=False)

        facets["trl_min"] = self.readiness_facet()
        facets["availability"] = Facet("availability", _("Availability"), [self._yes_choice("available")])
        facets["status"] = Facet(
            "status", _("Status"), [self._yes_choice("combat_proven"), self._yes_choice("authorised")]
        )
        return facets

    @staticmethod
    def _facet(name, legend, found: dict, chosen: dict, *, sort_by_label=True) -> Facet:
        """The choices that have products (`found`: value → (label, count)), and the chosen ones even when
        nothing is left in them, so that they can be unticked."""
        choices = [
            FacetChoice(value, str(label), count, value in chosen) for value, (label, count) in found.items()
        ]
        choices += [
            FacetChoice(value, str(label), 0, True) for value, label in chosen.items() if value not in found
        ]
        if sort_by_label:
            return Facet(name, legend, sorted(choices, key=lambda choice: choice.label.lower()))
        return Facet(name, legend, sorted(choices, key=lambda choice: int(choice.value.removeprefix("ML"))))

    def category_facet(self) -> Facet:
        """The category tree; a category's count includes its subcategories' products."""
        spec_names = [name for name in self.filters if name.startswith("spec_")]
        rows = self._product_groups(self._without("category", *spec_names), "category_id")
        own = {row["category_id"]: row["count"] for row in rows}
        categories = list(Category.objects.order_by("position", "name"))
        children = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category)
        chosen = self.values.get("category")
        keep = set(chosen.lineage_ids()) if chosen else set()

        def branch(parent_id) -> list[FacetChoice]:
            choices = []
            for category in children.get(parent_id, []):
                below = branch(category.pk)
                count = own.get(category.pk, 0) + sum(child.count for child in below)
                if count or category.pk in keep:
                    selected = chosen is not None and chosen.pk == category.pk
                    choices.append(FacetChoice(category.slug, category.name, count, selected, below))
            return choices

        return Facet("category", _("Category"), branch(None))

    def readiness_facet(self) -> Facet:
        rows = self._product_groups(self._without("trl_min"), "technology_readiness_level")
        per_level = {row["technology_readiness_level"]: row["count"] for row in rows}
        total = sum(per_level.values())
        chosen = self.values.get("trl_min")
        choices = []
        for level in range(9, 0, -1):
            count = sum(n for found, n in per_level.items() if found >= level)
            # Levels below the lowest one present would all repeat the total: offer them only when chosen.
            below_all = choices and choices[-1].count == total
            if (count and not below_all) or chosen == str(level):
                label = _("TRL 9") if level == 9 else _("TRL %(level)s or higher") % {"level": level}
                choices.append(FacetChoice(str(level), label, count, chosen == str(level)))
        return Facet("trl_min", _("Minimum technology readiness level"), choices)

    def spec_groups(self) -> list[dict]:
        """The chosen category's numeric specifications, each with its minimum and maximum fields."""
        return [
            {
                "attribute": attribute,
                "min": self.form[spec_filter_name(attribute, "min")],
                "max": self.form[spec_filter_name(attribute, "max")],
            }
            for attribute in self.spec_attributes
        ]

    def query_without(self, name: str, value: str | None = None, *also: str) -> str:
        """The current query string without one parameter (or one of its values) and without the page,
        empty parameters dropped so that shared links stay short."""
        params = QueryDict(mutable=True)
        for key, entries in self.data.lists():
            if key in ("page", *also) or (key == name and value is None):
                continue
            kept = [entry for entry in entries if entry != "" and not (key == name and entry == value)]
            if kept:
                params.setlist(key, kept)
        return f"?{params.urlencode()}" if params else ""

    def chips(self) -> list[Chip]:
        """Each active filter, as a link that removes just that filter."""
        values = self.values
        chips = []
        if self.search_query:
            chips.append(
                Chip(_("Search: “%(query)s”") % {"query": self.search_query}, self.query_without("q"))
            )
        category = values.get("category")
        if category:
            spec_names = [name for name in self.data if name.startswith("spec_")]
            label = _("Category: %(name)s") % {"name": category.name}
            chips.append(Chip(label, self.query_without("category", None, *spec_names)))
        for attribute in self.spec_attributes:
            unit = f" {attribute.unit}" if attribute.unit else ""
            for bound, text in (
                ("min", _("%(name)s at least %(value)s")),
                ("max", _("%(name)s at most %(value)s")),
            ):
                name = spec_filter_name(attribute, bound)
                if values.get(name) is not None:
                    shown = f"{values[name].normalize():f}{unit}"
                    chips.append(
                        Chip(text % {"name": attribute.name, "value": shown}, self.query_without(name))
                    )
        for hub in values.get("hub") or []:
            chips.append(Chip(_("Hub: %(name)s") % {"name": hub.name}, self.query_without("hub", hub.slug)))
        for code in values.get("country") or []:
            label = _("Hub country: %(name)s") % {"name": countries.name(code)}
            chips.append(Chip(label, self.query_without("country", code)))
        for maker in values.get("manufacturer") or []:
            label = _("Manufacturer: %(name)s") % {"name": maker.name}
            chips.append(Chip(label, self.query_without("manufacturer", maker.slug)))
        for code in values.get("ml") or []:
            chips.append(Chip(_("Military List: %(code)s") % {"code": code}, self.query_without("ml", code)))
        if values.get("trl_min"):
            label = _("TRL at least %(level)s") % {"level": values["trl_min"]}
            chips.append(Chip(label, self.query_without("trl_min")))
        for name in ("available", "combat_proven", "authorised"):
            if values.get(name) == YES:
                chips.append(Chip(str(self.filters[name].label), self.query_without(name)))
        if values.get("lead_time_max") is not None:
            label = _("Lead time at most %(weeks)s weeks") % {"weeks": values["lead_time_max"]}
            chips.append(Chip(label, self.query_without("lead_time_max")))
        return chips
