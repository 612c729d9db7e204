import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubcatalog.settings")

if settings.MISSING_SECRET_KEY:
    raise ImproperlyConfigured(settings.MISSING_SECRET_KEY)

application = get_wsgi_application()
