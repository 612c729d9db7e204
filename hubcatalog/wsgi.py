import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubcatalog.settings")

for problem in (settings.MISSING_SECRET_KEY, settings.MISSING_SITE_URL):
    if problem:
        raise ImproperlyConfigured(problem)

application = get_wsgi_application()
