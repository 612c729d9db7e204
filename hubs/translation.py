"""The hubs' translatable content (django-modeltranslation): a column per language for the description."""

from modeltranslation.translator import TranslationOptions, register

from hubs.models import Hub


@register(Hub)
class HubTranslation(TranslationOptions):
    fields = ("description",)
