"""Submitting an expression of interest: the EOI, its lines with listing snapshots and its first history row,
stored together or not at all, once per submission key.
"""

import uuid

from django.db import IntegrityError, transaction

from hubs.models import Listing
from interests.models import ExpressionOfInterest, InterestLine, Status, StatusChange
from interests.notifications import notify_submitted


def eligible_listings(organisation):
    """The listings an organisation may ask about now: visible to it, available or reserved, not expired."""
    return Listing.objects.visible_to(organisation).open_for_interest()


def submit_interest(
    *, buyer, organisation, details: dict, lines: list, idempotency_key: uuid.UUID
) -> tuple[ExpressionOfInterest, bool]:
    """Store one expression of interest and return (interest, created).

    `buyer` is the partners.Buyer submitting; `details` the EOI's own fields; `lines` dicts with listing,
    quantity, delivery_from and delivery_until. A key that was already used returns the EOI stored with it
    (created is False), also when a concurrent request stored it a moment earlier. The caller checks that
    the returned EOI belongs to the buyer's organisation. The emails go out once the transaction commits.
    """
    existing = ExpressionOfInterest.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            interest = ExpressionOfInterest.objects.create(
                organisation=organisation,
                submitted_by=buyer.user,
                idempotency_key=idempotency_key,
                **details,
            )
            for line_data in lines:
                line = InterestLine(
                    interest=interest,
                    quantity=line_data["quantity"],
                    delivery_from=line_data["delivery_from"],
                    delivery_until=line_data["delivery_until"],
                )
                line.take_snapshot(line_data["listing"])
                line.save()
            StatusChange.objects.create(interest=interest, to_status=Status.SUBMITTED, actor=buyer.user)
            transaction.on_commit(lambda: notify_submitted(interest))
    except IntegrityError:
        # Two submissions with one key raced: the other one's row won the unique key, so answer with it.
        existing = ExpressionOfInterest.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return interest, True
