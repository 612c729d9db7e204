"""The outbox's email backend: django-mailer's DbBackend, giving each email its Message-ID as it is queued.

Delivery is at least once: if the database goes away in the instant between the mail server accepting an
email and the worker recording it, the email stays queued and is sent again. With the Message-ID fixed at
queueing (django-mailer sets one only when sending, so a resend would carry another), the repeat is the same
email to the mail systems and mail readers, which drop it by that identity.
"""

from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from mailer.backend import DbBackend
from mailer.models import get_message_id


class OutboxBackend(DbBackend):
    def send_messages(self, email_messages):
        for email in email_messages:
            if get_message_id(email) is None:
                email.extra_headers["Message-ID"] = make_msgid(domain=DNS_NAME)
        return super().send_messages(email_messages)
