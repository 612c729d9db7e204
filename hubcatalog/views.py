import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hubs.models import Hub

logger = logging.getLogger(__name__)


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
