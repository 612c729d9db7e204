"""Translatable embargo notes (django-modeltranslation): a column per language."""

from modeltranslation.translator import TranslationOptions, register

from interests.models import Embargo


@register(Embargo)
class EmbargoTranslation(TranslationOptions):
    fields = ("notes",)
