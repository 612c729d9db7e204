"""How the mail worker treats a failed delivery (django-mailer's MAILER_ERROR_HANDLER)."""

import smtplib

from mailer.engine import handle_delivery_exception
from mailer.models import RESULT_FAILURE, MessageLog


def defer_on_delivery_failure(connection, message, error):
    """Keep the email, deferred, and record the failure (staff see it in the outbox) for any failure of the
    mail server or the network: refused, closed, timed out, answered with an error. django-mailer's own
    handler lets some of these (a server that disconnects, a bad greeting) stop the worker. Anything else is
    a bug, raised."""
    if isinstance(error, (smtplib.SMTPException, OSError)):
        message.defer()
        MessageLog.objects.log(message, RESULT_FAILURE, log_message=f"{type(error).__name__}: {error}")
        return None, "deferred"  # a new connection for the next message
    return handle_delivery_exception(connection, message, error)
