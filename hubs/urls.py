from django.urls import path

from hubs import views

urlpatterns = [
    path("", views.hub_list, name="hub_list"),
    path("<slug:slug>/", views.hub_detail, name="hub_detail"),
]
