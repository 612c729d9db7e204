"""The emails an expression of interest causes, written to the outbox in the transaction of the change that
causes them (accounts.email), each in its recipient's language:

- a submission: a confirmation to the buyer, and to each coordinator of the hubs concerned a notice of their
  own hubs' lines;
- a buyer's answer to a request for information: a notice to the coordinators;
- a staff step the buyer is told about (information requested, accepted, declined): an email to the buyer
  with the coded reason and the comment; the internal note never leaves the admin;
- a hub's decision on its lines: an email to the buyer naming those lines (the acceptance or decline email
  when they decided the whole EOI).
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.email import absolute_url, queue_email_to
from interests.models import Reason, Status


def _coordinators_of(hub_ids):
    """The active coordinators of these hubs with an email address, each with their hubs and language."""
    return (
        get_user_model()
        .objects.filter(coordinated_hubs__in=hub_ids, is_active=True)
        .exclude(email="")
        .select_related("preference")
        .prefetch_related("coordinated_hubs")
        .distinct()
        .order_by("pk")
    )


def _review_url(interest, request=None) -> str:
    return absolute_url(reverse("admin:interests_expressionofinterest_change", args=[interest.pk]), request)


def notify_submitted(interest, request=None) -> int:
    """Queue the buyer's confirmation and the coordinators' notices of a new EOI; returns how many."""
    lines = list(interest.lines.select_related("product", "hub").order_by("pk"))
    context = {"interest": interest, "lines": lines, "review_url": _review_url(interest, request)}
    queued = queue_email_to(
        interest.submitted_by,
        subject=_("Your expression of interest %(reference)s was received"),
        body_template="interests/email/submitted_buyer.txt",
        context={**context, "reference": interest.reference},
    )
    for coordinator in _coordinators_of({line.hub_id for line in lines}):
        their_hubs = {hub.pk for hub in coordinator.coordinated_hubs.all()}
        queued += queue_email_to(
            coordinator,
            subject=_("New expression of interest %(reference)s for your hub"),
            body_template="interests/email/submitted_coordinator.txt",
            context={
                **context,
                "reference": interest.reference,
                "lines": [line for line in lines if line.hub_id in their_hubs],
                "coordinator": coordinator,
            },
        )
    return queued


def notify_answered(interest, change, request=None) -> int:
    """Queue a notice to the coordinators of the EOI's hubs that the buyer answered their request."""
    hub_ids = set(interest.lines.values_list("hub_id", flat=True))
    context = {
        "interest": interest,
        "reference": interest.reference,
        "answer": change.comment,
        "review_url": _review_url(interest, request),
    }
    return sum(
        queue_email_to(
            coordinator,
            subject=_("%(reference)s: the buyer answered your request for information"),
            body_template="interests/email/buyer_answered.txt",
            context=context,
        )
        for coordinator in _coordinators_of(hub_ids)
    )


# The staff steps the buyer is told about, with the subject and the template of each email.
BUYER_EMAILS = {
    Status.INFORMATION_REQUESTED: (
        _("%(reference)s: more information is needed"),
        "interests/email/staff_information_requested.txt",
    ),
    Status.ACCEPTED: (
        _("%(reference)s: accepted and forwarded to the manufacturer"),
        "interests/email/staff_accepted.txt",
    ),
    Status.DECLINED: (_("%(reference)s: declined"), "interests/email/staff_declined.txt"),
}


def notify_buyer_of_change(interest, change, request=None) -> int:
    """Queue an email to the submitting buyer about this step, if it is one they are told about."""
    if change.to_status not in BUYER_EMAILS:
        return 0
    subject, template = BUYER_EMAILS[change.to_status]
    buyer = interest.submitted_by
    link = absolute_url(reverse("interest_detail", kwargs={"reference": interest.reference}), request)
    return queue_email_to(
        buyer,
        subject=subject,
        body_template=template,
        context={
            "interest": interest,
            "reference": interest.reference,
            "buyer_name": buyer.get_full_name() or buyer.get_username(),
            "reason": Reason(change.reason).label if change.reason else "",
            "comment": change.comment,
            "link": link,
        },
    )


def notify_buyer_of_decisions(decided, request=None) -> int:
    """Queue an email to the submitting buyer saying which lines a hub decided, how, and why: the email of
    the acceptance or decline when the lines decided the whole EOI, else one about these lines alone."""
    interest, change = decided.interest, decided.change
    if change is not None and change.to_status in BUYER_EMAILS:
        subject, template = BUYER_EMAILS[change.to_status]
    else:
        subject = _("%(reference)s: a hub decided on products you asked about")
        template = "interests/email/staff_lines_decided.txt"
    first = decided.decisions[0]
    buyer = interest.submitted_by
    link = absolute_url(reverse("interest_detail", kwargs={"reference": interest.reference}), request)
    return queue_email_to(
        buyer,
        subject=subject,
        body_template=template,
        context={
            "interest": interest,
            "reference": interest.reference,
            "buyer_name": buyer.get_full_name() or buyer.get_username(),
            "decided_lines": [record.line for record in decided.decisions],
            "decision": first.get_to_decision_display(),
            "reason": Reason(first.reason).label if first.reason else "",
            "comment": first.comment,
            "link": link,
        },
    )
