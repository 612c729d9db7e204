"""What partners ask: shortlists, expressions of interest (EOIs) with their lines and listing snapshots, the
review workflow and its append-only history, and the arms-embargo list that delivery countries are checked
against.

An EOI comes before any export licence: it is never an order. Its status changes only through
ExpressionOfInterest.transition(), which checks the workflow table below and writes the history row.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from audit import log as audit
from audit.models import Action
from hubs.models import Hub, Listing
from partners.models import PartnerOrganisation
from products import media
from products.models import CooperationForm, Product, documents_storage


class EmbargoQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(is_in_force=True)

    def blocking(self):
        """The embargoes under which nothing on this site may be offered or delivered to their country: every
        embargo in force, whatever its scope, for every product.

        A full arms embargo covers every Military List item. Every buyer here is a ministry, an armed force or
        a defence company, so a dual-use item is for a military end use, which Regulation 2021/821 (article
        4) controls like an arm in a country under any EU, UN or OSCE arms embargo. What a partial embargo
        allows (deliveries to a government, with the sanctions committee's exemption) and how far the 1989
        declaration on China reaches are decided case by case, outside this site. The one place this rule
        lives: the catalogue's visibility (hubs.models, offered_to), the admin's and the forms' countries
        and the EOI's delivery country all ask it."""
        return self.in_force()

    def covers(self, country_code: str) -> bool:
        return self.blocking().filter(country=str(country_code).upper()).exists()

    def refusals(self, country_codes) -> list[str]:
        """For each given country under a blocking embargo, the sentence naming the embargo (one query)."""
        codes = {str(code).upper() for code in country_codes}
        return [embargo.describe() for embargo in self.blocking().filter(country__in=codes)]


class Embargo(models.Model):
    """An EU and/or UN arms embargo on a country, kept as data with its source and date: staff maintain it."""

    class Authority(models.TextChoices):
        EU = "eu", _("EU")
        UN = "un", _("UN")
        EU_AND_UN = "eu_un", _("EU and UN")

    class Scope(models.TextChoices):
        FULL = "full", _("Arms embargo")
        PARTIAL = "partial", _("Partial or non-state-actor embargo")
        DECLARATION = "declaration", _("Political declaration")

    country = CountryField(_("country"), unique=True)
    authority = models.CharField(_("imposed by"), max_length=5, choices=Authority.choices)
    scope = models.CharField(_("scope"), max_length=11, choices=Scope.choices, default=Scope.FULL)
    source = models.CharField(_("source"), max_length=300)
    as_of = models.DateField(_("as of"), help_text=_("The date the source was checked."))
    notes = models.TextField(_("notes"), blank=True)
    is_in_force = models.BooleanField(
        _("in force"),
        default=True,
        help_text=_("Deliveries to this country are refused while it is in force."),
    )

    objects = EmbargoQuerySet.as_manager()

    class Meta:
        verbose_name = _("arms embargo")
        verbose_name_plural = _("arms embargoes")
        ordering = ["country"]

    def __str__(self):
        return f"{self.country.name} ({self.get_authority_display()})"

    def describe(self) -> str:
        """The embargo as a refusal names it: country, scope, authority, source and date."""
        return _("%(country)s: %(scope)s (%(authority)s), source: %(source)s, as of %(date)s") % {
            "country": self.country.name,
            "scope": self.get_scope_display(),
            "authority": self.get_authority_display(),
            "source": self.source,
            "date": date_format(self.as_of),
        }


class ShortlistItem(models.Model):
    """A product a buyer set aside to ask about; kept per user across sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="shortlist"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="shortlisted"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortlisted product")
        verbose_name_plural = _("shortlisted products")
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="shortlist_product_once_per_user")
        ]

    def __str__(self):
        return str(self.product)


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted (forwarded to the manufacturer)")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("expression of interest status", "Withdrawn")


# The workflow: from each state, the states it may move to. Final states have none.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset({Status.UNDER_REVIEW, Status.WITHDRAWN}),
    Status.UNDER_REVIEW: frozenset(
        {Status.INFORMATION_REQUESTED, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN}
    ),
    Status.INFORMATION_REQUESTED: frozenset({Status.ANSWERED, Status.WITHDRAWN}),
    Status.ANSWERED: frozenset(
        {
            Status.UNDER_REVIEW,
            Status.INFORMATION_REQUESTED,
            Status.ACCEPTED,
            Status.DECLINED,
            Status.WITHDRAWN,
        }
    ),
    Status.ACCEPTED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
# Who moves an EOI into each state: the buyer's side or the hub's staff.
BUYER_TARGETS = frozenset({Status.ANSWERED, Status.WITHDRAWN})
STAFF_TARGETS = frozenset(
    {Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED, Status.ACCEPTED, Status.DECLINED}
)
OPEN_STATES = frozenset(state for state, targets in TRANSITIONS.items() if targets)


class Kind(models.TextChoices):
    """What an expression of interest asks for: surplus listed at a hub, or cooperation on a product."""

    PURCHASE = "purchase", _("Purchase from a hub's surplus")
    COOPERATION = "cooperation", _("Cooperation (joint production)")


class Reason(models.TextChoices):
    """Coded reasons for declines and requests for information (translated with the interface). Each kind of
    EOI has its own (REASONS_FOR_KIND): a purchase is not declined for a missing government agreement."""

    END_USER_DETAILS = "end_user_details", _("More detail on the end user is needed")
    END_USE_DETAILS = "end_use_details", _("More detail on the intended use is needed")
    CERTIFICATE = "certificate", _("End-user certificate needed or unclear")
    QUANTITY_OR_SCHEDULE = "quantity_schedule", _("Quantity or delivery window to be clarified")
    FINANCING = "financing", _("Financing to be clarified")
    DESTINATION_NOT_ELIGIBLE = "destination", _("Delivery country not eligible for this listing")
    SURPLUS_UNAVAILABLE = "unavailable", _("Surplus no longer available")
    LICENCE_UNLIKELY = "licence_unlikely", _("Export licence unlikely to be granted")
    PARTNER_COMPANY = "partner_company", _("More detail on the partner's industrial company is needed")
    G2G_AGREEMENT = "g2g_agreement", _("Needs a government-to-government agreement")
    VOLUME_BELOW_MINIMUM = "volume_below_minimum", _("Volume below the manufacturer's minimum")
    TRANSFER_NOT_AUTHORISED = "no_transfer", _("Technology transfer not authorised")
    PRODUCTION_SITE = "production_site", _("Proposed production country or site not eligible")
    OTHER = "other", _("Other (see comment)")


REASONS_FOR_KIND: dict[str, list[str]] = {
    Kind.PURCHASE: [
        Reason.END_USER_DETAILS,
        Reason.END_USE_DETAILS,
        Reason.CERTIFICATE,
        Reason.QUANTITY_OR_SCHEDULE,
        Reason.FINANCING,
        Reason.DESTINATION_NOT_ELIGIBLE,
        Reason.SURPLUS_UNAVAILABLE,
        Reason.LICENCE_UNLIKELY,
        Reason.OTHER,
    ],
    Kind.COOPERATION: [
        Reason.PARTNER_COMPANY,
        Reason.END_USER_DETAILS,
        Reason.END_USE_DETAILS,
        Reason.CERTIFICATE,
        Reason.FINANCING,
        Reason.G2G_AGREEMENT,
        Reason.VOLUME_BELOW_MINIMUM,
        Reason.TRANSFER_NOT_AUTHORISED,
        Reason.PRODUCTION_SITE,
        Reason.LICENCE_UNLIKELY,
        Reason.OTHER,
    ],
}


def reason_choices(kind: str) -> list[tuple[str, str]]:
    """The coded reasons a decision on an EOI of this kind may give, as form choices."""
    return [(reason, Reason(reason).label) for reason in REASONS_FOR_KIND[kind]]


REASON_REQUIRED_FOR = frozenset({Status.INFORMATION_REQUESTED, Status.DECLINED})
# The states whose lines the hubs decide: an EOI is accepted or declined through its lines, never as a whole.
LINE_DECISION_TARGETS = frozenset({Status.ACCEPTED, Status.DECLINED})
DECIDED_STATES = LINE_DECISION_TARGETS


class Decision(models.TextChoices):
    """What the hub of one line decided about it."""

    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted (forwarded to the manufacturer)")
    DECLINED = "declined", _("Declined")


# The decision a line takes when its hub accepts or declines, and the line outcome an EOI decided as a whole
# (before hubs decided lines one by one) implies for its lines (migration 0004 and the synthetic data).
DECISION_FOR_STATUS = {Status.ACCEPTED: Decision.ACCEPTED, Status.DECLINED: Decision.DECLINED}


def status_for_decisions(decisions) -> str | None:
    """The rule deriving an EOI's state from its lines' decisions, once, here.

    Nothing decided: None (the EOI keeps its state). Some lines decided and others pending: under review, the
    other hubs still review theirs (shown to people as "partly decided", see overall_state). Every line
    decided: accepted if any line is, declined if all are.
    """
    decisions = list(decisions)
    decided = [decision for decision in decisions if decision != Decision.PENDING]
    if not decided:
        return None
    if len(decided) < len(decisions):
        return Status.UNDER_REVIEW
    if Decision.ACCEPTED in decided:
        return Status.ACCEPTED
    return Status.DECLINED


class ExpressionOfInterestQuerySet(models.QuerySet):
    """The named rules every view, admin page, export and dashboard selects EOIs by."""

    def of_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def for_coordinator(self, user):
        """The EOIs with a line at one of the user's hubs (all of them for a superuser).

        A subquery rather than a join, so that an EOI with several lines at the user's hubs appears once and
        counts and ordering need no DISTINCT.
        """
        if user.is_superuser:
            return self
        return self.filter(pk__in=InterestLine.objects.at_hubs_of(user).values("interest_id"))

    def open(self):
        return self.filter(status__in=OPEN_STATES)

    def overdue(self, today=None):
        return self.filter(self._overdue_q(today))

    def not_overdue(self, today=None):
        return self.exclude(self._overdue_q(today))

    @staticmethod
    def _overdue_q(today=None):
        return Q(status__in=OPEN_STATES, review_due_on__lt=today or timezone.localdate())

    def decided(self):
        """Accepted or declined: decided by the hubs (a withdrawal is the buyer's, not a decision)."""
        return self.filter(status__in=DECIDED_STATES)

    def assigned_to(self, user):
        return self.filter(reviewer=user)

    def purchases(self):
        return self.filter(kind=Kind.PURCHASE)

    def cooperations(self):
        return self.filter(kind=Kind.COOPERATION)


class InterestLineQuerySet(models.QuerySet):
    def at_hubs_of(self, user):
        """The lines at the hubs the user coordinates (all of them for a superuser)."""
        if user.is_superuser:
            return self
        return self.filter(hub__in=Hub.objects.coordinated_by(user))

    def pending(self):
        return self.filter(decision=Decision.PENDING)


class ExpressionOfInterest(models.Model):
    """A vetted partner's structured interest in listed surplus (what, how many, when, for whom, for what
    use), or, of the cooperation kind, in producing a product with its manufacturer (CooperationRequest).

    Not an order: an export licence, an end-user certificate and a contract come later, outside this site.
    A cooperation EOI has one line per hub reviewing it, with no listing: the workflow, the lines' decisions
    and the coordinators' scope are the same for both kinds. Its `delivery_country` is the end user's country.
    """

    class IntendedUse(models.TextChoices):
        TERRITORIAL_DEFENCE = "territorial_defence", _("Territorial defence")
        AIR_DEFENCE = "air_defence", _("Air defence")
        TRAINING = "training", _("Training")
        EVALUATION = "evaluation", _("Evaluation and testing")
        OTHER = "other", _("Other")

    class CertificateStatus(models.TextChoices):
        AVAILABLE = "available", _("Available")
        IN_PREPARATION = "in_preparation", _("In preparation")
        NOT_YET = "not_yet", _("Not yet")

    class Financing(models.TextChoices):
        NATIONAL_BUDGET = "national_budget", _("National budget")
        EU_INSTRUMENT = "eu_instrument", _("EU instrument")
        OTHER = "other", _("Other")

    # NULL until the row has its primary key, which the reference is made from (see save()).
    reference = models.CharField(  # noqa: DJ001
        _("reference"), max_length=20, unique=True, null=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=21, choices=Status.choices, default=Status.SUBMITTED, editable=False
    )
    kind = models.CharField(
        _("kind"), max_length=11, choices=Kind.choices, default=Kind.PURCHASE, editable=False
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="expressions_of_interest",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    end_user = models.CharField(
        _("end user"), max_length=200, help_text=_("The unit or body that will use it.")
    )
    intended_use = models.CharField(_("intended use"), max_length=20, choices=IntendedUse.choices)
    intended_use_other = models.CharField(_("other intended use"), max_length=200, blank=True)
    delivery_country = CountryField(_("delivery country"))
    end_user_certificate = models.CharField(
        _("end-user certificate"), max_length=15, choices=CertificateStatus.choices
    )
    financing = models.CharField(_("financing"), max_length=15, choices=Financing.choices)
    financing_other = models.CharField(_("other financing"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    message = models.TextField(_("message"), blank=True)
    declaration_accepted = models.BooleanField(
        _("declaration accepted"),
        help_text=_("The information is accurate, and an export licence will be required."),
    )
    idempotency_key = models.UUIDField(
        _("submission key"),
        unique=True,
        editable=False,
        help_text=_("Sent with the form, so that a repeated submission finds the first instead of a copy."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewing",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, editable=False)
    review_due_on = models.DateField(_("review due on"), editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ExpressionOfInterestQuerySet.as_manager()

    class Meta:
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(declaration_accepted=True), name="eoi_declaration_accepted"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="eoi_known_status"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="eoi_known_kind"),
            models.CheckConstraint(
                condition=~Q(intended_use="other") | ~Q(intended_use_other=""),
                name="eoi_other_use_described",
            ),
            models.CheckConstraint(
                condition=~Q(financing="other") | ~Q(financing_other=""),
                name="eoi_other_financing_described",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["accepted", "declined", "withdrawn"], decided_at__isnull=False)
                | (~Q(status__in=["accepted", "declined", "withdrawn"]) & Q(decided_at__isnull=True)),
                name="eoi_decided_at_iff_final",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_due_on"], name="eoi_status_due"),
            models.Index(fields=["organisation", "-submitted_at"], name="eoi_organisation_newest"),
        ]

    def __str__(self):
        return self.reference or _("Expression of interest (not yet numbered)")

    def save(self, *args, **kwargs):
        if self._state.adding and not self.review_due_on:
            due = timezone.localtime(self.submitted_at) + datetime.timedelta(days=settings.EOI_REVIEW_DAYS)
            self.review_due_on = due.date()
        super().save(*args, **kwargs)
        if self.reference is None:
            # Numbered from the primary key: unique without a counter table, and assigned in the same
            # transaction as the row.
            self.reference = f"EOI-{timezone.localtime(self.submitted_at).year}-{self.pk:05d}"
            super().save(update_fields=["reference"])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_cooperation(self) -> bool:
        return self.kind == Kind.COOPERATION

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.review_due_on < timezone.localdate()

    def allowed_targets(self) -> frozenset[str]:
        return TRANSITIONS[self.status]

    def overall_state(self, lines=None) -> tuple[str, str]:
        """The state people read, as (value, label): the status, told apart where the lines differ: "partly
        decided" while some hubs still review, "accepted in part" when some lines were declined."""
        decisions = [line.decision for line in (self.lines.all() if lines is None else lines)]
        if self.status == Status.UNDER_REVIEW and status_for_decisions(decisions) == Status.UNDER_REVIEW:
            return "partly_decided", str(pgettext_lazy("expression of interest status", "Partly decided"))
        if self.status == Status.ACCEPTED and Decision.DECLINED in decisions:
            return "accepted_in_part", str(_("Accepted in part (forwarded to the manufacturer)"))
        return self.status, str(self.get_status_display())

    def transition(
        self, to: str, *, by, reason: str = "", comment: str = "", internal_note: str = "", request=None
    ):
        """Move to another state, if the workflow allows it, and record who, when, from, to and why, in the
        history and in the audit log (with the address of `request`, when a request takes the step).

        Accepting or declining is a decision on lines: it decides the undecided lines at the hubs of `by`
        (every line, for a superuser), and the EOI's state follows from all its lines (status_for_decisions):
        a hub never decides another hub's lines. Returns the history row of the status change, or None when
        the lines decided left the state as it was.

        The row is locked for the duration, so two reviewers acting at once cannot both move it from the
        same state.
        """
        with transaction.atomic():
            current = ExpressionOfInterest.objects.select_for_update().get(pk=self.pk)
            current._check_step(to)
            if to in LINE_DECISION_TARGETS:
                lines = list(current.lines.at_hubs_of(by).pending().select_related("hub"))
                if not lines:
                    raise ValidationError(
                        _("There are no undecided lines at your hubs in this expression of interest."),
                        code="nothing_to_decide",
                    )
                decided = current._decide(
                    lines,
                    DECISION_FOR_STATUS[to],
                    by=by,
                    reason=reason,
                    comment=comment,
                    internal_note=internal_note,
                    request=request,
                )
                change = decided.change
            else:
                current._check_reason(to, reason)
                change = current._move(
                    to, by=by, reason=reason, comment=comment, internal_note=internal_note, request=request
                )
        self.status, self.decided_at = current.status, current.decided_at
        return change

    def decide_lines(
        self,
        lines,
        decision: str,
        *,
        by,
        reason: str = "",
        comment: str = "",
        internal_note: str = "",
        request=None,
    ) -> "LinesDecided":
        """Accept or decline these lines (each at a hub `by` coordinates, each undecided), record each
        decision in the line history and the audit log, and move the EOI to the state its lines now imply."""
        if decision not in (Decision.ACCEPTED, Decision.DECLINED):
            raise ValidationError(_("Choose to accept or to decline."), code="unknown_decision")
        line_ids = {line.pk if isinstance(line, InterestLine) else int(line) for line in lines}
        with transaction.atomic():
            current = ExpressionOfInterest.objects.select_for_update().get(pk=self.pk)
            current._check_step(decision)
            chosen = list(current.lines.filter(pk__in=line_ids).select_related("hub", "product"))
            if not line_ids or len(chosen) != len(line_ids):
                raise ValidationError(_("Choose lines of this expression of interest."), code="unknown_line")
            allowed = set(current.lines.at_hubs_of(by).filter(pk__in=line_ids).values_list("pk", flat=True))
            for line in chosen:
                if line.pk not in allowed:
                    raise ValidationError(
                        _("%(hub)s decides its own lines: you do not coordinate it."),
                        code="not_your_hub",
                        params={"hub": line.hub.name},
                    )
                if line.decision != Decision.PENDING:
                    raise ValidationError(
                        _("%(product)s at %(hub)s is already decided."),
                        code="already_decided",
                        params={"product": line.product.name, "hub": line.hub.name},
                    )
            decided = current._decide(
                chosen,
                decision,
                by=by,
                reason=reason,
                comment=comment,
                internal_note=internal_note,
                request=request,
            )
        self.status, self.decided_at = current.status, current.decided_at
        return decided

    # The steps below expect the row locked (select_for_update) inside the caller's transaction.

    def _check_step(self, to: str):
        if to not in TRANSITIONS[self.status]:
            raise ValidationError(
                _("An expression of interest that is %(current)s cannot become %(target)s."),
                code="illegal_transition",
                params={"current": Status(self.status).label, "target": Status(to).label},
            )

    def _check_reason(self, to: str, reason: str):
        if to in REASON_REQUIRED_FOR and not reason:
            raise ValidationError(_("Choose a reason."), code="reason_required")
        if reason and reason not in Reason.values:
            raise ValidationError(_("Choose a reason from the list."), code="unknown_reason")
        if reason and reason not in REASONS_FOR_KIND[self.kind]:
            raise ValidationError(
                _("“%(reason)s” is no reason for an expression of interest of this kind (%(kind)s)."),
                code="reason_of_other_kind",
                params={"reason": Reason(reason).label, "kind": Kind(self.kind).label},
            )

    def _move(self, to: str, *, by, reason="", comment="", internal_note="", request=None):
        change = StatusChange.objects.create(
            interest=self,
            from_status=self.status,
            to_status=to,
            actor=by,
            reason=reason,
            comment=comment,
            internal_note=internal_note,
        )
        audit.record(
            request,
            Action.EOI_STEP,
            obj=self,
            actor=by,
            from_status=self.status,
            to_status=to,
            reason=reason,
        )
        self.status = to
        self.decided_at = timezone.now() if not TRANSITIONS[to] else None
        self.save(update_fields=["status", "decided_at", "updated_at"])
        return change

    def _decide(self, lines, decision, *, by, reason, comment, internal_note, request) -> "LinesDecided":
        self._check_reason(Status.DECLINED if decision == Decision.DECLINED else Status.ACCEPTED, reason)
        now = timezone.now()
        records = []
        for line in lines:
            records.append(
                LineDecision.objects.create(
                    line=line,
                    from_decision=line.decision,
                    to_decision=decision,
                    actor=by,
                    at=now,
                    reason=reason,
                    comment=comment,
                    internal_note=internal_note,
                )
            )
            audit.record(
                request,
                Action.EOI_STEP,
                obj=self,
                actor=by,
                line=line.pk,
                hub=line.hub_id,
                from_decision=line.decision,
                to_decision=decision,
                reason=reason,
            )
            line.decision, line.decided_at = decision, now
            line.save(update_fields=["decision", "decided_at"])
        target = status_for_decisions(self.lines.values_list("decision", flat=True))
        change = None
        if target is not None and target != self.status:
            final = not TRANSITIONS[target]
            change = self._move(
                target,
                by=by,
                reason=reason if target in REASON_REQUIRED_FOR else "",
                # The buyer reads the comment with the lines; the final step repeats it in the timeline.
                comment=comment if final else "",
                internal_note=internal_note if final else "",
                request=request,
            )
        return LinesDecided(self, records, change)

    def start_review(self, *, by, internal_note="", request=None):
        return self.transition(Status.UNDER_REVIEW, by=by, internal_note=internal_note, request=request)

    def request_information(self, *, by, reason, comment, internal_note="", request=None):
        return self.transition(
            Status.INFORMATION_REQUESTED,
            by=by,
            reason=reason,
            comment=comment,
            internal_note=internal_note,
            request=request,
        )

    def answer(self, *, by, comment, request=None):
        return self.transition(Status.ANSWERED, by=by, comment=comment, request=request)

    def accept(self, *, by, comment="", internal_note="", request=None):
        return self.transition(
            Status.ACCEPTED, by=by, comment=comment, internal_note=internal_note, request=request
        )

    def decline(self, *, by, reason, comment, internal_note="", request=None):
        return self.transition(
            Status.DECLINED,
            by=by,
            reason=reason,
            comment=comment,
            internal_note=internal_note,
            request=request,
        )

    def withdraw(self, *, by, comment="", request=None):
        return self.transition(Status.WITHDRAWN, by=by, comment=comment, request=request)


class InterestLine(models.Model):
    """One product asked about, at one hub's listing, with the listing as it stood when the EOI was sent.

    A cooperation EOI's lines have no listing, quantity, delivery window or listing snapshot: one line per
    hub that reviews the proposal (what is proposed is the EOI's CooperationRequest)."""

    interest = models.ForeignKey(
        ExpressionOfInterest,
        verbose_name=_("expression of interest"),
        on_delete=models.PROTECT,
        related_name="lines",
    )
    listing = models.ForeignKey(
        Listing, verbose_name=_("listing"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    hub = models.ForeignKey(
        Hub, verbose_name=_("hub"), on_delete=models.PROTECT, related_name="interest_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    delivery_from = models.DateField(_("delivery wanted from"), null=True, blank=True)
    delivery_until = models.DateField(_("delivery wanted until"), null=True, blank=True)
    exceeds_listed_quantity = models.BooleanField(_("more than listed"), default=False, editable=False)
    # The listing as the buyer saw it when submitting; later edits of the listing do not change these.
    listed_quantity = models.PositiveIntegerField(_("listed quantity"), null=True, editable=False)
    listed_quantity_unit = models.CharField(_("unit"), max_length=10, blank=True, editable=False)
    listed_lead_time_weeks = models.PositiveSmallIntegerField(
        _("listed lead time (weeks)"), null=True, editable=False
    )
    listed_unit_price_eur = models.DecimalField(
        _("listed indicative unit price (EUR)"), max_digits=12, decimal_places=2, null=True, editable=False
    )
    listed_licence_status = models.CharField(
        _("listed export licence status"), max_length=12, blank=True, editable=False
    )
    listed_availability = models.CharField(
        _("listed availability"), max_length=10, blank=True, editable=False
    )
    listed_valid_until = models.DateField(_("listing valid until"), null=True, editable=False)
    # What the line's hub decided; changed only through ExpressionOfInterest.decide_lines() / transition().
    decision = models.CharField(
        _("decision"), max_length=8, choices=Decision.choices, default=Decision.PENDING, editable=False
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)

    objects = InterestLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="interest_line_positive_quantity"),
            models.CheckConstraint(
                condition=Q(delivery_until__gte=models.F("delivery_from")),
                name="interest_line_window_ordered",
            ),
            models.UniqueConstraint(fields=["interest", "listing"], name="interest_line_one_per_listing"),
            # A purchase line names its listing, quantity, window and snapshot; a cooperation line none.
            models.CheckConstraint(
                condition=Q(
                    listing__isnull=False,
                    quantity__isnull=False,
                    delivery_from__isnull=False,
                    delivery_until__isnull=False,
                    listed_quantity__isnull=False,
                    listed_lead_time_weeks__isnull=False,
                )
                | Q(
                    listing__isnull=True,
                    quantity__isnull=True,
                    delivery_from__isnull=True,
                    delivery_until__isnull=True,
                    listed_quantity__isnull=True,
                    listed_lead_time_weeks__isnull=True,
                ),
                name="interest_line_listing_iff_quantity",
            ),
            models.UniqueConstraint(
                fields=["interest", "hub"],
                condition=Q(listing__isnull=True),
                name="interest_line_one_cooperation_per_hub",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="interest_line_known_decision"
            ),
            models.CheckConstraint(
                condition=Q(decision="pending", decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_at__isnull=False)),
                name="interest_line_decided_at_iff_decided",
            ),
        ]
        indexes = [models.Index(fields=["hub", "interest"], name="interest_line_hub")]

    def __str__(self):
        if self.listing_id is None:
            return _("%(product)s (cooperation, %(hub)s)") % {"product": self.product, "hub": self.hub}
        return f"{self.quantity} × {self.product}"

    def take_snapshot(self, listing: Listing):
        """Copy what the buyer is asking about from the listing, now."""
        self.listing, self.product_id, self.hub_id = listing, listing.product_id, listing.hub_id
        self.listed_quantity = listing.quantity_available
        self.listed_quantity_unit = listing.quantity_unit
        self.listed_lead_time_weeks = listing.lead_time_weeks
        self.listed_unit_price_eur = listing.unit_price_eur
        self.listed_licence_status = listing.licence_status
        self.listed_availability = listing.availability
        self.listed_valid_until = listing.valid_until
        self.exceeds_listed_quantity = self.quantity > listing.quantity_available


class CooperationRequest(models.Model):
    """What a cooperation EOI proposes: the form of cooperation on one product, the partner's industrial
    company, volume and duration, where it would be produced, and the technology transfer asked for; with the
    manufacturer's minimum annual volume as the buyer saw it when submitting."""

    interest = models.OneToOneField(
        ExpressionOfInterest,
        verbose_name=_("expression of interest"),
        on_delete=models.PROTECT,
        related_name="cooperation",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    form = models.CharField(_("form of cooperation"), max_length=20, choices=CooperationForm.choices)
    company_name = models.CharField(_("partner's industrial company"), max_length=200)
    company_country = CountryField(_("company's country"))
    company_registration = models.CharField(
        _("company registration"),
        max_length=100,
        help_text=_("The company's registration number in its national register."),
    )
    annual_volume = models.PositiveIntegerField(_("intended annual volume"))
    duration_years = models.PositiveSmallIntegerField(_("intended duration (years)"))
    production_country = CountryField(_("proposed production country"))
    production_site = models.CharField(_("proposed production site"), max_length=200)
    technology_transfer_scope = models.TextField(
        _("technology transfer asked for"),
        help_text=_("Drawings, tooling, software, processes, training: what the partner asks to receive."),
    )
    offered_minimum_annual_volume = models.PositiveIntegerField(
        _("manufacturer's minimum annual volume then"), null=True, editable=False
    )
    offered_volume_unit = models.CharField(_("volume unit"), max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = _("cooperation request")
        verbose_name_plural = _("cooperation requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(form__in=CooperationForm.values), name="cooperation_request_known_form"
            ),
            models.CheckConstraint(
                condition=Q(annual_volume__gt=0), name="cooperation_request_positive_volume"
            ),
            models.CheckConstraint(
                condition=Q(duration_years__gte=1) & Q(duration_years__lte=30),
                name="cooperation_request_duration_1_to_30_years",
            ),
        ]

    def __str__(self):
        return f"{self.get_form_display()}: {self.product}"

    @property
    def below_minimum(self) -> bool:
        minimum = self.offered_minimum_annual_volume
        return minimum is not None and self.annual_volume < minimum


@dataclass
class LinesDecided:
    """What one decision on lines did: the EOI as it now is, a history row per line, and the status change
    the lines caused (None when the state stayed as it was)."""

    interest: "ExpressionOfInterest"
    decisions: list["LineDecision"]
    change: "StatusChange | None"


class StatusChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("The review history cannot be changed."))

    def delete(self):
        raise ValidationError(_("The review history cannot be deleted."))


class AppendOnlyHistory:
    """Rows of the review history are written once: saving an existing one or deleting one is refused here, as
    the database's triggers refuse it too (migrations 0002 and 0004)."""

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("The review history cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The review history cannot be deleted."))


class StatusChange(AppendOnlyHistory, models.Model):
    """One step of an EOI's review: who, when, from, to, why. Append-only, in the model and the database."""

    interest = models.ForeignKey(
        ExpressionOfInterest,
        verbose_name=_("expression of interest"),
        on_delete=models.PROTECT,
        related_name="history",
    )
    from_status = models.CharField(_("from"), max_length=21, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=21, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True, help_text=_("Shown to the buyer."))
    internal_note = models.TextField(_("internal note"), blank=True, help_text=_("Staff only."))

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["interest", "at"], name="status_change_interest_at")]

    def __str__(self):
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


def certificate_upload_to(instance, filename):
    # A random name: the buyer's filename (kept in original_filename) never becomes a path.
    return f"interests/certificates/{uuid.uuid4().hex}.pdf"


class EndUserCertificate(models.Model):
    """An end-user certificate a buyer attached to an answer: a PDF in the private "documents" storage, served
    only by access-checked views to the buyer's organisation and the coordinators of the EOI's hubs."""

    interest = models.ForeignKey(
        ExpressionOfInterest,
        verbose_name=_("expression of interest"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    answer = models.ForeignKey(
        StatusChange,
        verbose_name=_("sent with the answer"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    file = models.FileField(
        _("PDF file"),
        storage=documents_storage,
        upload_to=certificate_upload_to,
        validators=[media.validate_pdf_upload],
    )
    original_filename = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveIntegerField(_("size in bytes"), editable=False, null=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("end-user certificate")
        verbose_name_plural = _("end-user certificates")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_filename

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:
            media.pdf_page_count(self.file)  # refuses what is no clean PDF before it reaches storage
            self.size_bytes = self.file.size
        super().save(*args, **kwargs)


class LineDecision(AppendOnlyHistory, models.Model):
    """One hub's decision on one line: who, when, from, to, why. Append-only, like StatusChange."""

    line = models.ForeignKey(
        InterestLine, verbose_name=_("line"), on_delete=models.PROTECT, related_name="decisions"
    )
    from_decision = models.CharField(_("from"), max_length=8, choices=Decision.choices)
    to_decision = models.CharField(_("to"), max_length=8, choices=Decision.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True, help_text=_("Shown to the buyer."))
    internal_note = models.TextField(_("internal note"), blank=True, help_text=_("Staff only."))

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("line decision")
        verbose_name_plural = _("line decisions")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["line", "at"], name="line_decision_line_at")]

    def __str__(self):
        return f"{self.get_from_decision_display()} → {self.get_to_decision_display()}"
