"""Who may look: partner organisations, their buyers, and requests for access.

The one rule of visibility lives here (PartnerOrganisation.may_browse and the QuerySets' visible_to methods
called with an organisation), so that every page, filter, count and export asks the same question.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from hubs.models import Hub


class PartnerOrganisationQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(vetting_status=PartnerOrganisation.VettingStatus.APPROVED)

    def suspended(self):
        return self.filter(vetting_status=PartnerOrganisation.VettingStatus.SUSPENDED)

    def named(self, name: str, country: str):
        """The organisation of that name in that country (names compared without regard to case)."""
        return self.filter(name__iexact=name.strip(), country=country)


class PartnerOrganisation(models.Model):
    """A ministry, armed force, procurement agency or defence company of a partner state."""

    class Kind(models.TextChoices):
        MINISTRY_OF_DEFENCE = "ministry", _("Ministry of defence")
        ARMED_FORCES = "armed_forces", _("Armed forces")
        PROCUREMENT_AGENCY = "procurement_agency", _("Procurement agency")
        DEFENCE_COMPANY = "defence_company", _("Defence company")

    class VettingStatus(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    vetting_status = models.CharField(
        _("vetting status"), max_length=10, choices=VettingStatus.choices, default=VettingStatus.PENDING
    )
    hubs = models.ManyToManyField(
        Hub, verbose_name=_("hubs it works with"), blank=True, related_name="partner_organisations"
    )
    notes = models.TextField(_("internal notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    vetting_changed_at = models.DateTimeField(_("vetting status changed at"), null=True, blank=True)

    objects = PartnerOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        ordering = ["name"]
        permissions = [("vet_partnerorganisation", _("Can approve or suspend partner organisations"))]
        constraints = [
            # "Acme Defence" and "ACME defence" in one country are the same organisation: an access request
            # must find it whatever the case the applicant typed.
            models.UniqueConstraint(Lower("name"), "country", name="partner_organisation_unique_per_country"),
        ]

    def __str__(self):
        return f"{self.name} ({self.country.code})"

    @property
    def may_browse(self) -> bool:
        return self.vetting_status == self.VettingStatus.APPROVED

    @property
    def is_suspended(self) -> bool:
        return self.vetting_status == self.VettingStatus.SUSPENDED

    def set_vetting_status(self, status: str):
        if status not in self.VettingStatus.values:
            raise ValueError(f"Unknown vetting status {status!r}.")
        self.vetting_status = status
        self.vetting_changed_at = timezone.now()
        self.save(update_fields=["vetting_status", "vetting_changed_at"])

    def approve(self):
        self.set_vetting_status(self.VettingStatus.APPROVED)

    def suspend(self):
        self.set_vetting_status(self.VettingStatus.SUSPENDED)


class Buyer(models.Model):
    """A user who browses the catalogue for a partner organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="buyer"
    )
    organisation = models.ForeignKey(
        PartnerOrganisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="buyers"
    )
    job_title = models.CharField(_("role"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        ordering = ["organisation__name", "user__last_name", "user__first_name"]

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.get_username()} – {self.organisation.name}"


class AccessRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=AccessRequest.Status.PENDING)


class AccessRequest(models.Model):
    """Someone asks for access to the catalogue for their organisation; staff decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    full_name = models.CharField(_("full name"), max_length=150)
    work_email = models.EmailField(_("work email"))
    job_title = models.CharField(_("role"), max_length=120)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    organisation_kind = models.CharField(
        _("type of organisation"), max_length=20, choices=PartnerOrganisation.Kind.choices
    )
    country = CountryField(_("country"))
    reason = models.TextField(_("why you need access"))
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("The language the request was written in; the decision is emailed in it."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(
        _("decision note"), blank=True, help_text=_("For staff only: it is not sent to the applicant.")
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("organisation record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_requests",
        help_text=_("The organisation the buyer joins when the request is approved."),
    )
    buyer = models.ForeignKey(
        Buyer, verbose_name=_("buyer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("access request")
        verbose_name_plural = _("access requests")
        ordering = ["-created_at"]
        permissions = [("decide_accessrequest", _("Can approve or reject access requests"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="access_request_decision_has_date",
            ),
            models.UniqueConstraint(
                fields=["work_email"],
                condition=Q(status="pending"),
                name="access_request_one_pending_per_email",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="access_request_status")]

    def __str__(self):
        return f"{self.full_name} ({self.organisation_name})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def _decide(self, status: str, *, by, note: str | None):
        if not self.is_pending:
            raise ValidationError(
                _("The request of %(name)s has already been decided.") % {"name": self.full_name},
                code="already_decided",
            )
        self.status = status
        self.decided_by = by
        self.decided_at = timezone.now()
        if note is not None:
            self.decision_note = note

    def reject(self, *, by, note: str | None = None):
        """Refuse the request; note=None keeps the note staff may already have written."""
        self._decide(self.Status.REJECTED, by=by, note=note)
        self.save()

    def record_approval(
        self, *, by, organisation: PartnerOrganisation, buyer: Buyer, note: str | None = None
    ):
        """Mark the request approved. The accounts themselves are made by partners.onboarding, which calls
        this inside its transaction."""
        self._decide(self.Status.APPROVED, by=by, note=note)
        self.organisation = organisation
        self.buyer = buyer
        self.save()
