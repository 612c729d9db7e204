"""The language menu: Django's set_language, which also keeps a signed-in person's choice for their emails."""

from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.email import set_language_of


@require_POST
def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        set_language_of(request.user, language)
    return response
