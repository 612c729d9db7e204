from django.urls import path

from products import compare, preview, views

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("suggest/", views.suggest, name="catalogue_suggest"),
    path("compare/", compare.compare, name="compare"),
    path("compare/toggle/", compare.toggle, name="compare_toggle"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("preview/", preview.start, name="catalogue_preview"),
    path("preview/end/", preview.end, name="catalogue_preview_end"),
    path("<slug:slug>/", views.product_detail, name="product_detail"),
]
