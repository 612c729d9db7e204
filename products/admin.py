"""The catalogue's admin: categories and their specification schema, manufacturers, products.

Catalogue editors (a group created by hubs/migrations/0002_staff_groups.py) edit all of it; hub coordinators
may only view it, which is what the listing form's product autocomplete needs.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from audit.admin import AuditedAdmin
from audit.models import PRODUCT_ACTIONS
from products.forms import (
    ProductAdminForm,
    ProductDocumentForm,
    ProductImageForm,
    ProductImageFormSet,
    SpecValueForm,
    SpecValueFormSet,
)
from products.models import (
    MAX_CATEGORY_DEPTH,
    Category,
    Manufacturer,
    Product,
    ProductCooperation,
    ProductDocument,
    ProductImage,
    SpecAttribute,
    SpecValue,
)
from products.search import search_products

# A category's name in lists is its path from the root ("Unmanned aerial systems → Strike/FPV"): joining the
# whole chain of parents lets str() walk it without a query per row.
CATEGORY_PATH = "__".join(["parent"] * (MAX_CATEGORY_DEPTH - 1))


class CategoryPathListFilter(admin.RelatedFieldListFilter):
    """The category filter, listing categories by their path, sorted as a tree, in one query."""

    def field_choices(self, field, request, model_admin):
        categories = Category.objects.select_related(CATEGORY_PATH)
        return sorted(((category.pk, str(category)) for category in categories), key=lambda choice: choice[1])


# Translated fields (products/translation.py) are edited side by side, a field per language (`name_en`,
# `name_uk`, …): modeltranslation's admin classes expand the field names given here.
class SpecAttributeInline(TranslationTabularInline):
    model = SpecAttribute
    fields = [
        "name",
        "slug",
        "unit",
        "value_type",
        "choices",
        "direction",
        "is_required",
        "is_filterable",
        "is_comparable",
        "position",
    ]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "choices":
            # A one-line JSON list fits a table row better than the default textarea.
            field.widget = admin.widgets.AdminTextInputWidget(attrs={"placeholder": '["Day", "Night"]'})
        return field


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, TranslationAdmin):
    list_display = ["__str__", "position", "attribute_count", "product_count"]
    list_select_related = [CATEGORY_PATH]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    # Spelled out: the model's default ordering does not apply to an annotated (GROUP BY) queryset.
    ordering = ["position", "name"]
    fields = ["name", "slug", "parent", "position", "description"]
    inlines = [SpecAttributeInline]

    class Media:
        css = {"all": ["admin-extra/admin.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                attribute_count=Count("attributes", distinct=True),
                product_count=Count("products", distinct=True),
            )
        )

    @admin.display(description=_("specification attributes"), ordering="attribute_count")
    def attribute_count(self, category):
        return category.attribute_count

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, category):
        return category.product_count


@admin.register(SpecAttribute)
class SpecAttributeAdmin(AuditedAdmin, TranslationAdmin):
    list_display = [
        "name",
        "category",
        "value_type",
        "unit",
        "direction",
        "is_required",
        "is_filterable",
        "is_comparable",
        "position",
    ]
    list_filter = ["value_type", "is_required", "is_filterable", ("category", CategoryPathListFilter)]
    list_select_related = [f"category__{CATEGORY_PATH}"]
    search_fields = ["name", "slug", "category__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["category"]


@admin.register(Manufacturer)
class ManufacturerAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "city", "is_verified", "website", "product_count"]
    list_filter = ["is_verified"]
    search_fields = ["name", "city"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["name"]
    # A website typed without its scheme ("maker.example.ua") is taken as https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description=_("products"), ordering="product_count")
    def product_count(self, manufacturer):
        return manufacturer.product_count


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    formset = ProductImageFormSet
    fields = ["preview", "image", "alt_text", "position"]
    readonly_fields = ["preview"]
    extra = 1

    @admin.display(description=_("preview"))
    def preview(self, image):
        if not image.pk or not image.thumbnail:
            return self.get_empty_value_display()
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" class="hc-thumbnail"></a>',
            image.large.url if image.large else image.image.url,
            image.thumbnail.url,
            image.alt_text,
        )


class SpecValueInline(admin.TabularInline):
    model = SpecValue
    form = SpecValueForm
    formset = SpecValueFormSet
    extra = 0
    verbose_name_plural = _("specifications")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "attribute" and isinstance(field.widget, admin.widgets.RelatedFieldWidgetWrapper):
            # Attributes are edited with their category: no add/change/delete icons in every row.
            field.widget = field.widget.widget
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("attribute")


class ProductDocumentInline(admin.TabularInline):
    model = ProductDocument
    form = ProductDocumentForm
    fields = ["kind", "title", "audience", "file", "file_name", "page_count", "size"]
    readonly_fields = ["file_name", "page_count", "size"]
    extra = 0

    @admin.display(description=_("stored file"))
    def file_name(self, document):
        return document.file.name if document.file else self.get_empty_value_display()

    @admin.display(description=_("size"))
    def size(self, document):
        if document.size_bytes is None:
            return self.get_empty_value_display()
        return filesizeformat(document.size_bytes)


class ProductCooperationInline(admin.StackedInline):
    """The forms of cooperation the manufacturer is open to, kept with the product by catalogue editors (hub
    coordinators keep those of the products their hubs coordinate in their own list, hubs.admin)."""

    model = ProductCooperation
    extra = 0
    fields = [
        "form",
        ("minimum_annual_volume", "volume_unit", "months_to_first_output"),
        "partner_provides",
        "stays_in_ukraine",
        "notes",
    ]

    @staticmethod
    def _edits_products(request) -> bool:
        # A coordinator who may edit offers but not the product could not save the product's page.
        return request.user.has_perm("products.change_product")

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._edits_products(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._edits_products(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._edits_products(request)


@admin.register(Product)
class ProductAdmin(AuditedAdmin, TranslationAdmin):
    audit_actions = PRODUCT_ACTIONS
    form = ProductAdminForm
    list_display = [
        "name",
        "manufacturer",
        "category",
        "status",
        "military_list",
        "readiness_level",
        "is_combat_proven",
        "image_count",
        "published_at",
    ]
    list_filter = [
        "status",
        ("category", CategoryPathListFilter),
        "manufacturer",
        "military_list_category",
        "is_combat_proven",
        "is_dual_use",
        "is_authorised_for_use",
        "is_codified",
    ]
    list_select_related = ["manufacturer", f"category__{CATEGORY_PATH}"]
    search_fields = ["name", "slug", "summary", "nato_stock_number", "manufacturer__name"]
    search_help_text = _("Search by name, slug, summary, NATO Stock Number or manufacturer.")
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["manufacturer", "category"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    ordering = ["name"]
    # The unfiltered total beside the filtered one is a second count of every product on each page.
    show_full_result_count = False
    actions = ["publish_products", "withdraw_products"]
    fieldsets = [
        (
            _("Identity"),
            {"fields": ["name", "name_uk", "slug", "manufacturer", "category", "summary", "description"]},
        ),
        (
            _("Export control"),
            {"fields": ["military_list_category", "is_dual_use", "nato_stock_number"]},
        ),
        (
            _("Readiness"),
            {
                "fields": [
                    "technology_readiness_level",
                    "is_combat_proven",
                    "field_notes",
                    "is_authorised_for_use",
                    "is_codified",
                ]
            },
        ),
        (
            _("Publication"),
            {
                "fields": ["status", "published_at", "created_at", "updated_at"],
                "description": _(
                    "A product is published only with a summary, at least one image and its required "
                    "specifications."
                ),
            },
        ),
    ]

    class Media:
        css = {"all": ["admin-extra/admin.css"]}

    def get_queryset(self, request):
        # Counted for the rows of the page only (a grouped count would aggregate every product first).
        images = ProductImage.objects.filter(product=OuterRef("pk")).order_by().values("product")
        image_count = Subquery(images.annotate(count=Count("pk")).values("count"))
        return super().get_queryset(request).annotate(image_count=Coalesce(image_count, 0))

    def get_search_results(self, request, queryset, search_term):
        """Words of a product's name, manufacturer, category, summary or description through the catalogue's
        full-text index (products/search.py), part of its name as typed into an autocomplete (PostgreSQL's
        trigram index answers it), or its NATO Stock Number or slug exactly: a LIKE over five columns, one of
        them in another table, scanned every product."""
        term = search_term.strip()
        if not term:
            return queryset, False
        found = search_products(Product.objects.all(), term).values("pk")
        matches = Q(pk__in=found) | Q(name__icontains=term) | Q(nato_stock_number=term) | Q(slug=term.lower())
        return queryset.filter(matches), False

    def get_inlines(self, request, obj):
        # Which specifications a product takes depends on its category: they are filled in once it is saved.
        if obj is None:
            return [ProductImageInline, ProductDocumentInline, ProductCooperationInline]
        return [ProductImageInline, SpecValueInline, ProductDocumentInline, ProductCooperationInline]

    @admin.display(description=_("images"), ordering="image_count")
    def image_count(self, product):
        return product.image_count

    @admin.display(description=_("EU ML"), ordering="military_list_category")
    def military_list(self, product):
        # The code alone ("ML10"); the filter and the form give the long names.
        return product.military_list_category or _("dual-use")

    @admin.display(description=_("TRL"), ordering="technology_readiness_level")
    def readiness_level(self, product):
        return product.technology_readiness_level

    @admin.action(description=_("Publish the selected products"), permissions=["change"])
    def publish_products(self, request, queryset):
        published = refused = 0
        for product in queryset.exclude(status=Product.Status.PUBLISHED):
            try:
                product.publish()
            except ValidationError as error:
                refused += 1
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                self.log_change(request, product, gettext("Published."))
                published += 1
        if published or not refused:
            self.message_user(
                request,
                ngettext("%(count)d product was published.", "%(count)d products were published.", published)
                % {"count": published},
                messages.SUCCESS,
            )

    @admin.action(description=_("Withdraw the selected products"), permissions=["change"])
    def withdraw_products(self, request, queryset):
        withdrawn = 0
        for product in queryset.filter(status=Product.Status.PUBLISHED):
            product.withdraw()
            self.log_change(request, product, gettext("Withdrawn."))
            withdrawn += 1
        self.message_user(
            request,
            ngettext("%(count)d product was withdrawn.", "%(count)d products were withdrawn.", withdrawn)
            % {"count": withdrawn},
            messages.SUCCESS if withdrawn else messages.WARNING,
        )
