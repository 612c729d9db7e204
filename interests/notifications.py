"""Emails about a buyer's submission: a confirmation to the buyer, a notice to the coordinators of each hub
concerned. Sent after the transaction commits (see interests.submission), through Django's email framework.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _


def notify_submitted(interest) -> int:
    """Email the buyer and the hubs' coordinators about a new expression of interest; returns emails sent."""
    lines = list(interest.lines.select_related("product", "hub").order_by("pk"))
    hub_ids = {line.hub_id for line in lines}
    context = {
        "interest": interest,
        "lines": lines,
        "review_url": settings.SITE_URL
        + reverse("admin:interests_expressionofinterest_change", args=[interest.pk]),
    }
    messages = []
    buyer_email = interest.submitted_by.email
    if buyer_email:
        messages.append(
            EmailMessage(
                _("Your expression of interest %(reference)s was received")
                % {"reference": interest.reference},
                render_to_string("interests/email/submitted_buyer.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                [buyer_email],
            )
        )
    coordinators = (
        get_user_model()
        .objects.filter(coordinated_hubs__in=hub_ids, is_active=True)
        .exclude(email="")
        .prefetch_related("coordinated_hubs")
        .distinct()
        .order_by("pk")
    )
    for coordinator in coordinators:
        their_lines = [
            line for line in lines if line.hub_id in {hub.pk for hub in coordinator.coordinated_hubs.all()}
        ]
        messages.append(
            EmailMessage(
                _("New expression of interest %(reference)s for your hub")
                % {"reference": interest.reference},
                render_to_string(
                    "interests/email/submitted_coordinator.txt",
                    {**context, "lines": their_lines, "coordinator": coordinator},
                ),
                settings.DEFAULT_FROM_EMAIL,
                [coordinator.email],
            )
        )
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
