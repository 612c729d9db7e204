import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hubs.models import Hub

logger = logging.getLogger(__name__)

# While the database is unreachable (a restart, a failover), how soon a browser or a client should try again.
RETRY_AFTER_SECONDS = 10


@require_GET
def landing(request):
    hubs = Hub.objects.active().order_by("country", "name")
    return render(request, "hubcatalog/landing.html", {"hubs": hubs})


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a query, 503 when it does not; for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def server_error(request):
    """Django's handler500. While the database does not answer (OperationalError, InterfaceError: a restart,
    a failover), a short "try again in a moment" page with 503 and Retry-After: nothing half-written, as
    every write that spans rows runs in a transaction, and the next request reconnects (CONN_HEALTH_CHECKS).
    Anything else is a 500 page. Both render without the database."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponseServerError(render_to_string("unavailable.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(render_to_string("500.html"))
