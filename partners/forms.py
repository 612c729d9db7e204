import unicodedata

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.email import language_of
from interests.embargoes import mark_embargoed_countries, refuse_embargoed
from partners.models import AccessRequest


class AccessRequestForm(forms.ModelForm):
    """What anyone may send to ask for access: who they are, for which organisation, and why."""

    reason = forms.CharField(
        label=_("Why you need access"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What your organisation is looking for, and the programme or need behind it."),
    )

    class Meta:
        model = AccessRequest
        fields = [
            "full_name",
            "work_email",
            "job_title",
            "organisation_name",
            "organisation_kind",
            "country",
            "reason",
        ]
        labels = {
            "job_title": _("Role"),
            "organisation_name": _("Organisation"),
            "organisation_kind": _("Type of organisation"),
        }
        help_texts = {
            "work_email": _("Your address at your organisation. We write to it when the request is decided."),
            "job_title": _("For example: procurement officer, head of a capability branch."),
            "organisation_name": _("Its full official name, as in your email signature."),
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "work_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "organisation_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "country": forms.Select(attrs={"autocomplete": "country"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The blank first choice says what to do rather than showing dashes.
        for name, prompt in [
            ("organisation_kind", _("Choose a type")),
            ("country", _("Choose a country")),
        ]:
            field = self.fields[name]
            field.choices = [("", prompt), *[choice for choice in field.choices if choice[0] != ""]]
        mark_embargoed_countries(self.fields["country"])

    def clean_country(self):
        # Nothing on this site may be offered to an organisation there: better said now than after vetting.
        country = self.cleaned_data["country"]
        refuse_embargoed(
            [country],
            message=_("Organisations in this country cannot be given access: it is under an arms embargo."),
        )
        return country

    def clean_work_email(self):
        # Lower case, so that the database's one-pending-request-per-address rule sees "A@x" and "a@x" as one.
        # Whether one is waiting is the view's to handle, silently: an error here would tell anyone who asked.
        return self.cleaned_data["work_email"].strip().lower()

    def clean_organisation_name(self):
        return " ".join(self.cleaned_data["organisation_name"].split())

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())


class DecisionActionForm(ActionForm):
    """The admin's action bar for access requests, with room for the decision note."""

    decision_note = forms.CharField(
        label=_("Decision note (staff only):"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 24}),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, which also reaches the buyers who have not chosen a password yet.

    Django leaves out accounts without a usable password (they might log in some other way). Here an approved
    buyer starts without one until they follow the emailed link; if that link expired, "Forgot your
    password?" must still send them a new one.
    """

    def send_mail(self, *args, **kwargs):
        """Queued like every email (EMAIL_BACKEND), in the language of the account it is for."""
        context = args[2] if len(args) > 2 else kwargs["context"]
        with translation.override(language_of(context["user"])):
            super().send_mail(*args, **kwargs)

    def get_users(self, email):
        email_field = get_user_model().get_email_field_name()
        users = get_user_model()._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        wanted = casefolded(email)
        return (
            user
            for user in users.select_related("buyer")
            if (user.has_usable_password() or hasattr(user, "buyer"))
            and casefolded(getattr(user, email_field)) == wanted
        )


def casefolded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()
