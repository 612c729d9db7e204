"""What the catalogue shows around its results: facet counts, the active filters as chips, the sort options.

Facet counts say how many products each choice would show with the other active filters applied. They are
answered, with the number of results, by one statement (CatalogueFacets.counts): each distinct set of
filters the facets need is a common table expression computed once (MATERIALIZED, on PostgreSQL 12+ and
SQLite 3.35+), and every facet is a GROUP BY over its set, joined by UNION ALL. A page with no active filter
needs one set; each active filter that has a facet of its own adds one (its facet counts without it).

Several categories may be chosen (products of any of them). The category facet counts within the results,
so that it never has to count the whole catalogue without the category: with none chosen, every category with
results; with some chosen, each chosen category and the subcategories below it, while the other categories
are shown uncounted, to be ticked as well.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Case, F, IntegerField, When
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django_countries import countries
from django_filters.constants import EMPTY_VALUES

from hubs.models import Hub, available_condition, open_for_interest_condition
from products.filters import LISTING_FILTERS, SORT_CHOICES, YES, ProductFilter, spec_filter_name
from products.models import Manufacturer, MilitaryListCategory

# The most frequent choices a long facet shows (the chosen ones always show); the rest are a search away.
MAX_CHOICES = 15

# The product columns the counts group by, named so that they cannot clash in the statement.
PRODUCT_COLUMNS = {
    "facet_product": F("pk"),
    "facet_category": F("category_id"),
    "facet_manufacturer": F("manufacturer_id"),
    "facet_ml": F("military_list_category"),
    "facet_trl": F("technology_readiness_level"),
    "facet_combat_proven": F("is_combat_proven"),
    "facet_authorised": F("is_authorised_for_use"),
}
LISTING_COLUMNS = {
    "facet_product": F("product_id"),
    "facet_hub": F("hub_id"),
    "facet_country": F("hub__country"),
}
# Which product column each grouped facet counts, and the filter that facet leaves out of its own count.
PRODUCT_FACETS = {
    "category": ("facet_category", None),  # counts within the results: see the module's docstring
    "manufacturer": ("facet_manufacturer", "manufacturer"),
    "ml": ("facet_ml", "ml"),
    "trl_min": ("facet_trl", "trl_min"),
}
FLAG_FACETS = {"combat_proven": "facet_combat_proven", "authorised": "facet_authorised"}
LISTING_FACETS = {"hub": "facet_hub", "country": "facet_country"}
TOTAL = "total"


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int | None  # None: a category outside the chosen ones, not counted
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


@dataclass
class Correction:
    """A search with a mistyped word, spelled as the catalogue spells it, and the query string to run it."""

    text: str
    query: str


class _FacetStatement:
    """The one statement behind a page's counts: a MATERIALIZED common table expression per distinct set of
    filters (the products passing them) and per distinct set of listing filters (those products' rows of
    the buyer's listings), then the SELECTs that group them, joined by UNION ALL."""

    def __init__(self, product_filter: ProductFilter):
        self.filter = product_filter
        self.tables: dict[tuple, tuple[str, str, list]] = {}  # key: (name, sql, params)
        self.selects: list[tuple[str, list]] = []

    @staticmethod
    def _key(kind: str, values: dict) -> tuple:
        return (kind, *sorted((name, repr(value)) for name, value in values.items()))

    def _table(self, key: tuple, make) -> str:
        """The table that `make()` gives the SQL and parameters of, made once per key."""
        if key not in self.tables:
            self.tables[key] = (f"facet_table_{len(self.tables)}", *make())
        return self.tables[key][0]

    def base(self, values: dict) -> str:
        """The products that pass `values`, with the columns the counts group by."""

        # rewrite(False): django-modeltranslation's values() adds every column of the model to named
        # expressions (its emulation of values() without field names), which turned this narrow table, read
        # from a covering index, into a scan of the whole, wide products table.
        def rows():
            return self.filter.filtered(values).order_by().rewrite(False).values(**PRODUCT_COLUMNS)

        return self._table(self._key("products", values), lambda: rows().query.sql_with_params())

    def offers(self, values: dict) -> str:
        """The rows of the buyer's listings that pass the listing filters in `values`, of the products that
        pass all of `values`; `facet_available` is 1 for a listing available now, `facet_open` for one open to
        expressions of interest."""
        base = self.base(values)
        listing_values = {name: value for name, value in values.items() if name in LISTING_FILTERS}
        available = Case(When(available_condition(), then=1), default=0, output_field=IntegerField())
        open_ = Case(When(open_for_interest_condition(), then=1), default=0, output_field=IntegerField())

        def make():
            rows = self.filter.narrow_offers(listing_values).order_by()
            columns = rows.values(**LISTING_COLUMNS, facet_available=available, facet_open=open_)
            sql, params = columns.query.sql_with_params()
            # A join rather than IN (SELECT …): PostgreSQL knows how many rows the products' table holds, not
            # how many distinct ones, and would guess 200 and probe the index once per product.
            joined = (
                f"SELECT offer.* FROM ({sql}) AS offer JOIN {base} AS product "
                "ON product.facet_product = offer.facet_product"
            )
            return joined, params

        return self._table(self._key("offers", values), make)

    def select(self, sql: str, params: list):
        self.selects.append((sql, params))

    def execute(self) -> list[tuple]:
        # In the order they were made: an offers table refers to the products table made before it.
        tables = sorted(self.tables.values(), key=lambda table: int(table[0].rsplit("_", 1)[1]))
        statement = "WITH " + ", ".join(f"{name} AS MATERIALIZED ({sql})" for name, sql, _params in tables)
        statement += " " + " UNION ALL ".join(sql for sql, _params in self.selects)
        params = [
            *(param for _name, _sql, params in tables for param in params),
            *(param for _sql, params in self.selects for param in params),
        ]
        with connections[self.filter.queryset.db].cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()


class CatalogueFacets:
    """The facets, chips, sort options and number of results of one catalogue request."""

    def __init__(self, product_filter: ProductFilter):
        self.filter = product_filter
        self.values = product_filter.values

    # Counting

    def _without(self, *names) -> dict:
        """The active filters' values but those named (and the sort, which filters nothing)."""
        return {
            name: value
            for name, value in self.values.items()
            if name not in names and name != "sort" and value not in EMPTY_VALUES
        }

    @cached_property
    def counts(self) -> dict[str, dict[str, int]]:
        """{facet: {value: number of products}}, and {"total": {"": results}}: one statement."""
        statement = _FacetStatement(self.filter)
        everything = self._without()
        total = statement.base(everything)
        statement.select(f"SELECT %s, '', COUNT(*) FROM {total}", [TOTAL])
        for name, (column, own_filter) in PRODUCT_FACETS.items():
            base = statement.base(self._without(own_filter) if own_filter else everything)
            statement.select(
                f"SELECT %s, CAST({column} AS TEXT), COUNT(*) FROM {base} GROUP BY {column}", [name]
            )
        for name, column in FLAG_FACETS.items():
            # A ticked box counts what is shown; an unticked one, what ticking it would leave.
            counted = "COUNT(*)" if self._active(name) else f"SUM(CASE WHEN {column} THEN 1 ELSE 0 END)"
            statement.select(f"SELECT %s, %s, {counted} FROM {total}", [name, YES])
        for name, column in LISTING_FACETS.items():
            offers = statement.offers(self._without(name))
            statement.select(
                f"SELECT %s, CAST({column} AS TEXT), COUNT(DISTINCT facet_product) FROM {offers} "
                f"GROUP BY {column}",
                [name],
            )
        for name, column in (("available", "facet_available"), ("offered", "facet_open")):
            if self._active(name):
                statement.select(f"SELECT %s, %s, COUNT(*) FROM {total}", [name, YES])
            else:
                offers = statement.offers(everything)
                statement.select(
                    f"SELECT %s, %s, COUNT(DISTINCT CASE WHEN {column} = 1 THEN facet_product END) "
                    f"FROM {offers}",
                    [name, YES],
                )
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for facet, value, count in statement.execute():
            if value is not None and count:
                counts[facet][value] = int(count)
        return dict(counts)

    def _active(self, name: str) -> bool:
        return self.values.get(name) not in EMPTY_VALUES

    @property
    def total(self) -> int:
        return self.counts.get(TOTAL, {}).get("", 0)

    # Facets

    def facets(self) -> dict[str, Facet]:
        counts = self.counts
        values = self.values
        facets = {"category": self.category_facet()}

        hubs = {str(hub.pk): hub for hub in Hub.objects.active()}
        found = {
            hubs[pk].slug: (hubs[pk].name, count) for pk, count in counts.get("hub", {}).items() if pk in hubs
        }
        chosen = {hub.slug: hub.name for hub in values.get("hub") or []}
        facets["hub"] = self._facet("hub", _("Hub"), found, chosen)

        found = {code: (countries.name(code), count) for code, count in counts.get("country", {}).items()}
        chosen = {code: countries.name(code) for code in values.get("country") or []}
        facets["country"] = self._facet("country", _("Hub country"), found, chosen)

        manufacturer_counts = counts.get("manufacturer", {})
        chosen_makers = values.get("manufacturer") or []
        shown = {
            pk for pk, _count in sorted(manufacturer_counts.items(), key=lambda item: -item[1])[:MAX_CHOICES]
        }
        makers = Manufacturer.objects.filter(pk__in=shown).only("pk", "slug", "name")
        found = {maker.slug: (maker.name, manufacturer_counts[str(maker.pk)]) for maker in makers}
        chosen = {maker.slug: maker.name for maker in chosen_makers}
        found.update(
            {
                maker.slug: (maker.name, manufacturer_counts.get(str(maker.pk), 0))
                for maker in chosen_makers
                if str(maker.pk) in manufacturer_counts
            }
        )
        facets["manufacturer"] = self._facet("manufacturer", _("Manufacturer"), found, chosen)

        found = {
            code: (MilitaryListCategory(code).label, count)
            for code, count in counts.get("ml", {}).items()
            if code in MilitaryListCategory.values
        }
        chosen = {code: MilitaryListCategory(code).label for code in values.get("ml") or []}
        facets["ml"] = self._facet("ml", _("EU Military List category"), found, chosen, sort_by_label=False)

        facets["trl_min"] = self.readiness_facet()
        facets["availability"] = Facet(
            "availability", _("Availability"), [self._yes_choice("offered"), self._yes_choice("available")]
        )
        facets["status"] = Facet(
            "status", _("Status"), [self._yes_choice("combat_proven"), self._yes_choice("authorised")]
        )
        return facets

    def _yes_choice(self, name: str) -> FacetChoice:
        """A checkbox filter's choice, counted as if it were ticked."""
        count = self.counts.get(name, {}).get(YES, 0)
        return FacetChoice(name, str(self.filter.filters[name].label), count, self.values.get(name) == YES)

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
        """Without a chosen category, the tree of categories with results, each counting its subcategories'
        products. With some: the whole tree, the chosen categories and those below them counted within the
        results, the others uncounted (ways to widen the choice)."""
        own = {int(pk): count for pk, count in self.counts.get("category", {}).items()}
        children = self.filter.tree.children
        chosen = {category.pk for category in self.values.get("category") or []}

        def branch(parent_id, counted: bool) -> list[FacetChoice]:
            choices = []
            for category in children.get(parent_id, []):
                inside = counted or category.pk in chosen
                below = branch(category.pk, inside)
                count = None
                if inside:
                    count = own.get(category.pk, 0) + sum(child.count or 0 for child in below)
                if count or category.pk in chosen or (chosen and not inside) or below:
                    choices.append(
                        FacetChoice(category.slug, category.name, count, category.pk in chosen, below)
                    )
            return choices

        return Facet("category", _("Category"), branch(None, not chosen))

    def readiness_facet(self) -> Facet:
        per_level = {int(level): count for level, count in self.counts.get("trl_min", {}).items()}
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

    # Chips and sorting

    def query_without(self, name: str, value: str | None = None, *also: str) -> str:
        """The current query string without one parameter (or one of its values) and without the page,
        empty parameters dropped so that shared links stay short."""
        params = QueryDict(mutable=True)
        for key, entries in self.filter.data.lists():
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
        if self.filter.search_query:
            label = _("Search: “%(query)s”") % {"query": self.filter.search_query}
            chips.append(Chip(label, self.query_without("q")))
        spec_names = [name for name in self.filter.data if name.startswith("spec_")]
        for category in values.get("category") or []:
            # The specifications filtered by belong to the chosen categories: they go with any of them.
            label = _("Category: %(name)s") % {"name": category.name}
            chips.append(Chip(label, self.query_without("category", category.slug, *spec_names)))
        for attribute in self.filter.spec_attributes:
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
        for name in ("offered", "available", "combat_proven", "authorised"):
            if values.get(name) == YES:
                chips.append(Chip(str(self.filter.filters[name].label), self.query_without(name)))
        if values.get("lead_time_max") is not None:
            label = _("Lead time at most %(weeks)s weeks") % {"weeks": values["lead_time_max"]}
            chips.append(Chip(label, self.query_without("lead_time_max")))
        return chips

    def correction(self) -> Correction | None:
        """The search with each word the catalogue does not know replaced by the closest one it does
        ("jamer" → "jammer"), to offer as "Did you mean …?"; None when no word was corrected."""
        query = self.filter.search_query
        corrections = self.filter.search_plan.corrections if query else {}
        if not corrections:
            return None
        text = query
        for word, correction in corrections.items():
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", correction, text, flags=re.IGNORECASE)
        params = QueryDict(mutable=True)
        for key, entries in self.filter.data.lists():
            if key != "page":
                params.setlist(key, [text] if key == "q" else [entry for entry in entries if entry != ""])
        return Correction(text, f"?{params.urlencode()}")

    def sort_options(self) -> list[tuple[str, str]]:
        """The sort select's options: the empty value is the default (best match when searching)."""
        if self.filter.search_query:
            return [("", _("Best match")), *((key, str(label)) for key, label in SORT_CHOICES[1:])]
        return [("", _("Name")), *((key, str(label)) for key, label in SORT_CHOICES[2:])]
