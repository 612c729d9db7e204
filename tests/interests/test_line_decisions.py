"""Each hub decides its own lines of an expression of interest; the EOI's state follows from its lines.

The issue's case: an EOI with a line at hub A and a line at hub B. Coordinator A sees and decides only hub A's
line; the buyer sees each line's outcome and the overall state; hub B decides its line on its own.
"""

import csv
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import Action, AuditEvent
from interests.models import (
    Decision,
    ExpressionOfInterest,
    InterestLine,
    LineDecision,
    Reason,
    Status,
    status_for_decisions,
)
from tests.factories import make_interest, make_listing, make_product

pytestmark = pytest.mark.django_db

P, A, D = Decision.PENDING, Decision.ACCEPTED, Decision.DECLINED


@pytest.mark.parametrize(
    ("decisions", "status"),
    [
        ([P], None),
        ([P, P], None),
        ([A], Status.ACCEPTED),
        ([D], Status.DECLINED),
        ([A, P], Status.UNDER_REVIEW),
        ([D, P], Status.UNDER_REVIEW),
        ([A, D, P], Status.UNDER_REVIEW),
        ([A, D], Status.ACCEPTED),
        ([D, D], Status.DECLINED),
        ([A, A], Status.ACCEPTED),
    ],
)
def test_the_rule_derives_the_state_from_the_lines(decisions, status):
    assert status_for_decisions(decisions) == status


def change_url(interest):
    return reverse("admin:interests_expressionofinterest_change", args=[interest.pk])


def review_url(interest):
    return reverse("admin:interests_expressionofinterest_transition", args=[interest.pk])


@pytest.fixture
def shared(buyer_a, hub_a, hub_b, coordinator_a):
    """Under review, with a line at hub A (Alpha Interceptor) and one at hub B (Bravo Jammer)."""
    interest = make_interest(
        buyer_a,
        [
            make_listing(make_product("Alpha Interceptor"), hub_a),
            make_listing(make_product("Bravo Jammer"), hub_b),
        ],
    )
    interest.start_review(by=coordinator_a)
    return interest


def line_at(interest, hub) -> InterestLine:
    return interest.lines.get(hub=hub)


def test_a_coordinator_sees_only_their_hubs_lines(client, coordinator_a, shared):
    client.force_login(coordinator_a)

    content = client.get(change_url(shared)).content.decode()

    assert "Alpha Interceptor" in content
    assert "Bravo Jammer" not in content
    assert "Hub B" not in content


def test_declining_declines_only_the_coordinators_lines(client, coordinator_a, hub_a, hub_b, shared, outbox):
    client.force_login(coordinator_a)

    response = client.post(
        review_url(shared),
        {"to_status": Status.DECLINED, "reason": Reason.SURPLUS_UNAVAILABLE, "comment": "Sold at A."},
    )

    assert response.status_code == 302
    shared.refresh_from_db()
    assert (line_at(shared, hub_a).decision, line_at(shared, hub_b).decision) == (D, P)
    assert shared.status == Status.UNDER_REVIEW
    assert shared.overall_state()[0] == "partly_decided"
    (email,) = outbox()
    assert "Alpha Interceptor" in email.body
    assert "Bravo Jammer" not in email.body
    assert "Surplus no longer available" in email.body


def test_the_buyer_sees_each_lines_outcome_and_the_overall_state(
    client, buyer_a, coordinator_a, coordinator_b, hub_a, shared
):
    shared.decline(by=coordinator_a, reason=Reason.SURPLUS_UNAVAILABLE, comment="Sold at A.")
    client.force_login(buyer_a.user)

    content = client.get(reverse("interest_detail", args=[shared.reference])).content.decode()

    assert "Partly decided" in content
    assert "Sold at A." in content
    assert "interest-status-declined" in content and "interest-status-pending" in content

    shared.accept(by=coordinator_b, comment="Forwarded from B.")
    shared.refresh_from_db()
    content = client.get(reverse("interest_detail", args=[shared.reference])).content.decode()

    assert shared.status == Status.ACCEPTED
    assert "Accepted in part" in content
    assert "interest-status-pending" not in content


def test_the_last_hub_to_decide_decides_the_interest(coordinator_a, coordinator_b, shared):
    shared.decline(by=coordinator_a, reason=Reason.OTHER, comment="No.")
    shared.decline(by=coordinator_b, reason=Reason.LICENCE_UNLIKELY, comment="No either.")

    shared.refresh_from_db()
    assert shared.status == Status.DECLINED
    assert shared.decided_at is not None
    assert list(shared.history.values_list("to_status", flat=True)) == [
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.DECLINED,
    ]


def test_a_coordinator_cannot_decide_another_hubs_line(coordinator_a, hub_b, shared):
    with pytest.raises(ValidationError) as error:
        shared.decide_lines([line_at(shared, hub_b)], Decision.ACCEPTED, by=coordinator_a)

    assert error.value.code == "not_your_hub"
    assert line_at(shared, hub_b).decision == P
    assert not LineDecision.objects.exists()


def test_the_review_form_refuses_another_hubs_line(client, coordinator_a, hub_b, shared):
    client.force_login(coordinator_a)

    client.post(review_url(shared), {"to_status": Status.ACCEPTED, "lines": [line_at(shared, hub_b).pk]})

    assert line_at(shared, hub_b).decision == P
    assert not LineDecision.objects.exists()


def test_a_superuser_decides_every_line(superuser, shared):
    shared.accept(by=superuser)

    shared.refresh_from_db()
    assert set(shared.lines.values_list("decision", flat=True)) == {A}
    assert shared.status == Status.ACCEPTED


def test_a_coordinator_decides_the_ticked_lines_only(client, buyer_a, hub_a, coordinator_a):
    interest = make_interest(buyer_a, [make_listing(hub=hub_a), make_listing(hub=hub_a)])
    interest.start_review(by=coordinator_a)
    first, second = interest.lines.order_by("pk")
    client.force_login(coordinator_a)

    client.post(review_url(interest), {"to_status": Status.ACCEPTED, "lines": [first.pk]})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.decision, second.decision) == (A, P)
    interest.refresh_from_db()
    assert interest.overall_state()[0] == "partly_decided"


def test_a_line_is_decided_once(coordinator_a, hub_a, shared):
    shared.decide_lines([line_at(shared, hub_a)], Decision.ACCEPTED, by=coordinator_a)

    with pytest.raises(ValidationError) as error:
        shared.decide_lines(
            [line_at(shared, hub_a)], Decision.DECLINED, by=coordinator_a, reason=Reason.OTHER
        )

    assert error.value.code == "already_decided"


def test_lines_are_not_decided_before_the_review_starts(buyer_a, hub_a, coordinator_a):
    interest = make_interest(buyer_a, [make_listing(hub=hub_a)])

    with pytest.raises(ValidationError) as error:
        interest.decide_lines(list(interest.lines.all()), Decision.ACCEPTED, by=coordinator_a)

    assert error.value.code == "illegal_transition"


def test_a_decline_needs_a_coded_reason(coordinator_a, hub_a, shared):
    with pytest.raises(ValidationError) as error:
        shared.decide_lines([line_at(shared, hub_a)], Decision.DECLINED, by=coordinator_a, comment="No.")

    assert error.value.code == "reason_required"
    assert line_at(shared, hub_a).decision == P


def test_each_line_decision_is_recorded_in_the_history_and_the_audit_log(coordinator_a, hub_a, shared):
    shared.decline(by=coordinator_a, reason=Reason.OTHER, comment="To the buyer.", internal_note="Staff.")

    record = LineDecision.objects.get()
    assert (record.line, record.from_decision, record.to_decision, record.actor) == (
        line_at(shared, hub_a),
        P,
        D,
        coordinator_a,
    )
    assert (record.reason, record.comment, record.internal_note) == (Reason.OTHER, "To the buyer.", "Staff.")
    event = AuditEvent.objects.filter(action=Action.EOI_STEP, details__line=record.line_id).get()
    assert event.details["to_decision"] == D


def test_the_line_history_is_append_only(coordinator_a, shared):
    shared.accept(by=coordinator_a)
    record = LineDecision.objects.get()

    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        LineDecision.objects.update(comment="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE interests_linedecision SET comment = 'rewritten' WHERE id = %s", [record.pk])
    assert LineDecision.objects.get().comment == ""


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite refuses deletes in the model only")
def test_the_database_refuses_to_delete_the_line_history_on_postgresql(coordinator_a, shared):
    shared.accept(by=coordinator_a)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM interests_linedecision")
    assert LineDecision.objects.count() == 1


def test_the_export_has_only_the_coordinators_lines(client, coordinator_a, shared):
    client.force_login(coordinator_a)

    response = client.get(reverse("admin:interests_expressionofinterest_export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert [row["product"] for row in rows] == ["Alpha Interceptor"]
    assert rows[0]["decision"] == "Pending"


def test_the_migration_gives_old_lines_their_interests_outcome(buyer_a, hub_a, coordinator_a):
    from importlib import import_module

    migration = import_module("interests.migrations.0004_line_decisions")
    accepted, declined, open_ = (make_interest(buyer_a, [make_listing(hub=hub_a)]) for _ in range(3))
    for interest in (accepted, declined, open_):
        interest.start_review(by=coordinator_a)
    accepted.accept(by=coordinator_a)
    declined.decline(by=coordinator_a, reason=Reason.OTHER, comment="No.")
    # As before the migration: decided EOIs, undecided lines.
    InterestLine.objects.update(decision=P, decided_at=None)

    migration.decide_existing_lines(apps, None)

    decisions = dict(InterestLine.objects.values_list("interest_id", "decision"))
    assert decisions == {accepted.pk: A, declined.pk: D, open_.pk: P}
    accepted.refresh_from_db()
    assert accepted.lines.get().decided_at == accepted.decided_at


def test_the_coordinators_queryset_rules(coordinator_a, coordinator_b, buyer_a, hub_a, shared):
    own = make_interest(buyer_a, [make_listing(hub=hub_a)])

    assert set(ExpressionOfInterest.objects.for_coordinator(coordinator_a)) == {shared, own}
    assert set(ExpressionOfInterest.objects.for_coordinator(coordinator_b)) == {shared}
    assert set(InterestLine.objects.at_hubs_of(coordinator_b).filter(interest=shared)) == {
        shared.lines.exclude(hub=hub_a).get()
    }
    shared.accept(by=coordinator_a)
    assert set(ExpressionOfInterest.objects.decided()) == set()
    shared.accept(by=coordinator_b)
    assert set(ExpressionOfInterest.objects.decided()) == {shared}
