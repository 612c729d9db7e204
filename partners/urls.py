from django.urls import path

from partners import views

urlpatterns = [
    path("request/", views.request_access, name="request_access"),
    path("requested/", views.access_requested, name="access_requested"),
]
