"""Submitting an expression of interest: the EOI, its lines with listing snapshots and its first history row,
stored together or not at all, once per submission key. A cooperation EOI is stored the same way, with its
CooperationRequest and one line per hub that reviews it (cooperation_hubs).
"""

import uuid

from django.db import IntegrityError, transaction

from audit import log as audit
from audit.models import Action
from hubs.models import Hub, Listing
from interests.models import (
    CooperationRequest,
    ExpressionOfInterest,
    InterestLine,
    Kind,
    ShortlistItem,
    Status,
    StatusChange,
)
from interests.notifications import notify_submitted
from products.models import Product


def eligible_listings(organisation):
    """The listings an organisation may ask about now: visible to it, available or reserved, not expired."""
    return Listing.objects.visible_to(organisation).open_for_interest()


def cooperable_products(organisation):
    """The products an organisation may propose cooperation on: those it may see whose manufacturer is open
    to a form of cooperation (need to know, as for listings)."""
    return Product.objects.visible_to(organisation).open_to()


def cooperation_hubs(product, organisation) -> list[Hub]:
    """The hubs that review a proposal of cooperation on a product: the active hubs that coordinate
    cooperation on it, or else those whose listings of it the organisation may see."""
    hubs = list(Hub.objects.coordinating_cooperation_on(product).order_by("name"))
    if hubs:
        return hubs
    listing_hubs = Listing.objects.visible_to(organisation).filter(product=product).values("hub_id")
    return list(Hub.objects.active().filter(pk__in=listing_hubs).order_by("name"))


def _existing(idempotency_key):
    return ExpressionOfInterest.objects.filter(idempotency_key=idempotency_key).first()


def submit_cooperation(
    *,
    buyer,
    organisation,
    details: dict,
    offer,
    cooperation: dict,
    hubs: list,
    idempotency_key: uuid.UUID,
    request=None,
) -> tuple[ExpressionOfInterest, bool]:
    """Store one cooperation expression of interest and return (interest, created), as submit_interest does.

    `offer` is the products.ProductCooperation proposed (its conditions are kept with the request as they
    stand now); `cooperation` the CooperationRequest's own fields; `hubs` those that review it
    (cooperation_hubs), one line each.
    """
    if not hubs:
        raise ValueError("A cooperation expression of interest needs a hub to review it.")
    existing = _existing(idempotency_key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            interest = ExpressionOfInterest.objects.create(
                organisation=organisation,
                submitted_by=buyer.user,
                idempotency_key=idempotency_key,
                kind=Kind.COOPERATION,
                **details,
            )
            CooperationRequest.objects.create(
                interest=interest,
                product=offer.product,
                form=offer.form,
                offered_minimum_annual_volume=offer.minimum_annual_volume,
                offered_volume_unit=offer.volume_unit,
                **cooperation,
            )
            InterestLine.objects.bulk_create(
                InterestLine(interest=interest, product=offer.product, hub=hub) for hub in hubs
            )
            _record_submission(interest, buyer, request, lines=len(hubs))
            notify_submitted(interest, request)
    except IntegrityError:
        existing = _existing(idempotency_key)
        if existing is None:
            raise
        return existing, False
    return interest, True


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
    existing = _existing(idempotency_key)
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
            _record_submission(interest, buyer, request, lines=len(lines))
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


def _record_submission(interest, buyer, request, *, lines: int) -> None:
    """The first step of the EOI's history and its audit event, in the submission's transaction."""
    StatusChange.objects.create(interest=interest, to_status=Status.SUBMITTED, actor=buyer.user)
    audit.record(
        request,
        Action.EOI_STEP,
        obj=interest,
        actor=buyer.user,
        from_status="",
        to_status=Status.SUBMITTED,
        lines=lines,
    )
