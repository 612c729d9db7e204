"""Email as data: every email is written to the outbox (django-mailer's queue, EMAIL_BACKEND) in the same
transaction as the change that causes it, and sent by the worker (`manage.py mailworker`). So a rolled-back
change sends nothing, a committed one always sends, and no request waits on a mail server.

Each email is written in its recipient's language, and its links are absolute.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import Preference

# Development without HUBCATALOG_SITE_URL, outside a request (a command in a shell): runserver's default.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_url(request=None) -> str:
    """The address links in emails start with: HUBCATALOG_SITE_URL (required when DEBUG is off: the public
    address, whatever host a request came in by); in development without it, the address the request came
    to, so that links name the port the site runs on."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return DEVELOPMENT_SITE_URL


def absolute_url(path: str, request=None) -> str:
    return site_url(request) + path


def language_of(user) -> str:
    """The language a user reads their email in: their preference, else the site's default."""
    try:
        return user.preference.language
    except Preference.DoesNotExist:
        return settings.LANGUAGE_CODE


def set_language_of(user, language: str):
    if language in dict(settings.LANGUAGES):
        Preference.objects.update_or_create(user=user, defaults={"language": language})


def queue_email(
    *,
    to: str,
    language: str,
    body_template: str,
    context: dict,
    subject=None,
    subject_template: str | None = None,
) -> bool:
    """Render an email in `language` and write it to the outbox; False (and nothing written) without an
    address. The subject is `subject` (a lazily translated text, %-formatted with the context) or rendered
    from `subject_template` (its whitespace folded into one line)."""
    if not to:
        return False
    with translation.override(language or settings.LANGUAGE_CODE):
        if subject_template is not None:
            subject_line = " ".join(render_to_string(subject_template, context).split())
        else:
            subject_line = str(subject) % context
        body = render_to_string(body_template, context)
    EmailMessage(subject_line, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
    return True


def queue_email_to(user, **email) -> bool:
    """An email to a user (see queue_email), in their language; the template's context gets `recipient`."""
    context = {**email.pop("context"), "recipient": user}
    return queue_email(to=user.email, language=language_of(user), context=context, **email)
