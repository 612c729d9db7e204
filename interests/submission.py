"""Submitting an expression of interest: the EOI, its lines with listing snapshots and its first history row,
stored together or not at all, once per submission key.
"""

import uuid

from django.db import IntegrityError, transaction

from audit import log as audit
from audit.models import Action
from hubs.models import Listing
from interests.models import ExpressionOfInterest, InterestLine, ShortlistItem, Status, StatusChange
from interests.notifications import notify_submitted


def eligible_listings(organisation):
    """The listings an organisation may ask about now: visible to it, available or reserved, not expired."""
    return Listing.objects.visible_to(organisation).open_for_interest()


def submit_interest(
    *, buyer, organisation, details: dict, lines: list, idempotency_key: uuid.UUID, request=None
) -> tuple[ExpressionOfInterest, bool]:
    """Store one expression of interest and return (interest, created).

    `buyer` is the partners.Buyer submitting; `details` the EOI's own fields; `lines` dicts with listing,
    quantity, delivery_from and delivery_until. A key that was already used returns the EOI stored with it
    (created is False), also when a concurrent request stored it a moment earlier. The caller checks that
    the returned EOI belongs to the buyer's organisation. The emails are written to the outbox in the same
    transaction, and the mail worker sends them.
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
            audit.record(
                request,
                Action.EOI_STEP,
                obj=interest,
                actor=buyer.user,
                from_status="",
                to_status=Status.SUBMITTED,
                lines=len(lines),
            )
            # The asked-for products leave the shortlist with the EOI's storing, so that a reload cannot ask
            # twice; the emails are written to the outbox with it: all of it is stored, or none.
            ShortlistItem.objects.filter(
                user=buyer.user, product__in=[line_data["listing"].product_id for line_data in lines]
            ).delete()
            notify_submitted(interest, request)
    except IntegrityError:
        # Two submissions with one key raced: the other one's row won the unique key, so answer with it.
        existing = ExpressionOfInterest.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return interest, True
