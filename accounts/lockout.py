"""Sign-in throttling's two faces to a person: the page a paused sign-in gets, and its end by a new password.

django-axes counts wrong passwords per username and address (settings.AXES_*) on the site's and the admin's
login alike; its middleware answers a paused sign-in with locked_out().
"""

import math

from axes.helpers import get_cool_off
from axes.utils import reset
from django.contrib.auth import forms as auth_forms
from django.shortcuts import render


def locked_out(request, original_response=None, credentials=None):
    """Status 429 and a page that says what happened, for how long, and how to get back in.

    Each attempt during the pause starts it again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the
    whole cool-off is what is left from now."""
    seconds = int(get_cool_off(request).total_seconds())
    response = render(
        request, "accounts/locked_out.html", {"minutes": max(1, math.ceil(seconds / 60))}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Django's form behind the emailed reset link, which also lifts a pause on the account's sign-in.

    Following the link proves the person holds the account's mailbox, which could reset the password
    anyway; waiting out the pause after that would only keep the rightful owner out."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            reset(username=user.get_username())
        return user
