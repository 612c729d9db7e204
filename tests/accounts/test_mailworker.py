"""The mail worker (manage.py mailworker) and the outbox: emails wait in the database until a mail server
takes them; one that is down, refuses or hangs only defers them, with the failure recorded, and they go out
once it works again. Against a real SMTP server (aiosmtpd) on a local port."""

import io
import signal
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from mailer.models import PRIORITY_DEFERRED, RESULT_FAILURE, RESULT_SUCCESS, Message, MessageLog

from accounts.management.commands import mailworker
from accounts.management.commands.mailworker import Backoff

pytestmark = pytest.mark.django_db


class Inbox:
    """aiosmtpd's handler: keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """The worker sends over SMTP to 127.0.0.1:<port>, with a short timeout."""
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 1
    return settings


def run_worker():
    call_command("mailworker", once=True, stdout=io.StringIO())


def queue(to="anna@example.org"):
    send_mail("Expression of interest EOI-2026-00001 was received", "Body.", None, [to])


def test_an_email_waits_in_the_outbox_until_the_worker_sends_it(outbox):
    queue()
    assert Message.objects.count() == 1 and mail.outbox == []

    [email] = outbox()

    assert email.to == ["anna@example.org"]
    assert not Message.objects.exists()
    assert MessageLog.objects.get().result == RESULT_SUCCESS


def test_a_mail_server_that_refuses_defers_the_email_and_records_why(smtp):
    queue()

    run_worker()

    message = Message.objects.get()
    assert message.priority == PRIORITY_DEFERRED
    failure = MessageLog.objects.get()
    assert failure.result == RESULT_FAILURE
    assert "ConnectionRefusedError" in failure.log_message


def test_a_mail_server_that_hangs_costs_the_worker_its_timeout_and_defers_the_email(smtp):
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", smtp.EMAIL_PORT))
        hanging.listen()  # accepts connections, never says a word

        queue()
        run_worker()

    assert Message.objects.get().priority == PRIORITY_DEFERRED
    assert "timed out" in MessageLog.objects.get().log_message


def test_a_deferred_email_is_sent_once_the_mail_server_is_back(smtp):
    queue()
    run_worker()
    assert Message.objects.deferred().count() == 1

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp.EMAIL_PORT)
    controller.start()
    try:
        Message.objects.retry_deferred()  # what the worker does when its back-off is due
        run_worker()
        run_worker()  # nothing left to send: nothing is sent twice
    finally:
        controller.stop()

    assert len(inbox.messages) == 1
    assert inbox.messages[0].rcpt_tos == ["anna@example.org"]
    assert not Message.objects.exists()
    assert [entry.result for entry in MessageLog.objects.order_by("pk")] == [RESULT_FAILURE, RESULT_SUCCESS]


@pytest.mark.django_db(transaction=True)  # as in production: between rounds it replaces broken connections
def test_the_worker_keeps_sending_what_arrives_until_it_is_stopped(monkeypatch):
    command = mailworker.Command(stdout=io.StringIO())
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 1:
            queue("marek@example.org")  # arrives while the worker runs
        if len(naps) == 3:
            command.stop(signal.SIGTERM, None)

    monkeypatch.setattr(mailworker.time, "sleep", nap)
    queue()

    command.handle(once=False, poll=0.01, first_delay=1, max_delay=2)

    assert sorted(email.to[0] for email in mail.outbox) == ["anna@example.org", "marek@example.org"]
    assert naps == [0.01, 0.01, 0.01]
    assert signal.getsignal(signal.SIGTERM) is not command.stop  # handed back as it found it


def test_retries_wait_longer_each_time_the_mail_server_fails_again():
    backoff = Backoff(first=15, longest=60)

    backoff.failed(now=0)
    assert not backoff.due(now=14)
    assert backoff.due(now=15)
    backoff.failed(now=15)
    assert not backoff.due(now=44)
    assert backoff.due(now=45)
    backoff.failed(now=45)
    assert backoff.due(now=105)  # 60 s: no longer than the longest
    backoff.failed(now=105)
    assert not backoff.due(now=164)
    backoff.recovered()
    backoff.failed(now=200)
    assert backoff.due(now=215)


def test_only_superusers_see_the_outbox_and_retrying_hands_the_email_back_to_the_worker(
    client, superuser, coordinator_a, smtp
):
    queue()
    run_worker()
    changelist = reverse("admin:mailer_message_changelist")

    client.force_login(coordinator_a)
    assert client.get(changelist).status_code == 403

    client.force_login(superuser)
    page = client.get(changelist)
    assert "anna@example.org" in page.content.decode()
    assert "failed, waiting to be retried" in page.content.decode()
    client.post(changelist, {"action": "retry_now", "_selected_action": [Message.objects.get().pk]})

    assert Message.objects.get().priority != PRIORITY_DEFERRED
    assert client.get(reverse("admin:mailer_messagelog_changelist")).status_code == 200


def test_an_email_keeps_the_message_id_it_was_queued_with_through_every_attempt(smtp):
    queue()
    queued_id = Message.objects.get().email.extra_headers["Message-ID"]
    run_worker()  # refused: deferred

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp.EMAIL_PORT)
    controller.start()
    try:
        Message.objects.retry_deferred()
        run_worker()
    finally:
        controller.stop()

    assert queued_id.startswith("<") and queued_id.endswith(">")
    assert f"Message-ID: {queued_id}".encode() in inbox.messages[0].content
    assert {entry.message_id for entry in MessageLog.objects.all()} == {queued_id}


def test_an_email_the_mail_server_accepted_is_not_sent_again_when_the_database_failed_to_record_it(
    monkeypatch,
):
    queue()
    record = MessageLog.objects.log
    failures = []

    def database_gone_at_the_wrong_instant(message, result_code, log_message=""):
        if result_code == RESULT_SUCCESS and not failures:
            failures.append(message)
            raise OperationalError("terminating connection due to administrator command")
        return record(message, result_code, log_message)

    monkeypatch.setattr(MessageLog.objects, "log", database_gone_at_the_wrong_instant)
    with pytest.raises(RuntimeError):  # the run fails (django-mailer's lock wraps the database's error)
        run_worker()  # sent, but not recorded: the email stays in the outbox
    assert len(mail.outbox) == 1 and Message.objects.count() == 1

    run_worker()

    assert len(mail.outbox) == 1  # not sent again
    assert not Message.objects.exists()
    assert MessageLog.objects.get().result == RESULT_SUCCESS
