from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HubCatalogConfig(AppConfig):
    name = "hubcatalog"
    verbose_name = "Hub Catalogue"
    # This module also holds the admin's config below: "hubcatalog" in INSTALLED_APPS means this one.
    default = True


class HubCatalogAdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose `admin.site` is our StaffAdminSite: every app keeps registering on admin.site."""

    default = False
    default_site = "hubcatalog.admin.StaffAdminSite"
