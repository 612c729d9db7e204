"""Refuse requests carrying control characters before any view, form or query sees them.

No person types a NUL byte or an escape character into a search box or a name field; a request that carries
one is a tool probing the site. PostgreSQL refuses NUL in text outright (a DataError, so a 500 wherever a
value reaches a query: admin filters, admin autocomplete, the catalogue's search), and the other C0 controls
are at best invisible junk in stored names and exported spreadsheets. Tab, carriage return and line feed are
ordinary text (a pasted address, a multi-line message) and pass.

Checked: the path, the query string's names and values, and the names and values of a POST's ordinary fields.
Uploaded files are binary by nature and left to the checks of products/media.py (Django cleans their names).
"""

import re

from django.conf import settings
from django.http import HttpResponseBadRequest, UnreadablePostError
from django.template.loader import render_to_string
from django.utils import translation

# C0 controls but tab, LF and CR; and lone surrogates, which no UTF-8 text can hold (Django decodes broken
# input with replacement characters, so these are only a belt to the braces).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def _any_in(query_dict) -> bool:
    return any(
        has_control_characters(key) or any(has_control_characters(value) for value in values)
        for key, values in query_dict.lists()
    )


def _posted_fields_are_clean(request) -> bool:
    if request.method != "POST" or request.content_type not in FORM_CONTENT_TYPES:
        return True
    try:
        return not _any_in(request.POST)
    except UnreadablePostError:
        return True  # The client went away: CSRF and the view meet the same broken body and say so.


def refused(request) -> HttpResponseBadRequest:
    # This runs before LocaleMiddleware: the page is in the language the browser asks for.
    with translation.override(translation.get_language_from_request(request)):
        return HttpResponseBadRequest(render_to_string("400.html"))


def refuse_control_characters(get_response):
    """400 for a request whose path, query string or form fields carry control characters."""

    def middleware(request):
        if (
            has_control_characters(request.path_info)
            or _any_in(request.GET)
            or not _posted_fields_are_clean(request)
        ):
            return refused(request)
        return get_response(request)

    return middleware


# django-axes keeps the username tried in a 255-character column, which PostgreSQL enforces with an error;
# Django's login forms do not limit the username's length (AuthenticationForm sets max_length after the
# field's validators were made). No account's name is longer than 150 characters.
TRIED_USERNAME_LENGTH = 150


def axes_username(request, credentials=None) -> str | None:
    """settings.AXES_USERNAME_CALLABLE: axes' own choice of the username tried, cut to a storable length."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or getattr(request, "data", request.POST)).get(field)
    return username[:TRIED_USERNAME_LENGTH] if isinstance(username, str) else username
