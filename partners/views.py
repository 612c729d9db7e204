from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from partners.forms import AccessRequestForm
from partners.onboarding import notify_staff_of


@require_http_methods(["GET", "POST"])
def request_access(request):
    """Anyone may ask for access; staff decide in the admin."""
    form = AccessRequestForm(request.POST or None)
    if form.is_valid():
        access_request = form.save(commit=False)
        access_request.language = getattr(request, "LANGUAGE_CODE", "")
        try:
            with transaction.atomic():
                access_request.save()
                notify_staff_of(access_request, request=request)
        except IntegrityError:
            # Two submissions at once: the form's check passed for both, the database let one through.
            form.add_error("work_email", form.duplicate_message)
        else:
            return redirect("access_requested")
    return render(
        request, "partners/request_access.html", {"form": form}, status=400 if form.is_bound else 200
    )


@require_GET
def access_requested(request):
    return render(request, "partners/access_requested.html")
