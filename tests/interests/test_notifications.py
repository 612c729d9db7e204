"""The emails of the review: the buyer's when staff request information, accept or decline; the
coordinators' when the buyer answers. Written to the outbox in the step's transaction, in each recipient's
language, sent by the mail worker."""

import pytest
from django.db import transaction
from django.urls import reverse
from mailer.models import Message

from accounts.email import set_language_of
from interests.models import Reason, Status
from interests.notifications import notify_buyer_of_change
from tests.factories import make_interest, make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def interest(buyer_a, hub_a):
    return make_interest(buyer_a, [make_listing(hub=hub_a)])


@pytest.fixture
def client_a(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def post_step(client, interest, to, **data):
    return client.post(
        reverse("admin:interests_expressionofinterest_transition", args=[interest.pk]),
        {"to_status": to, **data},
    )


def test_it_emails_the_buyer_a_request_for_information_with_reason_and_comment(
    client_a, coordinator_a, interest, buyer_a, outbox
):
    interest.start_review(by=coordinator_a)

    post_step(
        client_a,
        interest,
        Status.INFORMATION_REQUESTED,
        reason=Reason.CERTIFICATE,
        comment="Please send the draft certificate.",
        internal_note="Their last certificate was forged.",
    )

    (email,) = outbox()
    assert email.to == [buyer_a.user.email]
    assert interest.reference in email.subject
    assert "End-user certificate needed or unclear" in email.body
    assert "Please send the draft certificate." in email.body
    assert "forged" not in email.body
    assert "forged" not in email.subject
    assert f"/interests/{interest.reference}/" in email.body


def test_it_emails_the_buyer_an_acceptance(client_a, coordinator_a, interest, outbox):
    interest.start_review(by=coordinator_a)

    post_step(client_a, interest, Status.ACCEPTED, comment="Forwarded to the maker.", internal_note="secret")

    (email,) = outbox()
    assert "accepted and forwarded to the manufacturer" in email.subject
    assert "Forwarded to the maker." in email.body
    assert "not an order" in email.body
    assert "secret" not in email.body


def test_it_emails_the_buyer_a_decline_with_its_reason(client_a, coordinator_a, interest, outbox):
    interest.start_review(by=coordinator_a)

    post_step(
        client_a, interest, Status.DECLINED, reason=Reason.SURPLUS_UNAVAILABLE, comment="All sold to others."
    )

    (email,) = outbox()
    assert "declined" in email.subject
    assert "Surplus no longer available" in email.body
    assert "All sold to others." in email.body


def test_it_emails_the_buyer_in_their_own_language(client_a, coordinator_a, interest, buyer_a, outbox):
    set_language_of(buyer_a.user, "de")
    interest.start_review(by=coordinator_a)

    post_step(client_a, interest, Status.DECLINED, reason=Reason.SURPLUS_UNAVAILABLE, comment="Verkauft.")

    (email,) = outbox()
    assert "abgelehnt" in email.subject
    assert "Surplus no longer available" not in email.body


def test_it_does_not_email_the_buyer_when_the_review_starts(client_a, interest, outbox):
    post_step(client_a, interest, Status.UNDER_REVIEW)

    interest.refresh_from_db()
    assert interest.status == Status.UNDER_REVIEW
    assert outbox() == []


def test_it_sends_nothing_when_a_step_is_refused(client_a, interest, outbox):
    post_step(client_a, interest, Status.DECLINED, reason=Reason.OTHER, comment="No.")

    assert outbox() == []


def test_the_email_is_written_with_the_step_and_rolled_back_with_it(coordinator_a, interest, outbox):
    interest.start_review(by=coordinator_a)

    with pytest.raises(RuntimeError), transaction.atomic():
        change = interest.accept(by=coordinator_a, comment="Yes.")
        notify_buyer_of_change(interest, change)
        assert Message.objects.count() == 1  # in the outbox, not sent: no mail server is asked in a request
        raise RuntimeError("the step fails after all")

    assert not Message.objects.exists()
    assert outbox() == []


def test_the_coordinators_are_told_when_the_buyer_answers(client, coordinator_a, interest, buyer_a, outbox):
    interest.start_review(by=coordinator_a)
    interest.request_information(by=coordinator_a, reason=Reason.CERTIFICATE, comment="The certificate?")
    set_language_of(coordinator_a, "uk")
    client.force_login(buyer_a.user)

    client.post(reverse("interest_answer", args=[interest.reference]), {"comment": "Attached to our letter."})

    interest.refresh_from_db()
    assert interest.status == Status.ANSWERED
    (email,) = outbox()
    assert email.to == [coordinator_a.email]
    assert interest.reference in email.subject
    assert "Attached to our letter." in email.body
    assert f"/admin/interests/expressionofinterest/{interest.pk}/change/" in email.body
    assert email.subject != f"{interest.reference}: the buyer answered your request for information"
