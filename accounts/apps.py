from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and their email")

    def ready(self):
        # Connects the login signal that stamps a session's start (accounts.sessions), before any login.
        from accounts import sessions  # noqa: F401
