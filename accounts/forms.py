"""Forms for what people type about their own account."""

import math

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def too_many_attempts(locked_until) -> ValidationError:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 1
    if seconds < 120:
        message = ngettext(
            "Too many wrong codes. Wait %(count)d second and try again.",
            "Too many wrong codes. Wait %(count)d seconds and try again.",
            seconds,
        )
        return ValidationError(message % {"count": seconds}, code="throttled")
    minutes = math.ceil(seconds / 60)
    message = ngettext(
        "Too many wrong codes. Wait %(count)d minute and try again.",
        "Too many wrong codes. Wait %(count)d minutes and try again.",
        minutes,
    )
    return ValidationError(message % {"count": minutes}, code="throttled")


class OneTimeCodeForm(forms.Form):
    """A code from the person's authenticator app or, where accepted, one of their recovery codes.

    A valid form has checked the code against the device it belongs to (django-otp's verify_token, which
    slows down guessing: each wrong code doubles the wait before the next try) and names it in `device`.
    A recovery code is used up by that check."""

    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def __init__(
        self,
        data=None,
        *,
        user,
        authenticator: TOTPDevice | None,
        recovery_codes: StaticDevice | None = None,
    ):
        super().__init__(data)
        self.user = user
        self.authenticator = authenticator
        self.recovery_codes = recovery_codes
        self.device = None
        if recovery_codes is not None:
            self.fields["code"].help_text = _(
                "The 6-digit code your authenticator app shows now, or one of your recovery codes."
            )
        else:
            self.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")

    def clean_code(self):
        # People copy codes with spaces and dashes ("123 456", "abcd-efgh") and in capitals.
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        device = self.authenticator if code.isdigit() else self.recovery_codes
        if device is None:
            raise ValidationError(
                _("Enter the 6-digit code your authenticator app shows now."), code="invalid"
            )
        allowed, details = device.verify_is_allowed()
        if not allowed:
            raise too_many_attempts((details or {}).get("locked_until"))
        self.device = verify_token(self.user, device.persistent_id, code)
        if self.device is None and device is self.authenticator:
            raise ValidationError(
                _("That code is not right. Check that your device's clock is correct and try the new code."),
                code="wrong",
            )
        if self.device is None:
            raise ValidationError(_("That recovery code is not right, or it was used already."), code="wrong")
        return code
