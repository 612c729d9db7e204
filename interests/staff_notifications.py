"""Emails to the buyer when staff decide on an expression of interest or ask for more information.

The buyer reads the coded reason and the comment; the internal note is for staff and never leaves the admin.
Sent after the transaction commits, so that a rolled-back step sends nothing.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from interests.models import Reason, Status

# The steps the buyer is told about, with the subject and the template of each email.
EMAILS = {
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


def notify_buyer_of_change(interest, change):
    """Email the submitting buyer about this step, after commit, if it is one they are told about."""
    if change.to_status not in EMAILS:
        return
    transaction.on_commit(lambda: send_change_email(interest, change), robust=True)


def send_change_email(interest, change):
    subject, template = EMAILS[change.to_status]
    buyer = interest.submitted_by
    context = {
        "interest": interest,
        "buyer_name": buyer.get_full_name() or buyer.get_username(),
        "reason": Reason(change.reason).label if change.reason else "",
        "comment": change.comment,
        "link": settings.SITE_URL + reverse("interest_detail", kwargs={"reference": interest.reference}),
    }
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, context)
        subject_line = str(subject) % {"reference": interest.reference}
    send_mail(subject_line, body, None, [buyer.email])
