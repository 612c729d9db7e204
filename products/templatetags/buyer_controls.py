"""The buyer's own controls on a product: mark it for comparison, add it to the shortlist.

They are the only per-buyer part of a catalogue card (the rest is cached for every buyer of a country,
products/caching.py), so a page renders one pair per card on every request. They are built here with
format_html rather than included templates: a catalogue page of 24 cards spent most of its rendering time
in those includes (about 80 µs each). The CSRF token and the URLs are read once per page.

    {% load buyer_controls %}
    {% compare_toggle product %}   needs `compared_ids` (products.compare.compared_ids) in the context
    {% shortlist_button product %}
    {% product_card card %}        a catalogue card with both under it

`product` is anything with `pk`, `name` and `requestable` (products.views.ProductRef, or a cached card): the
shortlist button is offered only where a listing open to expressions of interest is offered to the buyer's
country, and a short note stands in its place elsewhere. With static/js/compare.js the
comparison toggles work without a reload; without it the forms post and the buyer comes back to the page.
"""

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from products.compare import MAX_COMPARED

register = template.Library()


def _page_values(context) -> dict:
    """What every control on the page shares, computed once per render."""
    values = context.render_context.get("buyer_controls")
    if values is None:
        request = context["request"]
        values = {
            "csrf": get_token(request),
            "next": request.get_full_path(),
            "compare_url": reverse("compare_toggle"),
            "shortlist_url": reverse("shortlist_add"),
            "add": _("Add to comparison"),
            "remove": _("Remove from comparison"),
            "full": _("Comparison full (4)"),  # 4: MAX_COMPARED
            "shortlist": _("Add to shortlist"),
            "not_requestable": _("Not open to expressions of interest from your country at present"),
            # Staff previewing the catalogue (products/preview.py) may not mark or shortlist anything.
            "preview": getattr(request, "catalogue_preview", None) is not None,
        }
        context.render_context["buyer_controls"] = values
    return values


@register.simple_tag(takes_context=True)
def compare_toggle(context, product):
    """A button that marks or unmarks the product for comparison; disabled, with a hint, when four other
    products are marked. The product's name is part of its accessible name: a page has many of these."""
    values = _page_values(context)
    if values["preview"]:
        return ""
    compared = context.get("compared_ids") or []
    marked = product.pk in compared
    full = not marked and len(compared) >= MAX_COMPARED
    hint_id = f"compare-hint-{product.pk}"
    return format_html(
        '<form method="post" action="{}" class="compare-toggle" data-compare-toggle data-label-add="{}" '
        'data-label-remove="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="product" value="{}"><input type="hidden" name="next" value="{}">'
        '<input type="hidden" name="action" value="{}">'
        '<button type="submit" class="btn btn-sm btn-outline-primary" aria-pressed="{}"{}>'
        '<span data-compare-label>{}</span><span class="visually-hidden"> ({})</span></button>'
        '<span class="form-text compare-toggle-hint" id="{}" data-compare-hint{}>{}</span></form>',
        values["compare_url"],
        values["add"],
        values["remove"],
        values["csrf"],
        product.pk,
        values["next"],
        "remove" if marked else "add",
        "true" if marked else "false",
        format_html(' disabled aria-describedby="{}"', hint_id) if full else "",
        values["remove"] if marked else values["add"],
        product.name,
        hint_id,
        "" if full else " hidden",
        values["full"],
    )


@register.simple_tag(takes_context=True)
def shortlist_button(context, product):
    """Adds the product to the buyer's shortlist; the buyer comes back to the page. Adding twice is
    harmless, so the button needs no state (and the page no query)."""
    values = _page_values(context)
    if values["preview"]:
        return ""
    if not product.requestable:
        return format_html('<p class="small text-body-secondary mb-0">{}</p>', values["not_requestable"])
    return format_html(
        '<form method="post" action="{}" class="shortlist-add">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="product" value="{}"><input type="hidden" name="next" value="{}">'
        '<button type="submit" class="btn btn-sm btn-outline-secondary">{}'
        '<span class="visually-hidden"> ({})</span></button></form>',
        values["shortlist_url"],
        values["csrf"],
        product.pk,
        values["next"],
        values["shortlist"],
        product.name,
    )


@register.simple_tag(takes_context=True)
def product_card(context, card):
    """A catalogue card: its content, cached for every buyer of a country (products.views.ProductCard), and
    the buyer's own controls under it."""
    return format_html(
        '<article class="card h-100 product-card">{}'
        '<div class="card-footer bg-transparent d-flex flex-wrap gap-2">{}{}</div></article>',
        card.body,
        compare_toggle(context, card),
        shortlist_button(context, card),
    )
