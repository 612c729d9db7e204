"""The language menu: Django's set_language, which also keeps a signed-in person's choice for their emails.
Where the sign-in page sends someone who asked for no page in particular."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import check_for_language
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from accounts.email import set_language_of


@require_POST
def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        set_language_of(request.user, language)
    return response


@require_GET
@login_required
def signed_in(request):
    """settings.LOGIN_REDIRECT_URL: staff work in the admin, buyers in the catalogue (the catalogue refuses
    anyone without a partner organisation). A safe `next` on the sign-in page goes straight there instead;
    staff yet to confirm a second factor are sent to that step first and come back here."""
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("catalogue")
