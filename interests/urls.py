from django.urls import path, re_path

from interests import views

REFERENCE = r"(?P<reference>EOI-\d{4}-\d{5,})"

urlpatterns = [
    path("", views.interest_list, name="interest_list"),
    path("shortlist/", views.shortlist, name="shortlist"),
    path("shortlist/add/", views.shortlist_add, name="shortlist_add"),
    path("shortlist/remove/", views.shortlist_remove, name="shortlist_remove"),
    path("cooperation/<slug:slug>/", views.cooperation_propose, name="cooperation_propose"),
    re_path(rf"^{REFERENCE}/$", views.interest_detail, name="interest_detail"),
    re_path(rf"^{REFERENCE}/submitted/$", views.interest_submitted, name="interest_submitted"),
    re_path(rf"^{REFERENCE}/withdraw/$", views.interest_withdraw, name="interest_withdraw"),
    re_path(rf"^{REFERENCE}/answer/$", views.interest_answer, name="interest_answer"),
    re_path(
        rf"^{REFERENCE}/certificates/(?P<pk>[0-9]{{1,18}})/$",
        views.interest_certificate,
        name="interest_certificate",
    ),
    path("staff/certificates/<int:pk>/", views.staff_certificate, name="staff_certificate"),
]
