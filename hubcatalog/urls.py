from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from accounts import two_factor
from accounts.lockout import SetPasswordForm
from accounts.views import set_language, signed_in
from hubcatalog import views
from partners.forms import PasswordResetForm

admin.site.site_header = _("Hub Catalogue administration")
admin.site.site_title = _("Hub Catalogue")
admin.site.index_title = _("Catalogue, hubs and listings")

handler500 = "hubcatalog.views.server_error"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    # The language menu; a signed-in person's choice is also the language of their emails.
    path("i18n/setlang/", set_language, name="set_language"),
    # Buyers approved by staff have no password until they choose one: the reset form must reach them too.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    # A new password chosen through the emailed link also ends a pause on the account's sign-in.
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    # Staff confirm their sign-in with a second factor (accounts/two_factor.py).
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/recovery-codes/", two_factor.recovery_codes, name="two_factor_recovery_codes"),
    # After signing in without a `next`: the admin for staff, the catalogue for buyers.
    path("accounts/signed-in/", signed_in, name="signed_in"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("access/", include("partners.urls")),
    path("catalogue/", include("products.urls")),
    path("hubs/", include("hubs.urls")),
    path("interests/", include("interests.urls")),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}
        ),
    ]
