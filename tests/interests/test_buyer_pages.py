"""The buyer's pages after submitting: the confirmation, "My expressions of interest", one EOI with its
timeline, withdrawing, and answering a request for information."""

import pytest
from django.urls import reverse

from interests.models import Reason, Status, StatusChange
from interests.views import INTERESTS_PER_PAGE
from tests.factories import (
    make_buyer,
    make_certificate,
    make_hub,
    make_interest,
    make_listing,
    make_published_product,
)

pytestmark = pytest.mark.django_db

LIST = reverse("interest_list")


@pytest.fixture
def client_a(client, buyer_a):
    client.force_login(buyer_a.user)
    return client


@pytest.fixture
def listing(hub_a):
    return make_listing(make_published_product("Kestrel FPV"), hub_a, destination_countries=["DE"])


@pytest.fixture
def interest(buyer_a, listing):
    return make_interest(buyer_a, [listing])


def detail(interest, name="interest_detail"):
    return reverse(name, args=[interest.reference])


def test_the_list_shows_the_organisations_interests_with_status(
    client_a, buyer_a, buyer_b, listing, interest
):
    colleague = make_buyer(organisation=buyer_a.organisation)
    theirs = make_interest(colleague, [listing])
    other = make_interest(buyer_b, [listing])

    response = client_a.get(LIST)

    assert response.status_code == 200
    assert set(response.context["interests"]) == {interest, theirs}
    content = response.content.decode()
    assert interest.reference in content
    assert other.reference not in content
    assert "Submitted" in content


def test_the_detail_shows_lines_and_timeline_but_no_internal_note(client_a, interest, coordinator_a):
    interest.start_review(by=coordinator_a, internal_note="Looks fine, check financing")
    interest.request_information(
        by=coordinator_a, reason=Reason.FINANCING, comment="Which budget line?", internal_note="secret"
    )

    response = client_a.get(detail(interest))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Kestrel FPV" in content
    assert "Which budget line?" in content
    assert "Financing to be clarified" in content
    assert "secret" not in content and "check financing" not in content
    assert [change.to_status for change in response.context["history"]] == [
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.INFORMATION_REQUESTED,
    ]


def test_the_confirmation_shows_the_reference(client_a, interest):
    response = client_a.get(detail(interest, "interest_submitted"))

    assert response.status_code == 200
    assert interest.reference in response.content.decode()


@pytest.mark.parametrize("name", ["interest_detail", "interest_submitted"])
def test_buyer_cannot_see_another_organisations_interest(client, buyer_b, interest, name):
    client.force_login(buyer_b.user)

    assert client.get(detail(interest, name)).status_code == 404


@pytest.mark.parametrize("name", ["interest_withdraw", "interest_answer"])
def test_buyer_cannot_act_on_another_organisations_interest(client, buyer_b, interest, name):
    client.force_login(buyer_b.user)

    assert client.post(detail(interest, name), {"comment": "x"}).status_code == 404
    interest.refresh_from_db()
    assert interest.status == Status.SUBMITTED


def test_an_unknown_reference_is_404(client_a):
    assert client_a.get(reverse("interest_detail", args=["EOI-2026-99999"])).status_code == 404


@pytest.mark.parametrize("name", ["interest_detail", "interest_submitted"])
def test_anonymous_visitors_are_sent_to_log_in(client, interest, name):
    response = client.get(detail(interest, name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_visitors_cannot_list(client):
    assert client.get(LIST).url.startswith(reverse("login"))


def test_staff_get_403(client, coordinator_a, interest):
    client.force_login(coordinator_a)

    assert client.get(LIST).status_code == 403
    assert client.get(detail(interest)).status_code == 403
    assert client.post(detail(interest, "interest_withdraw")).status_code == 403


def test_pages_accept_only_their_methods(client_a, interest):
    assert client_a.post(LIST).status_code == 405
    assert client_a.post(detail(interest)).status_code == 405
    assert client_a.put(detail(interest, "interest_withdraw")).status_code == 405
    assert client_a.get(detail(interest, "interest_answer")).status_code == 405


def test_the_detail_page_sends_the_buyer_to_confirm_a_withdrawal(client_a, interest):
    content = client_a.get(detail(interest)).content.decode()

    assert f'href="{detail(interest, "interest_withdraw")}"' in content
    # No form on the detail page withdraws at once.
    assert f'action="{detail(interest, "interest_withdraw")}"' not in content


def test_withdrawing_asks_for_confirmation_first(client_a, interest):
    response = client_a.get(detail(interest, "interest_withdraw"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "cannot be undone" in content
    assert f'action="{detail(interest, "interest_withdraw")}"' in content
    assert 'name="comment"' in content
    assert "Withdraw this expression of interest" in content
    assert f'href="{detail(interest)}"' in content and "Keep it" in content
    interest.refresh_from_db()
    assert interest.status == Status.SUBMITTED
    assert interest.history.count() == 1


def test_the_confirmation_page_of_a_decided_interest_says_it_can_no_longer_be_withdrawn(
    client_a, interest, coordinator_a
):
    interest.start_review(by=coordinator_a)
    interest.accept(by=coordinator_a)

    response = client_a.get(detail(interest, "interest_withdraw"))

    assert response.status_code == 409
    assert "can no longer be withdrawn" in response.content.decode()
    assert "Withdraw this expression of interest" not in response.content.decode()


def test_the_confirmation_page_is_404_for_another_organisation(client, buyer_b, interest):
    client.force_login(buyer_b.user)

    assert client.get(detail(interest, "interest_withdraw")).status_code == 404


def test_a_too_long_withdrawal_comment_shows_the_confirmation_again(client_a, interest):
    response = client_a.post(detail(interest, "interest_withdraw"), {"comment": "x" * 2001})

    assert response.status_code == 400
    assert "Withdraw this expression of interest" in response.content.decode()
    interest.refresh_from_db()
    assert interest.status == Status.SUBMITTED


def test_buyer_may_withdraw_an_open_interest(client_a, buyer_a, interest):
    response = client_a.post(detail(interest, "interest_withdraw"), {"comment": "Budget cut"})

    assert response.status_code == 302
    interest.refresh_from_db()
    assert interest.status == Status.WITHDRAWN
    last = interest.history.last()
    assert (last.actor, last.comment) == (buyer_a.user, "Budget cut")


def test_buyer_cannot_withdraw_a_decided_interest(client_a, interest, coordinator_a):
    interest.start_review(by=coordinator_a)
    interest.accept(by=coordinator_a)

    response = client_a.post(detail(interest, "interest_withdraw"))

    assert response.status_code == 409
    assert "can no longer be withdrawn" in response.content.decode()
    interest.refresh_from_db()
    assert interest.status == Status.ACCEPTED
    assert StatusChange.objects.filter(interest=interest).count() == 3


def test_buyer_answers_a_request_for_information(client_a, buyer_a, interest, coordinator_a):
    interest.start_review(by=coordinator_a)
    interest.request_information(by=coordinator_a, reason=Reason.FINANCING, comment="Which budget?")

    response = client_a.post(detail(interest, "interest_answer"), {"comment": "Line 14 of the 2026 budget"})

    assert response.status_code == 302
    interest.refresh_from_db()
    assert interest.status == Status.ANSWERED
    last = interest.history.last()
    assert (last.actor, last.comment) == (buyer_a.user, "Line 14 of the 2026 budget")


def test_an_answer_needs_text(client_a, interest, coordinator_a):
    interest.start_review(by=coordinator_a)
    interest.request_information(by=coordinator_a, reason=Reason.FINANCING, comment="Which budget?")

    response = client_a.post(detail(interest, "interest_answer"), {"comment": ""})

    assert response.status_code == 400
    assert "Write your answer" in response.content.decode()
    interest.refresh_from_db()
    assert interest.status == Status.INFORMATION_REQUESTED


def test_buyer_cannot_answer_when_nothing_was_asked(client_a, interest):
    response = client_a.post(detail(interest, "interest_answer"), {"comment": "Unasked"})

    assert response.status_code == 409
    interest.refresh_from_db()
    assert interest.status == Status.SUBMITTED


def test_the_answer_form_shows_only_when_information_was_requested(client_a, interest, coordinator_a):
    assert "Answer the request for information" not in client_a.get(detail(interest)).content.decode()
    interest.start_review(by=coordinator_a)
    interest.request_information(by=coordinator_a, reason=Reason.FINANCING, comment="Which budget?")

    assert "Answer the request for information" in client_a.get(detail(interest)).content.decode()


@pytest.mark.parametrize("size", [2, INTERESTS_PER_PAGE + 5])
def test_the_list_runs_a_fixed_number_of_queries(client_a, buyer_a, listing, django_assert_num_queries, size):
    for _index in range(size):
        make_interest(buyer_a, [listing])

    # session, user with buyer and organisation (2); the organisation's interests counted (1); a page of
    # them with their submitters and line counts (1); the shortlist counted for the header (1:
    # hubcatalog/context_processors.py).
    with django_assert_num_queries(5):
        response = client_a.get(LIST)

    assert len(response.context["interests"]) == min(size, INTERESTS_PER_PAGE)
    assert {interest.line_count for interest in response.context["interests"]} == {1}


def test_the_list_comes_a_page_at_a_time_newest_first(client_a, buyer_a, listing):
    interests = [make_interest(buyer_a, [listing]) for _index in range(INTERESTS_PER_PAGE + 2)]

    first = client_a.get(LIST)
    second = client_a.get(LIST, {"page": "2"})

    assert list(first.context["interests"]) == interests[::-1][:INTERESTS_PER_PAGE]
    assert list(second.context["interests"]) == interests[1::-1]
    assert 'rel="next"' in first.content.decode()
    assert client_a.get(LIST, {"page": "nonsense"}).status_code == 200


@pytest.mark.parametrize("size", [1, 5])
def test_the_detail_runs_a_fixed_number_of_queries(
    client_a, buyer_a, coordinator_a, django_assert_max_num_queries, size
):
    hub = make_hub()
    listings = [
        make_listing(make_published_product(), hub, destination_countries=["DE"]) for _ in range(size)
    ]
    interest = make_interest(buyer_a, listings)
    for _index in range(size):
        interest.start_review(by=coordinator_a)
        interest.request_information(by=coordinator_a, reason=Reason.OTHER, comment="?")
        interest.answer(by=buyer_a.user, comment="!")
        make_certificate(interest)

    # session, user with buyer and organisation (2); the interest with its submitter (1); the lines with
    # products and hubs (1) and their hubs' decisions (1); the history (1) and the end-user certificates sent
    # with it (1); the shortlist counted for the header (1: hubcatalog/context_processors.py).
    with django_assert_max_num_queries(8):
        response = client_a.get(detail(interest))

    assert len(response.context["lines"]) == size
    assert response.content.decode().count("End-user certificate attached") == size
