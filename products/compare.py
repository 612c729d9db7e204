"""Compare: a buyer marks up to four products and sees them side by side, attribute by attribute.

The marked product ids live in the session under one key, in the order they were marked. The comparison is
built as plain data (`build_comparison`, `comparison_rows`): which rows differ and which cells hold the best
value are decided here, in Python, and tested without HTTP; the template only shows them.

Queries: the products with their manufacturer and category lineage (one), their images, specification
values and the documents the buyer may download (three prefetches), the attributes of all their categories
(one), and the shortest lead times (one grouped query): the same six however many products are compared.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Min, Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hubcatalog.formatting import format_money
from hubs.models import Listing, available_condition
from partners.access import approved_buyer_required
from products.caching import cached
from products.models import (
    MAX_CATEGORY_DEPTH,
    Product,
    ProductDocument,
    ProductImage,
    SpecAttribute,
    SpecValue,
)

MAX_COMPARED = 4
SESSION_KEY = "compared_products"
MISSING = "—"

Direction = SpecAttribute.Direction


def compared_ids(request) -> list[int]:
    """The ids of the products the buyer marked for comparison, in the order marked, at most four."""
    stored = request.session.get(SESSION_KEY)
    ids: list[int] = []
    if isinstance(stored, list):
        for value in stored:
            if type(value) is int and value > 0 and value not in ids:
                ids.append(value)
    return ids[:MAX_COMPARED]


def _store_compared_ids(request, ids: list[int]) -> None:
    request.session[SESSION_KEY] = ids[:MAX_COMPARED]


def comparable_product(request, pk: int) -> Product:
    """The product a buyer names to mark or unmark: one their organisation may see, else 404."""
    return get_object_or_404(Product.objects.visible_to(request.organisation), pk=pk)


# The comparison as plain data.


@dataclass
class Cell:
    text: str
    note: str = ""
    is_best: bool = False

    @property
    def is_missing(self) -> bool:
        return self.text == MISSING


@dataclass
class ComparisonRow:
    label: str
    cells: list[Cell]
    direction: str = Direction.NEUTRAL
    differs: bool = False

    @property
    def direction_label(self) -> str:
        if self.direction == Direction.HIGHER_IS_BETTER:
            return _("higher is better")
        if self.direction == Direction.LOWER_IS_BETTER:
            return _("lower is better")
        return ""

    @property
    def has_best(self) -> bool:
        return any(cell.is_best for cell in self.cells)


@dataclass
class Column:
    product: Product
    image: ProductImage | None
    documents: list[ProductDocument] = field(default_factory=list)


@dataclass
class Comparison:
    columns: list[Column] = field(default_factory=list)
    overview: list[ComparisonRow] = field(default_factory=list)
    specifications: list[ComparisonRow] = field(default_factory=list)
    availability: list[ComparisonRow] = field(default_factory=list)

    @property
    def products(self) -> list[Product]:
        return [column.product for column in self.columns]

    @property
    def has_documents(self) -> bool:
        return any(column.documents for column in self.columns)

    @property
    def mixes_categories(self) -> bool:
        return len({column.product.category_id for column in self.columns}) > 1

    def only_differences(self) -> "Comparison":
        return Comparison(
            columns=self.columns,
            overview=[row for row in self.overview if row.differs],
            specifications=[row for row in self.specifications if row.differs],
            availability=[row for row in self.availability if row.differs],
        )


def make_row(
    label: str, texts: list[str], keys: list[Any], *, direction=Direction.NEUTRAL, notes=None
) -> ComparisonRow:
    """One row: the cells' texts, and the keys their best value is chosen by (None where there is none).

    A row differs when its cells do not all read the same ("—" included). Where the row has a direction and
    at least two cells have a value, not all equal, the cells with the highest (or lowest) value are the best.
    """
    notes = notes or [""] * len(texts)
    cells = [Cell(text=text, note=note) for text, note in zip(texts, notes, strict=True)]
    present = [key for key in keys if key is not None]
    if direction in (Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER) and len(set(present)) > 1:
        best = max(present) if direction == Direction.HIGHER_IS_BETTER else min(present)
        for cell, key in zip(cells, keys, strict=True):
            cell.is_best = key is not None and key == best
    differs = len({(cell.text, cell.note) for cell in cells}) > 1
    return ComparisonRow(label=label, cells=cells, direction=direction, differs=differs)


def products_for_comparison(organisation, ids: list[int]) -> list[Product]:
    """The marked products the organisation may see, in the order marked, with what the table shows (the
    documents it may download as `visible_documents`)."""
    lineage = "category" + "__parent" * (MAX_CATEGORY_DEPTH - 1)
    products = (
        Product.objects.visible_to(organisation)
        .filter(pk__in=ids)
        .select_related("manufacturer", lineage)
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "pk")),
            Prefetch("spec_values", queryset=SpecValue.objects.select_related("attribute")),
            Prefetch(
                "documents",
                queryset=ProductDocument.objects.visible_to(organisation),
                to_attr="visible_documents",
            ),
        )
        .with_cooperation()
    )
    by_id = {product.pk: product for product in products}
    return [by_id[pk] for pk in ids if pk in by_id]


def comparable_attributes(products: list[Product]) -> list[SpecAttribute]:
    """The union of the products' specification schemas (only attributes shown in comparisons), in schema
    order: the first product's schema as Category.spec_attributes() orders it (the root's attributes first,
    then each level down), then what the next product's schema adds, and so on. One query."""
    lineages = [list(reversed(product.category.lineage_ids())) for product in products]
    category_ids = {pk for lineage in lineages for pk in lineage}
    attributes = list(
        SpecAttribute.objects.filter(category_id__in=category_ids, is_comparable=True).order_by(
            "position", "name"
        )
    )
    ordered: list[SpecAttribute] = []
    for lineage in lineages:
        for category_id in lineage:
            ordered.extend(
                attribute
                for attribute in attributes
                if attribute.category_id == category_id and attribute not in ordered
            )
    return ordered


def _sort_key(value: SpecValue, direction: str):
    """What a value is ranked by: the number; for a range, the end the direction looks at."""
    attribute = value.attribute
    if attribute.value_type == SpecAttribute.ValueType.NUMBER:
        return value.number
    if attribute.value_type == SpecAttribute.ValueType.RANGE:
        return value.number_max if direction == Direction.HIGHER_IS_BETTER else value.number
    return None


def specification_lines(attributes: list[SpecAttribute]) -> list[tuple[str, list[SpecAttribute]]]:
    """The attributes as rows: one attribute that several categories define alike (same slug, unit and type:
    the range in km of a drone and of a boat) is one row; a name used twice with different units gets its
    unit in the label ("Endurance (min)", "Endurance (h)")."""
    groups: dict[tuple[str, str, str], list[SpecAttribute]] = {}
    for attribute in attributes:
        groups.setdefault((attribute.slug, attribute.unit, attribute.value_type), []).append(attribute)
    names = Counter(str(group[0].name) for group in groups.values())
    lines = []
    for group in groups.values():
        first = group[0]
        label = str(first.name)
        if names[label] > 1 and first.unit:
            label = f"{label} ({first.unit})"
        lines.append((label, group))
    return lines


def comparison_rows(products: list[Product], attributes: list[SpecAttribute]) -> list[ComparisonRow]:
    """One row per attribute; each cell the product's value as read ("40 km") or "—" when it has none.

    Expects the products' spec_values prefetched with their attributes (products_for_comparison does).
    """
    values = [{value.attribute_id: value for value in product.spec_values.all()} for product in products]
    rows = []
    for label, group in specification_lines(attributes):
        directions = {
            attribute.direction if attribute.is_numeric else Direction.NEUTRAL for attribute in group
        }
        direction = directions.pop() if len(directions) == 1 else Direction.NEUTRAL
        found = [
            next((by_attribute[attribute.pk] for attribute in group if attribute.pk in by_attribute), None)
            for by_attribute in values
        ]
        rows.append(
            make_row(
                label,
                [value.display() if value else MISSING for value in found],
                [_sort_key(value, direction) if value else None for value in found],
                direction=direction,
            )
        )
    return rows


def _yes_no(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def overview_rows(products: list[Product]) -> list[ComparisonRow]:
    """The rows every product has: maker, category, export control, readiness and the ministry's flags."""

    def row(label, texts, keys=None, **options):
        return make_row(str(label), [str(text) for text in texts], keys or [None] * len(texts), **options)

    controls = [
        product.get_military_list_category_display() or _("Dual-use (EU Regulation 2021/821)")
        for product in products
    ]
    readiness = [product.technology_readiness_level for product in products]
    return [
        row(_("Manufacturer"), [product.manufacturer.name for product in products]),
        row(_("Category"), [product.category for product in products]),
        row(_("EU Military List category"), controls),
        row(_("Technology readiness level"), readiness, readiness, direction=Direction.HIGHER_IS_BETTER),
        row(_("Combat-proven"), [_yes_no(product.is_combat_proven) for product in products]),
        row(_("Authorised for use"), [_yes_no(product.is_authorised_for_use) for product in products]),
        row(_("Codified"), [_yes_no(product.is_codified) for product in products]),
        row(_("Open to cooperation"), [cooperation_text(product) for product in products]),
    ]


def cooperation_text(product: Product) -> str:
    """The forms of cooperation the product's manufacturer is open to (prefetched), or "No"."""
    labels = [offer.get_form_display() for offer in product.cooperation_offers.all()]
    return ", ".join(labels) if labels else _("No")


def availability_rows(products: list[Product], organisation) -> list[ComparisonRow]:
    """The shortest lead time among the listings the buyer may see that are available now, and the lowest
    indicative unit price among all the listings the buyer may see. One query."""
    available = available_condition()
    found = {
        entry["product_id"]: entry
        for entry in Listing.objects.visible_to(organisation)
        .filter(product_id__in=[product.pk for product in products])
        .order_by()
        .values("product_id")
        .annotate(
            shortest=Min("lead_time_weeks", filter=available),
            hubs=Count("hub_id", distinct=True, filter=available),
            lowest_price=Min("unit_price_eur"),
        )
    }
    return [lead_time_row(products, found), price_row(products, found)]


def price_row(products: list[Product], found: dict[int, dict]) -> ComparisonRow:
    """The lowest indicative unit price ("from €1,200"), or "Price on request" when listed without one."""
    texts, keys = [], []
    for product in products:
        entry = found.get(product.pk)
        price = entry["lowest_price"] if entry else None
        if entry is None:
            texts.append(MISSING)
        elif price is None:
            texts.append(_("Price on request"))
        else:
            texts.append(_("from %(price)s") % {"price": format_money(price)})
        keys.append(price)
    return make_row(_("Indicative unit price"), texts, keys)


def lead_time_row(products: list[Product], found: dict[int, dict]) -> ComparisonRow:
    texts, notes, keys = [], [], []
    for product in products:
        entry = found.get(product.pk)
        if entry is None or entry["shortest"] is None:
            texts.append(MISSING)
            notes.append(_("No available listing"))
            keys.append(None)
            continue
        weeks, hubs = entry["shortest"], entry["hubs"]
        texts.append(ngettext("%(weeks)d week", "%(weeks)d weeks", weeks) % {"weeks": weeks})
        notes.append(ngettext("at %(hubs)d hub", "at %(hubs)d hubs", hubs) % {"hubs": hubs})
        keys.append(weeks)
    label = _("Shortest lead time")
    return make_row(label, texts, keys, direction=Direction.LOWER_IS_BETTER, notes=notes)


def build_comparison(organisation, ids: list[int]) -> Comparison:
    products = products_for_comparison(organisation, ids)
    if not products:
        return Comparison()
    columns = []
    for product in products:
        images = list(product.images.all())
        columns.append(
            Column(product=product, image=images[0] if images else None, documents=product.visible_documents)
        )
    return Comparison(
        columns=columns,
        overview=overview_rows(products),
        specifications=comparison_rows(products, comparable_attributes(products)),
        availability=availability_rows(products, organisation),
    )


# Views.


class ToggleForm(forms.Form):
    TOGGLE, ADD, REMOVE, CLEAR = "toggle", "add", "remove", "clear"

    product = forms.IntegerField(min_value=1, required=False)
    action = forms.ChoiceField(
        choices=[
            (TOGGLE, gettext_lazy("Add or remove")),
            (ADD, gettext_lazy("Add")),
            (REMOVE, gettext_lazy("Remove")),
            (CLEAR, gettext_lazy("Clear")),
        ],
        required=False,
    )
    next = forms.CharField(required=False, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("action") != self.CLEAR
            and cleaned.get("product") is None
            and "product" not in self.errors
        ):
            self.add_error("product", gettext_lazy("Choose a product to compare."))
        return cleaned


def _wants_json(request) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("compare")


@require_POST
@approved_buyer_required
def toggle(request):
    """Mark or unmark a product for comparison (or clear them all), then go back where the buyer was."""
    form = ToggleForm(request.POST)
    if not form.is_valid():
        problem = " ".join(str(error) for errors in form.errors.values() for error in errors)
        if _wants_json(request):
            return JsonResponse({"message": problem}, status=400)
        messages.error(request, problem)
        return _render_compare(request, status=400)

    ids = compared_ids(request)
    action = form.cleaned_data["action"] or ToggleForm.TOGGLE
    level, status = messages.SUCCESS, 200
    product = None
    if action == ToggleForm.CLEAR:
        ids = []
        message = _("The comparison is empty now.")
    else:
        product = comparable_product(request, form.cleaned_data["product"])
        marked = product.pk in ids
        if action == ToggleForm.TOGGLE:
            action = ToggleForm.REMOVE if marked else ToggleForm.ADD
        if action == ToggleForm.REMOVE:
            if marked:
                ids.remove(product.pk)
            message = _("%(product)s is no longer in the comparison.") % {"product": product.name}
        elif not marked and len(ids) >= MAX_COMPARED:
            level, status = messages.WARNING, 409
            message = _(
                "You can compare up to %(maximum)d products. Remove one before adding %(product)s."
            ) % {"maximum": MAX_COMPARED, "product": product.name}
        else:
            if not marked:
                ids.append(product.pk)
            message = _("%(product)s is in the comparison (%(count)d of %(maximum)d).") % {
                "product": product.name,
                "count": len(ids),
                "maximum": MAX_COMPARED,
            }
    if status == 200:
        _store_compared_ids(request, ids)

    if _wants_json(request):
        return JsonResponse(
            {
                "message": message,
                "product": product.pk if product else None,
                "compared": ids,
                "count": len(ids),
                "maximum": MAX_COMPARED,
                "full": len(ids) >= MAX_COMPARED,
            },
            status=status,
        )
    messages.add_message(request, level, message)
    return redirect(_safe_next(request, form.cleaned_data["next"]))


def comparison_content(request, ids: list[int], wants_differences: bool) -> tuple[Comparison, bool, str]:
    """The comparison of the marked products, whether it shows only the differing rows, and its rows
    rendered: the same for every buyer of the organisation's country, so the page caches them."""
    comparison = build_comparison(request.organisation, ids)
    only_differences = wants_differences and len(comparison.columns) > 1
    shown = comparison.only_differences() if only_differences else comparison
    sections = render_to_string("products/includes/compare_sections.html", {"comparison": shown}, request)
    return comparison, only_differences, sections


def _render_compare(request, status: int = 200):
    ids = compared_ids(request)
    wants_differences = request.GET.get("show") == "differences"
    parts = ("compare", request.organisation.country.code, get_language(), wants_differences, *ids)
    comparison, only_differences, sections = cached(
        request, parts, lambda: comparison_content(request, ids, wants_differences)
    )
    visible_ids = [product.pk for product in comparison.products]
    if visible_ids != ids:
        # Products withdrawn (or no longer visible) since they were marked drop out silently.
        _store_compared_ids(request, visible_ids)
    context = {
        "comparison": comparison,
        "sections": sections,
        "only_differences": only_differences,
        "compared_ids": visible_ids,
        "maximum": MAX_COMPARED,
    }
    return render(request, "products/compare.html", context, status=status)


@require_GET
@approved_buyer_required(preview=True)
def compare(request):
    """The marked products side by side: what they are, their specifications, how soon they are available."""
    return _render_compare(request)
