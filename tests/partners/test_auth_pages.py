"""Logging in and out, resetting and changing a password: Django's views with our templates."""

import re

import pytest
from django.contrib.auth.models import User

from accounts.email import language_of, set_language_of
from partners.forms import PasswordResetForm
from tests.factories import make_buyer

pytestmark = pytest.mark.django_db

STRONG = "Osprey-above-Vistula-42"


def test_the_login_page_has_the_form_and_the_way_to_request_access(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<label class="form-label" for="id_username">Username</label>' in page
    assert '<label class="form-label" for="id_password">Password</label>' in page
    assert 'aria-describedby="username-hint"' in page
    assert 'href="/accounts/password_reset/"' in page
    assert 'href="/access/request/"' in page


def test_a_buyer_logs_in_and_goes_to_the_catalogue(client, buyer_a):
    response = client.post("/accounts/login/", {"username": "buyer-a", "password": "pw"}, follow=True)

    # Through accounts.views.signed_in, which sends staff to the admin instead.
    assert response.redirect_chain == [("/accounts/signed-in/", 302), ("/catalogue/", 302)]
    assert response.status_code == 200
    assert client.session["_auth_user_id"] == str(buyer_a.user.pk)


def test_a_buyer_logs_in_and_goes_back_where_they_were_going(client, buyer_a):
    response = client.post("/accounts/login/", {"username": "buyer-a", "password": "pw", "next": "/hubs/"})

    assert response["Location"] == "/hubs/"


def test_a_wrong_password_is_explained_and_logs_no_one_in(client, buyer_a):
    response = client.post("/accounts/login/", {"username": "buyer-a", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post_and_ends_the_session(client, buyer_a):
    client.force_login(buyer_a.user)

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_the_password_reset_email_is_in_the_language_of_the_account_whatever_the_page_was_in(
    client, buyer_a, outbox
):
    set_language_of(buyer_a.user, "fr")

    client.post("/accounts/password_reset/", {"email": buyer_a.user.email}, HTTP_ACCEPT_LANGUAGE="en")

    [message] = outbox()
    assert message.subject != "Reset your Hub Catalogue password"
    assert "Hub Catalogue" in message.subject


def test_the_language_menu_keeps_a_signed_in_persons_choice_for_their_emails(client, buyer_a):
    client.force_login(buyer_a.user)

    client.post("/i18n/setlang/", {"language": "uk", "next": "/"})

    assert language_of(buyer_a.user) == "uk"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert language_of(buyer_a.user) == "uk"


def test_the_password_reset_emails_a_link_that_sets_a_password_the_validators_accept(client, buyer_a, outbox):
    response = client.post("/accounts/password_reset/", {"email": "BUYER-A@example.org"})

    assert response["Location"] == "/accounts/password_reset/done/"
    assert "Check your email" in client.get(response["Location"]).content.decode()
    [message] = outbox()
    assert message.to == ["buyer-a@example.org"]
    assert message.subject == "Reset your Hub Catalogue password"
    assert "Your username: buyer-a" in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose your password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]
    common = client.post(set_password_url, {"new_password1": "password1234", "new_password2": "password1234"})
    assert "This password is too common." in common.content.decode()
    done = client.post(set_password_url, {"new_password1": STRONG, "new_password2": STRONG}, follow=True)

    assert "Your password has been saved" in done.content.decode()
    buyer_a.user.refresh_from_db()
    assert buyer_a.user.check_password(STRONG)
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_the_password_reset_does_not_say_whether_an_address_has_an_account(client, outbox):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})

    assert response["Location"] == "/accounts/password_reset/done/"
    assert outbox() == []


def test_the_password_reset_explains_a_malformed_address(client):
    response = client.post("/accounts/password_reset/", {"email": "not-an-address"})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_our_reset_form_also_reaches_a_buyer_who_never_chose_a_password(buyer_a, editor, outbox):
    buyer_a.user.set_unusable_password()
    buyer_a.user.save()
    editor.set_unusable_password()
    editor.save()

    for address in ["buyer-a@example.org", "editor@example.org"]:
        form = PasswordResetForm({"email": address})
        assert form.is_valid()
        form.save(domain_override="catalogue.example.org")

    [message] = outbox()  # the buyer's; a staff account without a password is left alone
    assert message.to == ["buyer-a@example.org"]
    assert "catalogue.example.org/accounts/reset/" in message.body


def test_our_reset_form_leaves_out_inactive_accounts(buyer_a, outbox):
    buyer_a.user.is_active = False
    buyer_a.user.save()

    form = PasswordResetForm({"email": "buyer-a@example.org"})
    assert form.is_valid()
    form.save(domain_override="catalogue.example.org")

    assert outbox() == []


def test_changing_the_password_needs_the_old_one_and_a_valid_new_one(client, buyer_a):
    client.force_login(buyer_a.user)
    url = "/accounts/password_change/"

    assert client.get(url).status_code == 200
    wrong_old = client.post(url, {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG})
    assert "Your old password was entered incorrectly." in wrong_old.content.decode()
    weak = client.post(url, {"old_password": "pw", "new_password1": "12345678", "new_password2": "12345678"})
    assert "This password is entirely numeric." in weak.content.decode()
    response = client.post(url, {"old_password": "pw", "new_password1": STRONG, "new_password2": STRONG})

    assert response["Location"] == "/accounts/password_change/done/"
    assert "Your password has been changed" in client.get(response["Location"]).content.decode()
    assert User.objects.get(pk=buyer_a.user.pk).check_password(STRONG)


def test_anonymous_visitors_are_sent_to_log_in_before_changing_a_password(client):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password_change/"


def test_the_admin_password_change_still_works_with_our_templates(client, editor):
    client.force_login(editor)

    response = client.post(
        "/admin/password_change/", {"old_password": "pw", "new_password1": STRONG, "new_password2": STRONG}
    )

    assert response["Location"] == "/admin/password_change/done/"
    assert client.get("/admin/password_change/done/").status_code == 200
    editor.refresh_from_db()
    assert editor.check_password(STRONG)


def test_a_buyer_of_a_suspended_organisation_can_still_log_in_and_is_refused_by_each_page(client):
    buyer = make_buyer("suspended-buyer")
    buyer.organisation.suspend()

    response = client.post("/accounts/login/", {"username": "suspended-buyer", "password": "pw"})

    assert response.status_code == 302  # the refusal, with its reason, comes from each buyers' page
