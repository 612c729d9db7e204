"""Writing to the audit log: record() for the code that does something worth recording, and the receivers of
Django's login signals (connected in AuditConfig.ready)."""

import ipaddress

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models

from audit.models import Action, AuditEvent
from hubcatalog.ratelimit import client_address

# A username typed into a login form is kept to this length: enough to recognise it, not a place to store
# whatever an attacker posts.
TRIED_USERNAME_LENGTH = 150


def record(request, action: str, obj=None, actor=None, **details) -> AuditEvent:
    """Record one event. `request` (or None, from a command) gives the address and, without `actor`, the
    signed-in user; `obj` is the object concerned, or a model class for an event about many (an export);
    `details` are stored as JSON. Never pass a password, token or secret among them.

    Called inside the transaction of the change it records, the record is kept or rolled back with it.
    """
    action = Action(action)
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    event = AuditEvent(
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        address=_client_address(request),
        details=details,
    )
    if isinstance(obj, type) and issubclass(obj, models.Model):
        event.content_type = ContentType.objects.get_for_model(obj)
        event.object_repr = str(obj._meta.verbose_name_plural)
    elif obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj)
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:200]
    event.save()
    return event


def _client_address(request) -> str | None:
    """The client's address as the rate limits and the sign-in throttling see it (behind the proxy, the one
    it forwarded); None without a request or when it is not an IP address (a test's bare request, a Unix
    socket), which the database's address column would refuse."""
    if request is None:
        return None
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def record_login(sender, request, user, **kwargs):
    record(request, Action.LOGIN, actor=user)


def record_login_failure(sender, credentials, request=None, **kwargs):
    # Django masks the password in `credentials` already; only the username is kept all the same.
    username_field = get_user_model().USERNAME_FIELD
    tried = str(credentials.get(username_field) or credentials.get("username") or "")
    record(request, Action.LOGIN_FAILED, username=tried[:TRIED_USERNAME_LENGTH])


def record_logout(sender, request, user, **kwargs):
    if user is not None:
        record(request, Action.LOGOUT, actor=user)
