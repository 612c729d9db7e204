"""The catalogue's filters and sorting (the facet counts and chips around them: products/facets.py).

ProductFilter narrows the products an approved buyer may browse. Filters about where a product is offered
(hub, hub country, lead time, available now) look only at the listings visible to the buyer's organisation,
and all of them must hold for the same listing: "available in Poland within 4 weeks" means one listing that
is all three. A buyer never learns, through a filter or a count, of a listing that is not offered to their
country.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django_filters.constants import EMPTY_VALUES

from hubs.models import Hub, ListingDestination
from products.models import (
    Category,
    CategoryTree,
    CooperationForm,
    Manufacturer,
    MilitaryListCategory,
    Product,
    SpecAttribute,
)
from products.search import SearchPlan, match_products, plan_search, rank_products

SEARCH_MAX_LENGTH = 200
MAX_LEAD_TIME_WEEKS = 260
# SpecValue stores numbers with 14 digits, 3 of them decimals: a bound beyond that cannot be meant.
SPEC_MAX_DIGITS, SPEC_DECIMAL_PLACES = 14, 3
SPEC_LIMIT = Decimal(10 ** (SPEC_MAX_DIGITS - SPEC_DECIMAL_PLACES))
YES = "yes"

# Filters answered by the buyer's visible listings; applied together, as one condition on one listing.
LISTING_FILTERS = ("hub", "country", "lead_time_max", "available", "offered")

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


class ProductFilterForm(forms.Form):
    """The filters' form: a specification range whose minimum exceeds its maximum is an error on the
    maximum field (which is then left out), not a filter that silently matches nothing."""

    def clean(self):
        cleaned = super().clean()
        for name in list(self.fields):
            if not (name.startswith("spec_") and name.endswith("_min")):
                continue
            maximum_name = name.removesuffix("_min") + "_max"
            minimum, maximum = cleaned.get(name), cleaned.get(maximum_name)
            if minimum is not None and maximum is not None and minimum > maximum:
                self.add_error(
                    maximum_name,
                    forms.ValidationError(
                        _("The maximum, %(maximum)s, is less than the minimum, %(minimum)s."),
                        code="range_reversed",
                        params={"maximum": f"{maximum.normalize():f}", "minimum": f"{minimum.normalize():f}"},
                    ),
                )
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"{name}-error"
        return cleaned


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=gettext_lazy("Search"), method="filter_search", max_length=SEARCH_MAX_LENGTH
    )
    # Several may be chosen (products of any of them); the choices, the categories' slugs, come from the
    # tree the filter reads once (see __init__).
    category = django_filters.MultipleChoiceFilter(label=gettext_lazy("Category"), method="filter_category")
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
    # Products whose manufacturer is open to any of the chosen forms of cooperation (joint production).
    cooperation = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Open to cooperation"),
        choices=CooperationForm.choices,
        method="filter_cooperation",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    combat_proven = YesFilter(label=gettext_lazy("Combat-proven"), field_name="is_combat_proven")
    authorised = YesFilter(label=gettext_lazy("Authorised for use"), field_name="is_authorised_for_use")
    # The listing filters: see narrow_listings().
    hub = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("Hub"), queryset=Hub.objects.active(), to_field_name="slug"
    )
    country = django_filters.MultipleChoiceFilter(label=gettext_lazy("Hub country"), choices=country_choices)
    available = YesFilter(label=gettext_lazy("Available now"))
    # The catalogue shows every published product, and some have no listing offered to the buyer's country:
    # this keeps those with one that is open to expressions of interest (available or reserved, in date).
    offered = YesFilter(label=gettext_lazy("Offered to your country"))
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
        form = ProductFilterForm

    def __init__(self, data=None, queryset=None, *, organisation, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # The buyer's country's rows of listings at active hubs (hubs.ListingDestination, which carries the
        # listing's facts): every listing filter and count reads these. The products they are matched with
        # come from the queryset, the products the buyer may see, so these are the buyer's visible listings.
        self.offers = ListingDestination.objects.offered_to(
            organisation.country.code, at_hubs=Hub.objects.active().values("pk")
        )
        self.tree = CategoryTree.load(self.queryset.db)
        self.filters["category"].extra["choices"] = [
            (category.slug, category.name) for category in self.tree.categories
        ]
        self.chosen_categories = self._categories_from_data()
        # Several categories share the specifications of their nearest common ancestor (none without one).
        self.spec_category = self._common_category(self.chosen_categories)
        self.spec_attributes = []
        if self.spec_category is not None:
            self.spec_attributes = list(
                self.spec_category.spec_attributes().filter(
                    is_filterable=True,
                    value_type__in=[SpecAttribute.ValueType.NUMBER, SpecAttribute.ValueType.RANGE],
                )
            )
        for attribute in self.spec_attributes:
            for bound in ("min", "max"):
                spec_filter = SpecBoundFilter(attribute, bound)
                spec_filter.model, spec_filter.parent = Product, self
                self.filters[spec_filter_name(attribute, bound)] = spec_filter

    def _categories_from_data(self) -> list[Category]:
        """The chosen categories, read before validation: their attributes decide the form's fields."""
        slugs = (
            self.data.getlist("category") if hasattr(self.data, "getlist") else [self.data.get("category")]
        )
        chosen = []
        for slug in slugs:
            category = self.tree.by_slug.get(slug) if isinstance(slug, str) else None
            if category is not None and category not in chosen:
                chosen.append(category)
        return chosen

    @staticmethod
    def _common_category(categories: list[Category]) -> Category | None:
        """The nearest category that all of them are (or are below): one category is its own."""
        if not categories:
            return None
        common = set(categories[0].lineage_ids())
        for category in categories[1:]:
            common &= set(category.lineage_ids())
        return next((c for c in [categories[0], *categories[0].ancestors()] if c.pk in common), None)

    # Filtering

    def filter_search(self, queryset, name, value):
        # Matching only: the counts need no rank, and a rank costs a read of every match's text.
        return match_products(queryset, self.search_plan) if value.strip() else queryset

    @cached_property
    def search_plan(self) -> SearchPlan:
        """The query's words and their spellings, looked up once however many querysets the facets filter."""
        return plan_search(self.search_query, self.queryset.db)

    def filter_category(self, queryset, name, categories):
        # `categories`: Categories (self.values gives them), or the slugs the form cleaned.
        chosen = [self.tree.by_slug[c] if isinstance(c, str) else c for c in categories]
        ids = {pk for category in chosen for pk in self.tree.descendant_ids(category)}
        return queryset.filter(category_id__in=sorted(ids))

    def filter_cooperation(self, queryset, name, forms_chosen):
        return queryset.open_to(*forms_chosen)

    def narrow_offers(self, values: dict):
        """The buyer's listing rows that pass the listing filters in `values`, all on one and the same row."""
        offers = self.offers
        if values.get("hub"):
            offers = offers.filter(hub__in=values["hub"])
        if values.get("country"):
            offers = offers.filter(hub__country__in=values["country"])
        if values.get("lead_time_max") is not None:
            offers = offers.filter(lead_time_weeks__lte=values["lead_time_max"])
        if values.get("available") == YES:
            offers = offers.available()
        if values.get("offered") == YES:
            offers = offers.open_for_interest()
        return offers

    def filtered(self, values: dict):
        """The products that pass the given cleaned filter values (sorting aside)."""
        queryset = self.queryset.all()
        for name, value in values.items():
            if name in LISTING_FILTERS or name == "sort":
                continue
            queryset = self.filters[name].filter(queryset, value)
        if any(values.get(name) not in EMPTY_VALUES for name in LISTING_FILTERS):
            queryset = queryset.filter(Exists(self.narrow_offers(values).filter(product=OuterRef("pk"))))
        return queryset

    def filter_queryset(self, queryset):
        products = self.filtered(self.values).with_listing_summary(self.offers)
        if self.sort_key == SORT_RELEVANCE:
            products = rank_products(products, self.search_plan)
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
            if "category" in self._values:  # slugs: the categories, from the tree
                self._values["category"] = [self.tree.by_slug[slug] for slug in self._values["category"]]
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

    # Messages and the form's specification fields

    def error_messages(self) -> list[str]:
        messages = []
        for name, errors in self.errors.items():
            label = self.filters[name].label if name in self.filters else name
            messages.extend(f"{label}: {error}" for error in errors)
        return messages

    def spec_groups(self) -> list[dict]:
        """The chosen category's numeric specifications, each with its minimum and maximum fields."""
        groups = []
        for attribute in self.spec_attributes:
            minimum = self.form[spec_filter_name(attribute, "min")]
            maximum = self.form[spec_filter_name(attribute, "max")]
            groups.append(
                {"attribute": attribute, "min": minimum, "max": maximum, "bounds": (minimum, maximum)}
            )
        return groups
