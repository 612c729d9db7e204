from django.contrib import admin

from accounts.two_factor import awaits_second_factor


class StaffAdminSite(admin.AdminSite):
    """The admin site, closed to staff who have not confirmed this sign-in with their second factor.

    The middleware (accounts.two_factor.require_staff_verification) already sends them to the verification
    step before any admin page; this check keeps the admin shut should that middleware ever be left out."""

    def has_permission(self, request):
        return super().has_permission(request) and not awaits_second_factor(request.user)
