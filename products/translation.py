"""The catalogue's translatable content (django-modeltranslation): a column per language of
settings.LANGUAGES next to each field named here (`summary_en`, `summary_uk`, …). Reading `product.summary`
gives the active language's text, or English where it has none. Product names stay as the manufacturer writes
them (Product.name_uk is a plain field for their Ukrainian spelling)."""

from modeltranslation.translator import TranslationOptions, register

from products.models import Category, Product, SpecAttribute


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(SpecAttribute)
class SpecAttributeTranslation(TranslationOptions):
    fields = ("name",)


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("summary", "description", "field_notes")
