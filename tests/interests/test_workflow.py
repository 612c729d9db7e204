"""The review workflow of an expression of interest: explicit states, legal moves only, each one recorded."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from interests.models import TRANSITIONS, ExpressionOfInterest, Reason, Status, StatusChange
from tests.factories import make_hub, make_interest, make_listing, make_product, make_staff_user

pytestmark = pytest.mark.django_db

ALLOWED = {
    (Status.SUBMITTED, Status.UNDER_REVIEW),
    (Status.SUBMITTED, Status.WITHDRAWN),
    (Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED),
    (Status.UNDER_REVIEW, Status.ACCEPTED),
    (Status.UNDER_REVIEW, Status.DECLINED),
    (Status.UNDER_REVIEW, Status.WITHDRAWN),
    (Status.INFORMATION_REQUESTED, Status.ANSWERED),
    (Status.INFORMATION_REQUESTED, Status.WITHDRAWN),
    (Status.ANSWERED, Status.UNDER_REVIEW),
    (Status.ANSWERED, Status.INFORMATION_REQUESTED),
    (Status.ANSWERED, Status.ACCEPTED),
    (Status.ANSWERED, Status.DECLINED),
    (Status.ANSWERED, Status.WITHDRAWN),
}
# The shortest way from a new EOI to each state, as (target, reason) steps.
PATHS = {
    Status.SUBMITTED: [],
    Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
    Status.INFORMATION_REQUESTED: [Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED],
    Status.ANSWERED: [Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED, Status.ANSWERED],
    Status.ACCEPTED: [Status.UNDER_REVIEW, Status.ACCEPTED],
    Status.DECLINED: [Status.UNDER_REVIEW, Status.DECLINED],
    Status.WITHDRAWN: [Status.WITHDRAWN],
}


@pytest.fixture
def reviewer(db):
    return make_staff_user("reviewer")


@pytest.fixture
def interest(buyer_a, reviewer):
    # The reviewer coordinates the hub of the one line, whose decision decides the EOI.
    return make_interest(buyer_a, [make_listing(make_product(), hub=make_hub(coordinators=[reviewer]))])


def move(interest, to, by):
    reason = Reason.OTHER if to in (Status.INFORMATION_REQUESTED, Status.DECLINED) else ""
    interest.transition(to, by=by, reason=reason, comment=f"to {to}")


def bring_to(interest, state, by):
    for step in PATHS[state]:
        move(interest, step, by)


def test_the_table_is_exactly_the_workflow_of_the_issue():
    table = {(source, target) for source, targets in TRANSITIONS.items() for target in targets}
    assert table == ALLOWED


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_every_allowed_transition_happens_and_is_recorded(interest, reviewer, source, target):
    bring_to(interest, source, reviewer)
    history_before = interest.history.count()

    move(interest, target, reviewer)

    interest.refresh_from_db()
    assert interest.status == target
    last = interest.history.last()
    assert interest.history.count() == history_before + 1
    assert (last.from_status, last.to_status, last.actor, last.comment) == (
        source,
        target,
        reviewer,
        f"to {target}",
    )
    assert (interest.decided_at is not None) == (
        target in (Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN)
    )


FORBIDDEN = sorted(set(itertools.product(Status.values, Status.values)) - ALLOWED)


@pytest.mark.parametrize(("source", "target"), FORBIDDEN)
def test_every_other_transition_is_refused_and_changes_nothing(interest, reviewer, source, target):
    bring_to(interest, source, reviewer)
    history_before = interest.history.count()

    with pytest.raises(ValidationError) as error:
        move(interest, target, reviewer)

    assert error.value.code == "illegal_transition"
    interest.refresh_from_db()
    assert interest.status == source
    assert interest.history.count() == history_before


@pytest.mark.parametrize("target", [Status.INFORMATION_REQUESTED, Status.DECLINED])
def test_declines_and_requests_for_information_need_a_coded_reason(interest, reviewer, target):
    interest.start_review(by=reviewer)
    with pytest.raises(ValidationError) as error:
        interest.transition(target, by=reviewer, comment="Why?")
    assert error.value.code == "reason_required"
    with pytest.raises(ValidationError) as error:
        interest.transition(target, by=reviewer, reason="because", comment="Why?")
    assert error.value.code == "unknown_reason"
    assert ExpressionOfInterest.objects.get(pk=interest.pk).status == Status.UNDER_REVIEW


def test_a_stale_copy_cannot_move_an_interest_from_a_state_it_has_left(interest, reviewer, buyer_a):
    stale = ExpressionOfInterest.objects.get(pk=interest.pk)
    interest.withdraw(by=buyer_a.user)

    with pytest.raises(ValidationError):
        stale.start_review(by=reviewer)  # stale still says "submitted"
    assert ExpressionOfInterest.objects.get(pk=interest.pk).status == Status.WITHDRAWN


def test_the_named_steps_record_comments_and_internal_notes(interest, reviewer, buyer_a):
    interest.start_review(by=reviewer, internal_note="Checked the end user.")
    interest.request_information(
        by=reviewer, reason=Reason.CERTIFICATE, comment="Please attach the EUC status."
    )
    interest.answer(by=buyer_a.user, comment="The certificate is signed next week.")
    interest.decline(
        by=reviewer, reason=Reason.SURPLUS_UNAVAILABLE, comment="The surplus went to another partner."
    )

    steps = list(interest.history.values_list("to_status", "reason", "internal_note"))
    assert steps == [
        (Status.SUBMITTED, "", ""),
        (Status.UNDER_REVIEW, "", "Checked the end user."),
        (Status.INFORMATION_REQUESTED, Reason.CERTIFICATE, ""),
        (Status.ANSWERED, "", ""),
        (Status.DECLINED, Reason.SURPLUS_UNAVAILABLE, ""),
    ]


def test_the_history_cannot_be_edited_or_deleted_through_the_orm(interest):
    entry = interest.history.get()
    entry.comment = "rewritten"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        StatusChange.objects.filter(pk=entry.pk).update(comment="rewritten")
    with pytest.raises(ValidationError):
        StatusChange.objects.all().delete()
    assert StatusChange.objects.get(pk=entry.pk).comment == ""


def test_the_database_refuses_to_rewrite_the_history(interest):
    entry = interest.history.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE interests_statuschange SET comment = 'rewritten' WHERE id = %s", [entry.pk])
    assert StatusChange.objects.get(pk=entry.pk).comment == ""


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite refuses deletes in the model only")
def test_the_database_refuses_to_delete_the_history_on_postgresql(interest):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM interests_statuschange")
    assert interest.history.count() == 1


def test_the_status_field_is_not_a_way_around_the_workflow():
    assert ExpressionOfInterest._meta.get_field("status").editable is False


def test_it_gets_a_reference_from_its_year_and_number(interest):
    year = timezone.localtime(interest.submitted_at).year
    assert interest.reference == f"EOI-{year}-{interest.pk:05d}"
    assert str(interest) == interest.reference


def test_it_is_due_for_review_thirty_days_after_submission_by_default(buyer_a, settings):
    interest = make_interest(buyer_a)
    assert interest.review_due_on == timezone.localdate(interest.submitted_at) + datetime.timedelta(days=30)
    settings.EOI_REVIEW_DAYS = 10
    assert make_interest(buyer_a).review_due_on == timezone.localdate() + datetime.timedelta(days=10)


def test_an_open_interest_past_its_due_date_is_overdue_and_a_decided_one_is_not(interest, reviewer):
    interest.review_due_on = timezone.localdate() - datetime.timedelta(days=1)
    assert interest.is_overdue
    interest.start_review(by=reviewer)
    interest.accept(by=reviewer)
    assert not interest.is_overdue


def test_the_declaration_must_be_accepted_in_the_database(buyer_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpressionOfInterest.objects.create(
            organisation=buyer_a.organisation,
            submitted_by=buyer_a.user,
            end_user="Unit",
            intended_use="training",
            delivery_country="DE",
            end_user_certificate="available",
            financing="national_budget",
            contact_name="A",
            contact_phone="1",
            declaration_accepted=False,
            idempotency_key="8a4b4d3e-53c6-4bd5-9b86-8c1f2ef0d3a1",
        )
