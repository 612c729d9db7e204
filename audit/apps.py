from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        # Logins are the one kind of event Django itself announces (for the site's and the admin's login
        # alike); everything else is recorded by the code that does it, with audit.log.record.
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from audit import log

        user_logged_in.connect(log.record_login, dispatch_uid="audit_login")
        user_login_failed.connect(log.record_login_failure, dispatch_uid="audit_login_failed")
        user_logged_out.connect(log.record_logout, dispatch_uid="audit_logout")
