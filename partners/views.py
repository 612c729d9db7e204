from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from hubcatalog.ratelimit import retry_after_minutes, seconds_to_wait
from partners.forms import AccessRequestForm
from partners.models import AccessRequest
from partners.onboarding import notify_staff_of


def already_waiting(work_email: str) -> bool:
    return AccessRequest.objects.pending().filter(work_email=work_email).exists()


@require_http_methods(["GET", "POST"])
def request_access(request):
    """Anyone may ask for access; staff decide in the admin.

    The answer is the same whether or not a request from that email address is already waiting, or an
    account has it: the form must not tell strangers who has asked. A repeat while one waits adds nothing;
    the applicant hears from staff about the first."""
    form = AccessRequestForm(request.POST or None)
    if form.is_valid():
        if seconds := seconds_to_wait(request, "access_request"):
            minutes = retry_after_minutes(seconds)
            form.add_error(
                None,
                ngettext(
                    "Too many requests for access came from your address in a short while, so this one was "
                    "not sent. Please try again in %(minutes)d minute.",
                    "Too many requests for access came from your address in a short while, so this one was "
                    "not sent. Please try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            response = render(request, "partners/request_access.html", {"form": form}, status=429)
            response["Retry-After"] = str(seconds)
            return response
        access_request = form.save(commit=False)
        access_request.language = getattr(request, "LANGUAGE_CODE", "")
        if not already_waiting(access_request.work_email):
            try:
                with transaction.atomic():
                    access_request.save()
                    notify_staff_of(access_request, request=request)
            except IntegrityError:
                # Two submissions at once: both found none waiting, the database let the other one in.
                pass
        return redirect("access_requested")
    return render(
        request, "partners/request_access.html", {"form": form}, status=400 if form.is_bound else 200
    )


@require_GET
def access_requested(request):
    return render(request, "partners/access_requested.html")
