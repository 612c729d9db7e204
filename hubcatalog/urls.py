from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from accounts.views import set_language
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
