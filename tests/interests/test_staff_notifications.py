"""The buyer is emailed when staff request information, accept or decline, after the step commits."""

import pytest
from django.core import mail
from django.urls import reverse

from interests.models import Reason, Status
from interests.staff_notifications import notify_buyer_of_change
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
    client_a, coordinator_a, interest, buyer_a, django_capture_on_commit_callbacks
):
    interest.start_review(by=coordinator_a)

    with django_capture_on_commit_callbacks(execute=True):
        post_step(
            client_a,
            interest,
            Status.INFORMATION_REQUESTED,
            reason=Reason.CERTIFICATE,
            comment="Please send the draft certificate.",
            internal_note="Their last certificate was forged.",
        )

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [buyer_a.user.email]
    assert interest.reference in email.subject
    assert "End-user certificate needed or unclear" in email.body
    assert "Please send the draft certificate." in email.body
    assert "forged" not in email.body
    assert "forged" not in email.subject
    assert f"/interests/{interest.reference}/" in email.body


def test_it_emails_the_buyer_an_acceptance(
    client_a, coordinator_a, interest, django_capture_on_commit_callbacks
):
    interest.start_review(by=coordinator_a)

    with django_capture_on_commit_callbacks(execute=True):
        post_step(
            client_a, interest, Status.ACCEPTED, comment="Forwarded to the maker.", internal_note="secret"
        )

    (email,) = mail.outbox
    assert "accepted and forwarded to the manufacturer" in email.subject
    assert "Forwarded to the maker." in email.body
    assert "not an order" in email.body
    assert "secret" not in email.body


def test_it_emails_the_buyer_a_decline_with_its_reason(
    client_a, coordinator_a, interest, django_capture_on_commit_callbacks
):
    interest.start_review(by=coordinator_a)

    with django_capture_on_commit_callbacks(execute=True):
        post_step(
            client_a,
            interest,
            Status.DECLINED,
            reason=Reason.SURPLUS_UNAVAILABLE,
            comment="All sold to others.",
        )

    (email,) = mail.outbox
    assert "declined" in email.subject
    assert "Surplus no longer available" in email.body
    assert "All sold to others." in email.body


def test_it_does_not_email_the_buyer_when_the_review_starts(
    client_a, interest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_step(client_a, interest, Status.UNDER_REVIEW)

    interest.refresh_from_db()
    assert interest.status == Status.UNDER_REVIEW
    assert callbacks == []
    assert mail.outbox == []


def test_it_sends_nothing_when_a_step_is_refused(client_a, interest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post_step(client_a, interest, Status.DECLINED, reason=Reason.OTHER, comment="No.")

    assert callbacks == []
    assert mail.outbox == []


def test_it_sends_only_after_commit(coordinator_a, interest, django_capture_on_commit_callbacks):
    interest.start_review(by=coordinator_a)
    interest.accept(by=coordinator_a, comment="Yes.")
    change = interest.history.last()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_buyer_of_change(interest, change)

    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
