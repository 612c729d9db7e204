from django.apps import AppConfig


class HubCatalogConfig(AppConfig):
    name = "hubcatalog"
    verbose_name = "Hub Catalogue"
