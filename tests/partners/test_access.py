"""The one rule of access: only buyers of approved organisations get through, checked on every request."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from partners.access import approved_buyer_required, buyer_of
from partners.backends import ModelBackendWithBuyer
from partners.models import PartnerOrganisation
from tests.factories import make_buyer, make_organisation

pytestmark = pytest.mark.django_db


@approved_buyer_required
def tiny_view(request):
    return HttpResponse(f"{request.buyer.user.username} of {request.organisation.name}")


def get(user, path="/catalogue/?q=jammer"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_it_lets_a_buyer_of_an_approved_organisation_through(buyer_a, organisation_a):
    request = get(buyer_a.user)

    response = tiny_view(request)

    assert response.status_code == 200
    assert request.buyer == buyer_a
    assert request.organisation == organisation_a
    assert response.content.decode() == "buyer-a of Organisation A"


def test_it_reads_the_buyer_and_the_organisation_in_one_query(buyer_a, django_assert_num_queries):
    request = get(User.objects.get(pk=buyer_a.user.pk))

    # 1. the buyer joined with its organisation
    with django_assert_num_queries(1):
        tiny_view(request)


def test_the_authentication_backend_reads_them_with_the_user(buyer_a, django_assert_num_queries):
    # 1. the user joined with its buyer profile and organisation; then no query more
    with django_assert_num_queries(1):
        user = ModelBackendWithBuyer().get_user(buyer_a.user.pk)
        tiny_view(get(user))


def test_the_authentication_backend_reads_staff_without_a_buyer_profile(editor, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = ModelBackendWithBuyer().get_user(editor.pk)
        assert buyer_of(user) is None


def test_it_sends_anonymous_visitors_to_the_login_page_and_back():
    response = tiny_view(get(AnonymousUser()))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/catalogue/%3Fq%3Djammer"


def test_buyer_of_a_pending_organisation_cannot_get_through():
    buyer = make_buyer(organisation=make_organisation(vetting_status="pending"))

    with pytest.raises(PermissionDenied, match="still being vetted"):
        tiny_view(get(buyer.user))


def test_buyer_of_a_suspended_organisation_cannot_get_through():
    buyer = make_buyer(organisation=make_organisation(vetting_status="suspended"))

    with pytest.raises(PermissionDenied, match="access to the catalogue is suspended"):
        tiny_view(get(buyer.user))


def test_a_user_without_a_buyer_profile_cannot_get_through(django_user_model):
    user = django_user_model.objects.create_user("someone", password="pw")

    with pytest.raises(PermissionDenied, match="does not belong to a partner organisation"):
        tiny_view(get(user))


@pytest.mark.parametrize("actor", ["editor", "coordinator_a", "superuser"])
def test_staff_without_a_buyer_profile_cannot_get_through(actor, request):
    staff = request.getfixturevalue(actor)

    with pytest.raises(PermissionDenied, match="does not belong to a partner organisation"):
        tiny_view(get(staff))


def test_buyer_of_gives_none_for_anonymous_visitors_and_users_without_a_profile(editor, buyer_a):
    assert buyer_of(AnonymousUser()) is None
    assert buyer_of(editor) is None
    assert buyer_of(buyer_a.user) == buyer_a


@pytest.mark.urls("tests.partners.buyer_only_urls")
def test_a_suspension_takes_effect_at_once_in_the_middle_of_a_session(client, buyer_a, organisation_a):
    client.post("/accounts/login/", {"username": "buyer-a", "password": "pw"})
    assert client.get("/buyers-only/").status_code == 200

    organisation_a.suspend()
    response = client.get("/buyers-only/", follow=True)

    # Logged out at once (accounts.sessions), and told why on the login page.
    assert response.redirect_chain == [("/accounts/login/?next=/buyers-only/", 302)]
    assert "access to the catalogue is suspended" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated

    organisation_a.approve()
    client.post("/accounts/login/", {"username": "buyer-a", "password": "pw"})
    assert client.get("/buyers-only/").status_code == 200


@pytest.mark.urls("tests.partners.buyer_only_urls")
def test_buyer_of_a_pending_organisation_gets_the_refusal_page_with_the_reason(client):
    buyer = make_buyer(organisation=make_organisation(vetting_status="pending"))
    client.force_login(buyer.user)

    response = client.get("/buyers-only/")

    assert response.status_code == 403
    assert "still being vetted" in response.content.decode()


@pytest.mark.urls("tests.partners.buyer_only_urls")
def test_anonymous_visitors_are_sent_to_log_in_through_a_session_too(client):
    response = client.get("/buyers-only/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/buyers-only/"


def test_the_buyer_context_is_the_profile_or_none(client, buyer_a, editor):
    assert not client.get("/").context["buyer"]

    client.force_login(editor)
    assert not client.get("/").context["buyer"]

    client.force_login(buyer_a.user)
    assert client.get("/").context["buyer"] == buyer_a


def test_the_buyer_context_costs_no_query_on_a_page_that_does_not_use_it(
    rf, buyer_a, django_assert_num_queries
):
    from partners.context_processors import buyer

    request = rf.get("/")
    request.user = User.objects.get(pk=buyer_a.user.pk)

    with django_assert_num_queries(0):
        context = buyer(request)
    # 1. the buyer with its organisation, once asked for
    with django_assert_num_queries(1):
        assert context["buyer"].organisation == buyer_a.organisation
    assert PartnerOrganisation.objects.count() == 1
