"""A second factor for staff: an authenticator app (TOTP) and single-use recovery codes, with django-otp.

Staff hold the keys to the catalogue, the hubs and the buyers' expressions of interest. With
HUBCATALOG_STAFF_TWO_FACTOR on, their password alone opens nothing: until this session is verified, every page
sends them to the verification step, or to enrolment when they have no authenticator yet. Verification lasts
for the session (django_otp.login keeps the device in it; signing out ends it). Buyers are not asked.
"""

import base64
from functools import wraps

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import ngettext
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathFillImage

from accounts.forms import OneTimeCodeForm

RECOVERY_CODE_COUNT = 10
# Recovery codes are shown once, on the page the person lands on right after they were made.
FRESH_RECOVERY_CODES = "two_factor_fresh_recovery_codes"
# What staff may still open before they are verified: the steps themselves, signing out, the language menu.
OPEN_URL_NAMES = [
    "two_factor_verify",
    "two_factor_setup",
    "logout",
    "admin:logout",
    "set_language",
    "healthz",
]


def two_factor_required(user) -> bool:
    return settings.STAFF_TWO_FACTOR and user.is_authenticated and (user.is_staff or user.is_superuser)


def awaits_second_factor(user) -> bool:
    """A staff member who must confirm this sign-in with their second factor and has not yet."""
    if not two_factor_required(user):
        return False
    # OTPMiddleware gives request.user is_verified(); a user from elsewhere has proved nothing.
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified())


def require_staff_verification(get_response):
    """Send staff who signed in with their password only to the verification step, whatever page they ask
    for (the admin, and any staff page outside it), and back there once they are verified."""

    def middleware(request):
        if (
            settings.STAFF_TWO_FACTOR
            and request.path not in {reverse(name) for name in OPEN_URL_NAMES}
            and awaits_second_factor(request.user)
        ):
            return redirect_to_login(request.get_full_path(), reverse("two_factor_verify"))
        return get_response(request)

    return middleware


def authenticator_of(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def pending_authenticator_of(user) -> TOTPDevice:
    """The authenticator being enrolled: its secret stays the same from the page with the QR code to the
    code that confirms it."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by(
        "pk"
    ).first() or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def recovery_codes_of(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


@transaction.atomic
def replace_recovery_codes(user) -> list[str]:
    """New single-use recovery codes in place of any the person had. The device itself stays, so a session
    verified with one of the old codes stays verified."""
    device = recovery_codes_of(user) or StaticDevice.objects.create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def qr_code(text: str) -> str:
    """The QR code as a data: URI for an <img>: the strict CSP allows data: images, and the secret it holds
    is served by no URL of its own."""
    svg = qrcode.make(text, image_factory=SvgPathFillImage, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def readable_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def staff_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_staff or request.user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def redirect_with_next(url_name: str, destination: str):
    return redirect(f"{reverse(url_name)}?{urlencode({'next': destination})}")


def mark_verified(request, device):
    # The session gains a privilege: give it a new key, as Django does when the password is checked.
    request.session.cycle_key()
    otp_login(request, device)


@staff_only
def verify(request):
    destination = next_url(request)
    authenticator = authenticator_of(request.user)
    if authenticator is None:
        return redirect_with_next("two_factor_setup", destination)
    if request.method == "GET" and request.user.is_verified():
        return redirect(destination)
    form = OneTimeCodeForm(
        request.POST or None,
        user=request.user,
        authenticator=authenticator,
        recovery_codes=recovery_codes_of(request.user),
    )
    if form.is_valid():
        mark_verified(request, form.device)
        if isinstance(form.device, StaticDevice):
            left = form.device.token_set.count()
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code; %(count)d is left. Make new ones on the recovery "
                    "codes page.",
                    "You signed in with a recovery code; %(count)d are left. Make new ones on the recovery "
                    "codes page.",
                    left,
                )
                % {"count": left},
            )
        return redirect(destination)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": destination})


@staff_only
def setup(request):
    destination = next_url(request)
    if authenticator_of(request.user) is not None:
        return redirect_with_next("two_factor_verify", destination)
    pending = pending_authenticator_of(request.user)
    form = OneTimeCodeForm(request.POST or None, user=request.user, authenticator=pending)
    if form.is_valid():
        with transaction.atomic():
            form.device.confirmed = True
            form.device.save(update_fields=["confirmed"])
            codes = replace_recovery_codes(request.user)
        mark_verified(request, form.device)
        request.session[FRESH_RECOVERY_CODES] = codes
        return redirect_with_next("two_factor_recovery_codes", destination)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": destination,
            "qr_code": qr_code(pending.config_url),
            "secret": readable_secret(pending),
        },
    )


@staff_only
def recovery_codes(request):
    """The codes just made, shown once; new ones on demand, after the person proves it is them again."""
    destination = next_url(request)
    if not request.user.is_verified():
        return redirect_with_next("two_factor_verify", request.get_full_path())
    form = OneTimeCodeForm(
        request.POST or None,
        user=request.user,
        authenticator=authenticator_of(request.user),
        recovery_codes=recovery_codes_of(request.user),
    )
    if form.is_valid():
        request.session[FRESH_RECOVERY_CODES] = replace_recovery_codes(request.user)
        return redirect_with_next("two_factor_recovery_codes", destination)
    fresh_codes = request.session.pop(FRESH_RECOVERY_CODES, None) if request.method == "GET" else None
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {
            "form": form,
            "next": destination,
            "fresh_codes": fresh_codes,
            "codes_left": StaticToken.objects.filter(device__user=request.user).count(),
        },
    )
