"""Who is asking, and how often they may: the client's address, and rate limits per user and per address.

client_address() is the one answer to "where does this request come from", used by the sign-in throttling
(django-axes, settings.AXES_CLIENT_IP_CALLABLE) and by the rate limits here. Behind the TLS proxy it is the
address the proxy appended to X-Forwarded-For; otherwise the connection's own, so that a client cannot pick
its address by sending the header itself.

The counters live in Django's default cache, in fixed windows: with REDIS_URL every app server counts into
the same Redis, so a limit holds however the load balancer spreads the requests.
"""

import functools
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """The address of the client that sent the request, as far as this site can trust it.

    With N trusted proxies (settings.TRUSTED_PROXY_COUNT), each appends the address it was reached from to
    X-Forwarded-For, so the N-th entry from the right is the one the outermost proxy saw; whatever is left of
    it the client may have written. Without a proxy the header is ignored."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [entry.strip() for entry in header.split(",") if entry.strip()]
        if forwarded:
            # Fewer entries than proxies: the request skipped the outer ones, and the left-most entry is what
            # the first proxy it reached saw.
            candidate = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                logger.warning("Ignoring an X-Forwarded-For entry that is not an address: %r", candidate)
    return remote


@dataclass(frozen=True)
class Limit:
    """At most per_user requests from one signed-in user and per_address from one address per window
    seconds; 0 (or absent) means no limit of that kind."""

    per_user: int = 0
    per_address: int = 0
    window: int = 60

    @classmethod
    def of(cls, scope: str) -> "Limit":
        return cls(**settings.RATE_LIMITS[scope])


def now() -> float:
    return time.time()


def _count(key: str, window: int) -> int:
    # add() only creates the counter (with its expiry) when the window's first request comes; incr() is
    # atomic in Redis and under local memory's lock, so concurrent requests on several servers all count.
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # the counter expired between the two calls: this request opens a new one
        cache.add(key, 1, timeout=window + 1)
        return 1


def seconds_to_wait(request, scope: str) -> int:
    """Count this request against the scope's limits (settings.RATE_LIMITS[scope]).

    0 while it is within them; otherwise how many seconds remain until the current window ends. If the cache
    cannot be reached, the request is let through: a missing counter must not stop buyers working."""
    if not settings.RATE_LIMITS_ENABLED:
        return 0
    limit = Limit.of(scope)
    moment = now()
    window_number = int(moment // limit.window)
    identities = []
    if limit.per_user and request.user.is_authenticated:
        identities.append(("user", str(request.user.pk), limit.per_user))
    if limit.per_address:
        identities.append(("address", client_address(request), limit.per_address))
    exceeded = False
    try:
        for kind, identity, allowed in identities:
            if _count(f"ratelimit:{scope}:{kind}:{identity}:{window_number}", limit.window) > allowed:
                exceeded = True
    except Exception:
        logger.warning("Rate limit %s not checked: the cache did not answer.", scope, exc_info=True)
        return 0
    if not exceeded:
        return 0
    return max(1, math.ceil((window_number + 1) * limit.window - moment))


def retry_after_minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def too_many_requests(request, seconds: int):
    """The page for a request refused by a rate limit: status 429, with Retry-After."""
    response = render(
        request, "too_many_requests.html", {"minutes": retry_after_minutes(seconds)}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


def rate_limit(scope: str, *, methods=("POST",), refused=too_many_requests):
    """View decorator: requests of these methods count against settings.RATE_LIMITS[scope]; one over the
    limit is answered by refused(request, seconds) without running the view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and (seconds := seconds_to_wait(request, scope)):
                return refused(request, seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
