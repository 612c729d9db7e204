"""The mail worker: sends the outbox (django-mailer's queue) and retries what failed, with back-off."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone
from mailer import engine
from mailer.models import RESULT_FAILURE, Message, MessageLog

logger = logging.getLogger(__name__)


class Backoff:
    """When to retry failed emails: `first` seconds after a failure, then twice as long after each retry that
    fails again, up to `longest`; from the start once nothing fails."""

    def __init__(self, first: float, longest: float):
        self.first, self.longest = first, longest
        self.delay, self.retry_at = first, None

    def failed(self, now: float):
        if self.retry_at is None:
            self.retry_at = now + self.delay
            self.delay = min(self.delay * 2, self.longest)

    def recovered(self):
        self.delay, self.retry_at = self.first, None

    def due(self, now: float) -> bool:
        """Whether the failed emails should be retried now (then the next failure waits longer)."""
        if self.retry_at is not None and now >= self.retry_at:
            self.retry_at = None
            return True
        return False


class Command(BaseCommand):
    help = (
        "Send the emails in the outbox through the real email backend (DJANGO_EMAIL_BACKEND, with "
        "DJANGO_EMAIL_TIMEOUT). An email that fails stays in the outbox, deferred, with the failure "
        "recorded, and is retried after a delay that doubles while the mail server keeps failing (up to "
        "--max-delay). Runs until stopped (SIGTERM or Ctrl-C), surviving database and mail server outages; "
        "--once sends what is queued and stops."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is queued once, then stop.")
        parser.add_argument(
            "--poll",
            type=float,
            default=2.0,
            help="Seconds between looks at the outbox (default %(default)s).",
        )
        parser.add_argument(
            "--first-delay",
            type=float,
            default=15.0,
            help="Seconds before the first retry of failed emails (default %(default)s).",
        )
        parser.add_argument(
            "--max-delay",
            type=float,
            default=3600.0,
            help="The longest wait between retries (default %(default)s).",
        )

    def handle(self, *args, once=False, poll=2.0, first_delay=15.0, max_delay=3600.0, **options):
        self.stopping = False
        if not once:
            previous = {
                number: signal.signal(number, self.stop) for number in (signal.SIGTERM, signal.SIGINT)
            }
            self.stdout.write(
                f"Mail worker started: the outbox every {poll:g} s, failures retried with back-off."
            )
        backoff = Backoff(first_delay, max_delay)
        while not self.stopping:
            try:
                if self.send_round():
                    backoff.failed(time.monotonic())
                elif not Message.objects.deferred().exists():
                    backoff.recovered()  # the mail server works again
                if backoff.due(time.monotonic()):
                    logger.info("Retrying %s deferred emails", Message.objects.retry_deferred())
            except Exception:
                if once:
                    raise  # a single run reports its failure; the emails stay in the outbox
                # The database went away (a restart; django-mailer then raises its own RuntimeError from its
                # locking context), or something else failed: the emails stay in the outbox. Log it, drop the
                # connection and try again at the next look, rather than stop sending altogether.
                logger.exception("Mail worker: sending failed; trying again")
                connection.close()
            if once:
                break
            time.sleep(poll)
            close_old_connections()  # one broken by a database restart, or past its age, is replaced
        if not once:
            for number, handler in previous.items():
                signal.signal(number, handler)
            self.stdout.write("Mail worker stopped.")

    def send_round(self) -> int:
        """Send what is queued; returns how many deliveries failed."""
        started = timezone.now()
        if Message.objects.non_deferred().exists():
            engine.send_all()
        return MessageLog.objects.filter(result=RESULT_FAILURE, when_attempted__gte=started).count()

    def stop(self, signum, frame):
        self.stopping = True
