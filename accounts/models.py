"""What the site keeps of each person who signs in besides Django's user: the language they read.

Emails are written in the recipient's language, whoever causes them: a buyer's confirmation in theirs, the
coordinators' notices each in their own. Buyers start with the language of their access request; anyone can
change theirs with the language menu.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        help_text=_("The language of the emails this person receives."),
    )

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return self.get_language_display()
