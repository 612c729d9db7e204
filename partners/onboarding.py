"""Deciding an access request: the writes that span organisations, users, buyers and the request itself.

Approval runs in one transaction, which also writes to the outbox the email with the new buyer's link to
choose their password (accounts.email): no one receives a link to an account that was rolled back, and no
approval is left without its email. The link is
Django's password-reset link (default_token_generator and the `password_reset_confirm` view): it works once,
expires after PASSWORD_RESET_TIMEOUT, and the password chosen there passes AUTH_PASSWORD_VALIDATORS.
"""

import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.email import absolute_url, queue_email, queue_email_to, set_language_of, site_url
from audit import log as audit
from audit.models import Action
from partners.models import AccessRequest, Buyer, PartnerOrganisation

# The group made by partners/migrations/0002_partner_vetting_group.py.
VETTING_GROUP = "Partner vetting"

logger = logging.getLogger(__name__)

# What Django's username validator accepts; anything else in an email address becomes "_".
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


@transaction.atomic
def approve_access_request(
    access_request: AccessRequest,
    *,
    by,
    organisation: PartnerOrganisation | None = None,
    note: str | None = None,
    request=None,
) -> Buyer:
    """Approve the request: find or create the organisation, create the buyer's account (or re-activate an
    inactive one with that email) with no usable password, mark the request approved, and after commit
    queue the buyer's email with a link to choose their password, in the language of their request.

    `organisation` is the one staff chose; without it the organisation of the same name and country is
    reused, or a new one is created, approved. A suspended organisation is never re-approved here: that is a
    decision of its own (PartnerOrganisation.approve), so the approval is refused with a ValidationError
    saying so. `request` (or settings.SITE_URL) gives the address the emailed link points to, and the audit
    log the decider's address.
    """
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    if not access_request.is_pending:
        raise ValidationError(
            _("The request of %(name)s has already been decided.") % {"name": access_request.full_name},
            code="already_decided",
        )
    base_url = site_url(request)
    organisation = organisation_for(access_request, chosen=organisation)
    user = account_for(access_request)
    buyer, _created = Buyer.objects.update_or_create(
        user=user, defaults={"organisation": organisation, "job_title": access_request.job_title}
    )
    access_request.record_approval(by=by, organisation=organisation, buyer=buyer, note=note)
    audit.record(
        request,
        Action.ACCESS_APPROVED,
        obj=access_request,
        actor=by,
        organisation_id=organisation.pk,
        organisation=organisation.name,
        buyer=user.get_username(),
    )
    set_language_of(user, access_request.language)
    send_login_link(user, base_url=base_url, welcome=True)
    return buyer


@transaction.atomic
def reject_access_request(
    access_request: AccessRequest, *, by, note: str | None = None, request=None
) -> AccessRequest:
    """Refuse the request and tell the applicant politely. The note stays with staff. `request` gives the
    audit log the decider's address."""
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    access_request.reject(by=by, note=note)
    audit.record(request, Action.ACCESS_REJECTED, obj=access_request, actor=by)
    send_rejection(access_request)
    return access_request


def organisation_for(access_request: AccessRequest, *, chosen: PartnerOrganisation | None):
    if chosen is None:
        chosen, created = PartnerOrganisation.objects.named(
            access_request.organisation_name, access_request.country
        ).get_or_create(
            defaults={
                "name": access_request.organisation_name.strip(),
                "country": access_request.country,
                "kind": access_request.organisation_kind,
                "vetting_status": PartnerOrganisation.VettingStatus.APPROVED,
                "vetting_changed_at": timezone.now(),
            }
        )
        if created:
            return chosen
    if chosen.is_suspended:
        raise ValidationError(
            _(
                "%(organisation)s is suspended. Approving this request would not let %(name)s in. If the "
                "organisation should have access again, approve the organisation itself first, then this "
                "request; otherwise reject the request."
            )
            % {"organisation": chosen, "name": access_request.full_name},
            code="organisation_suspended",
        )
    if not chosen.may_browse:
        # A pending organisation is vetted by the approval of its first request.
        chosen.approve()
    return chosen


def account_for(access_request: AccessRequest):
    """A new user for the request's email, or the inactive one that already has it, with no usable password:
    the buyer chooses one through the emailed link."""
    User = get_user_model()
    email = access_request.work_email.strip().lower()
    existing = list(User.objects.filter(email__iexact=email).order_by("pk")[:2])
    if len(existing) > 1:
        raise ValidationError(
            _("Several accounts use the email address %(email)s; tidy them up in Users first.")
            % {"email": email},
            code="email_ambiguous",
        )
    if existing:
        user = existing[0]
        if user.is_active:
            raise ValidationError(
                _(
                    "An active account (%(username)s) already uses the email address %(email)s; that person "
                    "can log in already. Reject this request or change the account instead."
                )
                % {"username": user.get_username(), "email": email},
                code="account_active",
            )
        if user.is_staff or user.is_superuser:
            raise ValidationError(
                _("The email address %(email)s belongs to a staff account, which cannot become a buyer.")
                % {"email": email},
                code="account_staff",
            )
        user.is_active = True
    else:
        user = User(username=free_username(email), email=email)
    first_name, _space, last_name = access_request.full_name.strip().rpartition(" ")
    user.first_name, user.last_name = (first_name, last_name) if first_name else (last_name, "")
    user.set_unusable_password()
    user.save()
    return user


def free_username(email: str) -> str:
    """The email address as the username (made safe for Django's username rules), numbered if taken."""
    User = get_user_model()
    base = USERNAME_UNSAFE.sub("_", email)[:140]
    username, number = base, 1
    while User.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}-{number}"
    return username


def login_link(user, *, base_url: str) -> str:
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{base_url}{path}"


def send_login_link(user, *, base_url: str, welcome: bool = False):
    """Queue an email with a link to choose a password, in the buyer's language: the welcome after approval,
    or a new link staff send later."""
    buyer = Buyer.objects.select_related("organisation").get(user=user)
    queue_email_to(
        user,
        subject_template="registration/access_approved_subject.txt",
        body_template="registration/access_approved_email.txt",
        context={
            "user": user,
            "username": user.get_username(),
            "organisation": buyer.organisation,
            "link": login_link(user, base_url=base_url),
            "login_url": f"{base_url}{reverse('login')}",
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600),
            "welcome": welcome,
        },
    )


def send_rejection(access_request: AccessRequest):
    queue_email(
        to=access_request.work_email,
        language=access_request.language,
        subject_template="partners/access_rejected_subject.txt",
        body_template="partners/access_rejected_email.txt",
        context={"access_request": access_request},
    )


def vetting_staff():
    """Who decides access requests: the active members of the vetting group with an email address, or, while
    the group is empty, the superusers, so that no request waits unseen."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    members = users.filter(groups__name=VETTING_GROUP)
    return (members if members.exists() else users.filter(is_superuser=True)).select_related("preference")


def notify_staff_of(access_request: AccessRequest, *, request=None) -> int:
    """Queue a notice of a new access request to each person who vets partners, in their language."""
    admin_url = absolute_url(
        reverse("admin:partners_accessrequest_change", args=[access_request.pk]), request
    )
    return sum(
        queue_email_to(
            person,
            subject=gettext_lazy("Access request from %(organisation)s"),
            body_template="partners/access_request_staff_email.txt",
            context={
                "access_request": access_request,
                "admin_url": admin_url,
                "organisation": access_request.organisation_name,
            },
        )
        for person in vetting_staff().distinct().order_by("pk")
    )
