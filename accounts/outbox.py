"""The outbox's two email backends.

OutboxBackend (EMAIL_BACKEND): django-mailer's DbBackend, giving each email its Message-ID as it is queued, so
that every attempt to send it carries the same identity (django-mailer sets one only when sending).

DeliveryBackend (MAILER_EMAIL_BACKEND, what the mail worker sends through): the real backend
(EMAIL_DELIVERY_BACKEND: SMTP, the console), remembering each Message-ID the mail server accepted in the cache
(Redis when REDIS_URL is set) for a week. The worker records a sent email in the database after the mail
server has accepted it; if the database goes away in between (a restart), the email stays queued, and at the
next attempt the delivery backend finds it accepted already and does not send it again. Without a shared
cache that memory lasts as long as the worker process; with none at all, delivery is at least once, and a
repeat carries the same Message-ID, by which mail systems and readers drop it.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from mailer.backend import DbBackend
from mailer.models import get_message_id

logger = logging.getLogger(__name__)

ACCEPTED_KEY = "outbox:accepted:{}"
REMEMBERED_SECONDS = 7 * 24 * 3600


class OutboxBackend(DbBackend):
    def send_messages(self, email_messages):
        for email in email_messages:
            if get_message_id(email) is None:
                email.extra_headers["Message-ID"] = make_msgid(domain=DNS_NAME)
        return super().send_messages(email_messages)


class DeliveryBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        self.delivery = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=fail_silently, **kwargs)

    def open(self):
        return self.delivery.open()

    def close(self):
        return self.delivery.close()

    def send_messages(self, email_messages):
        sent = 0
        for email in email_messages:
            message_id = get_message_id(email)
            if message_id and was_accepted(message_id):
                logger.info("Not sending %s again: the mail server accepted it already", message_id)
                sent += 1
                continue
            if self.delivery.send_messages([email]):
                sent += 1
                if message_id:
                    remember_accepted(message_id)
        return sent


def was_accepted(message_id: str) -> bool:
    try:
        return bool(cache.get(ACCEPTED_KEY.format(message_id)))
    except Exception:  # the cache being away must not stop delivery: at worst an email goes twice
        logger.warning("Cannot read which emails were accepted; sending", exc_info=True)
        return False


def remember_accepted(message_id: str):
    try:
        cache.set(ACCEPTED_KEY.format(message_id), True, REMEMBERED_SECONDS)
    except Exception:
        logger.warning("Cannot remember that %s was accepted", message_id, exc_info=True)
