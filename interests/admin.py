"""The staff side of expressions of interest: review in the admin, scoped to the hubs a coordinator runs.

An EOI is routed to the hubs of its lines: a coordinator sees and acts on the EOIs of which one line is at a
hub they coordinate (superusers see all), and of those EOIs sees and decides only the lines at their hubs (the
change page, the change list, the export). Scoping reuses hubs.admin.HubScopedAdminMixin (another hub's EOI
answers 404 on every path built on get_queryset/get_object), with the rules of ExpressionOfInterestQuerySet
and InterestLineQuerySet.

The review is one form on the change page (posted to a separate admin URL): the next step (an EOI-level step,
or accepting or declining the coordinator's lines), its reason, comment and internal note, and the reviewer.
The status changes only through ExpressionOfInterest.transition() and decide_lines(); the histories are shown
read-only and no admin route edits them.
"""

import datetime
from statistics import median

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Prefetch, Q
from django.db.models.functions import TruncWeek
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_countries import countries
from modeltranslation.admin import TranslationAdmin

from audit import log as audit
from audit.admin import AuditedAdmin
from audit.models import Action
from hubcatalog.formatting import format_moment, format_money, format_quantity
from hubcatalog.spreadsheets import streamed_csv
from hubs.admin import HubScopedAdminMixin, hub_short_name
from hubs.models import Hub, Listing
from interests.models import (
    LINE_DECISION_TARGETS,
    OPEN_STATES,
    REASON_REQUIRED_FOR,
    STAFF_TARGETS,
    Decision,
    Embargo,
    ExpressionOfInterest,
    InterestLine,
    Kind,
    LineDecision,
    Reason,
    Status,
    StatusChange,
    reason_choices,
)
from interests.notifications import notify_buyer_of_change, notify_buyer_of_decisions
from products.models import Product

# EOIs read at a time by the CSV export (with one query for their lines).
EXPORT_CHUNK_SIZE = 500

# The open states in workflow order, for the dashboard's columns and the chart's segments.
OPEN_STATES_IN_ORDER = [state for state in Status.values if state in OPEN_STATES]


# Weeks of decisions the dashboard shows, this one included.
DASHBOARD_WEEKS = 12


def eligible_reviewers(interest):
    """Active staff who coordinate one of the EOI's hubs, and superusers."""
    hub_ids = interest.lines.values("hub_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(coordinated_hubs__in=hub_ids))
        .distinct()
        .order_by("username")
    )


def choice_label(choices, value: str) -> str:
    """The label of a snapshot of a choice, or the stored value if the choices have changed since."""
    return choices(value).label if value in choices.values else value


def age_in_days(interest) -> int:
    return (timezone.now() - interest.submitted_at).days


def short_date(value) -> str:
    """A date as the change lists and the change page show it (2 Dec 2026); "–" for none."""
    return localize(value) if value else "–"


def more_than_listed(line) -> str:
    """Whether a line asks for more than its listing offered, in words (a red cross for "no" read as a
    fault), with how much more."""
    if line.quantity is None or line.listed_quantity is None:
        return "–"
    if not line.exceeds_listed_quantity:
        return gettext("No")
    extra = line.quantity - line.listed_quantity
    return gettext("Yes, %(extra)s more than listed") % {
        "extra": format_quantity(extra, line.listed_quantity_unit)
    }


class ReviewForm(forms.Form):
    """The one review form: the next step (an EOI-level step, or accepting or declining lines at the user's
    hubs), its coded reason, what the buyer reads, what only staff read, and the reviewer. One submit: the
    reviewer is saved with the step, or on its own when no step is chosen."""

    to_status = forms.ChoiceField(label=_("Next step"), required=False)
    lines = forms.TypedMultipleChoiceField(
        label=_("Lines to accept or decline"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all undecided lines at your hubs."),
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("— no reason —")), *Reason.choices],
        help_text=_("Required when requesting information or declining."),
    )
    comment = forms.CharField(
        label=_("Comment to the buyer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_(
            "Emailed to the buyer and shown to them. Required when requesting information or declining."
        ),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("Staff only: never shown or sent to the buyer."),
    )
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None, required=False)

    def __init__(self, interest, user, *args, **kwargs):
        kwargs.setdefault("initial", {"reviewer": interest.reviewer_id})
        super().__init__(*args, **kwargs)
        self.interest = interest
        # A purchase and a proposal of cooperation are declined for reasons of their own.
        self.fields["reason"].choices = [("", _("— no reason —")), *reason_choices(interest.kind)]
        self.pending_lines = list(
            interest.lines.at_hubs_of(user).pending().select_related("product", "hub").order_by("pk")
        )
        targets = self.staff_targets(interest, has_pending_lines=bool(self.pending_lines))
        self.fields["to_status"].choices = [
            ("", _("— no step, only the reviewer —")),
            *((state, label) for state, label in Status.choices if state in targets),
        ]
        self.fields["lines"].choices = [
            (line.pk, f"{line.product.name} ({line.hub.name})") for line in self.pending_lines
        ]
        if not self.pending_lines:
            del self.fields["lines"]
        self.fields["reviewer"].queryset = eligible_reviewers(interest)

    @staticmethod
    def staff_targets(interest, *, has_pending_lines: bool) -> frozenset[str]:
        targets = interest.allowed_targets() & STAFF_TARGETS
        # Accepting and declining decide lines: offered while some at the user's hubs are undecided.
        return targets if has_pending_lines else targets - LINE_DECISION_TARGETS

    def clean(self):
        cleaned = super().clean()
        step = cleaned.get("to_status")
        if step in REASON_REQUIRED_FOR:
            if not cleaned.get("reason"):
                self.add_error("reason", _("Choose a reason."))
            if not cleaned.get("comment", "").strip():
                self.add_error("comment", _("Write a comment to the buyer."))
        if not step and "reviewer" in cleaned and cleaned["reviewer"] == self.interest.reviewer:
            raise ValidationError(_("Choose a step, or another reviewer."), code="nothing_to_do")
        return cleaned

    def chosen_lines(self) -> list:
        """The lines ticked, or every undecided line at the user's hubs when none is."""
        ticked = set(self.cleaned_data.get("lines") or [])
        return [line for line in self.pending_lines if not ticked or line.pk in ticked]


class AssignedListFilter(admin.SimpleListFilter):
    title = _("reviewer")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Assigned to me")), ("nobody", _("Not assigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.assigned_to(request.user)
        if self.value() == "nobody":
            return queryset.filter(reviewer__isnull=True)
        return queryset


class AgeListFilter(admin.SimpleListFilter):
    title = _("age")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [
            ("week", _("Up to 7 days")),
            ("month", _("8 to 30 days")),
            ("older", _("More than 30 days")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        week_ago, month_ago = now - datetime.timedelta(days=7), now - datetime.timedelta(days=30)
        if self.value() == "week":
            return queryset.filter(submitted_at__gt=week_ago)
        if self.value() == "month":
            return queryset.filter(submitted_at__lte=week_ago, submitted_at__gt=month_ago)
        if self.value() == "older":
            return queryset.filter(submitted_at__lte=month_ago)
        return queryset


class OverdueListFilter(admin.SimpleListFilter):
    title = _("review deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.not_overdue()
        return queryset


class IdListFilter(admin.SimpleListFilter):
    """A filter on the id of a related object; a value that is not an id is a bad request, not a 500."""

    def int_value(self):
        try:
            value = int(self.value())
        except (TypeError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error
        # Beyond PostgreSQL's bigint no row has that id, and the database would refuse the number.
        if not 0 < value < 2**63:
            raise IncorrectLookupParameters(f"{self.parameter_name} out of range")
        return value


class HubListFilter(IdListFilter):
    title = _("hub")
    parameter_name = "hub"

    def lookups(self, request, model_admin):
        return [(hub.pk, hub.name) for hub in Hub.objects.coordinated_by(request.user).order_by("name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(pk__in=InterestLine.objects.filter(hub=self.int_value()).values("interest_id"))


class ProductListFilter(IdListFilter):
    """The products most asked about in the user's EOIs, and the chosen one: listing every product ever
    asked about would grow with the data."""

    title = _("product")
    parameter_name = "product"
    shown = 20

    def lookups(self, request, model_admin):
        lines = InterestLine.objects.at_hubs_of(request.user).filter(
            interest__in=model_admin.get_queryset(request)
        )
        most_asked = (
            lines.order_by()
            .values("product_id")
            .annotate(asked=Count("interest", distinct=True))
            .order_by("-asked")
        )
        ids = [row["product_id"] for row in most_asked[: self.shown]]
        if self.value() is not None:
            ids.append(self.int_value())
        products = Product.objects.filter(pk__in=ids).order_by("name")
        return [(product.pk, product.name) for product in products]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(
            pk__in=InterestLine.objects.at_hubs_of(request.user)
            .filter(product=self.int_value())
            .values("interest_id")
        )


class DeliveryCountryListFilter(admin.SimpleListFilter):
    """The delivery countries of the user's EOIs (a plain choices filter would list all 250 countries)."""

    title = _("delivery country")
    parameter_name = "delivery_country"

    def lookups(self, request, model_admin):
        eois = model_admin.get_queryset(request).order_by()
        codes = set(eois.values_list("delivery_country", flat=True).distinct())
        return [(code, name) for code, name in countries if code in codes]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(delivery_country=self.value())
        return queryset


class InterestLineInline(admin.TabularInline):
    """The lines at the user's hubs (every line for a superuser): other hubs' lines are theirs to decide."""

    model = InterestLine
    extra = 0
    can_delete = False
    # Combined, short columns, so that the table fits a laptop's width: the listing's terms are as the buyer
    # saw them when submitting.
    fields = [
        "product",
        "hub_city",
        "quantity_asked",
        "exceeds",
        "delivery_window",
        "listed_terms",
        "listed_price",
        "listed_licence",
        "decision_and_when",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).at_hubs_of(request.user).select_related("product", "hub")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("hub"))
    def hub_city(self, line):
        return hub_short_name(line.hub)

    @admin.display(description=_("quantity"))
    def quantity_asked(self, line):
        return format_quantity(line.quantity, line.listed_quantity_unit) or "–"

    @admin.display(description=_("more than listed"))
    def exceeds(self, line):
        return more_than_listed(line)

    @admin.display(description=_("delivery wanted"))
    def delivery_window(self, line):
        if line.delivery_from is None:
            return "–"
        return f"{short_date(line.delivery_from)} – {short_date(line.delivery_until)}"

    @admin.display(description=_("listed then"))
    def listed_terms(self, line):
        if line.listed_quantity is None:
            return "–"
        weeks = line.listed_lead_time_weeks
        terms = [
            format_quantity(line.listed_quantity, line.listed_quantity_unit),
            str(choice_label(Listing.Availability, line.listed_availability)),
            ngettext("%(weeks)d week", "%(weeks)d weeks", weeks) % {"weeks": weeks},
        ]
        if line.listed_valid_until:
            terms.append(gettext("valid until %(date)s") % {"date": short_date(line.listed_valid_until)})
        return ", ".join(terms)

    @admin.display(description=_("unit price then"))
    def listed_price(self, line):
        if line.listing_id is None:
            return "–"
        return format_money(line.listed_unit_price_eur) or gettext("on request")

    @admin.display(description=_("licence then"))
    def listed_licence(self, line):
        return choice_label(Listing.LicenceStatus, line.listed_licence_status) or "–"

    @admin.display(description=_("decision"))
    def decision_and_when(self, line):
        if line.decided_at is None:
            return line.get_decision_display()
        return format_html(
            '{}<br><span class="hc-moment">{}</span>',
            line.get_decision_display(),
            format_moment(line.decided_at),
        )


class StatusChangeInline(admin.TabularInline):
    """The review history, in full and read-only: no admin route adds, changes or deletes a step."""

    model = StatusChange
    verbose_name = _("review step")
    verbose_name_plural = _("review history")
    extra = 0
    can_delete = False
    fields = ["when", "step", "actor", "reason", "comment", "internal_note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("when"))
    def when(self, change):
        return format_html('<span class="hc-moment">{}</span>', format_moment(change.at))

    @admin.display(description=_("step"))
    def step(self, change):
        # The status choices' labels ("Under review → Information requested"), never the stored codes.
        if not change.from_status:
            return change.get_to_status_display()
        return str(change)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpressionOfInterest)
class ExpressionOfInterestAdmin(HubScopedAdminMixin, admin.ModelAdmin):
    # What a coordinator sorts their work by, in columns that fit a laptop's 1280 px: the organisation with
    # its country's code, the hubs by city, short dates, the age in days, the review date flagged if overdue.
    list_display = [
        "reference",
        "organisation_and_country",
        "status",
        "kind_short",
        "hub_cities",
        "submitted",
        "age",
        "review_due",
        "reviewer",
    ]
    list_filter = [
        "status",
        "kind",
        AssignedListFilter,
        OverdueListFilter,
        AgeListFilter,
        HubListFilter,
        DeliveryCountryListFilter,
        ProductListFilter,
    ]
    list_select_related = ["organisation", "reviewer"]
    search_fields = ["reference", "organisation__name", "end_user"]
    search_help_text = _("Search by reference, organisation or end user.")
    # The unfiltered total beside the filtered one is a second count on every page.
    show_full_result_count = False
    inlines = [InterestLineInline, StatusChangeInline]
    change_form_template = "admin/interests/expressionofinterest/change_form.html"
    change_list_template = "admin/interests/expressionofinterest/change_list.html"
    buyer_fields = [
        "reference",
        "status",
        "organisation",
        "submitted_by",
        "submitted_at",
        "review_due_on",
        "decided_at",
        "end_user",
        "intended_use",
        "intended_use_other",
        "delivery_country",
        "end_user_certificate",
        "financing",
        "financing_other",
        "contact_name",
        "contact_phone",
        "message",
        "declaration_accepted",
    ]
    # The reviewer is chosen in the review form, with the step: the change form itself saves nothing.
    readonly_fields = [*buyer_fields, "kind", "certificate_files", "reviewer", "cooperation_details"]
    fieldsets = [
        (None, {"fields": ["reference", "kind", "status", "reviewer"]}),
        (_("Review"), {"fields": ["submitted_at", "review_due_on", "decided_at"]}),
        (_("Buyer"), {"fields": ["organisation", "submitted_by", "contact_name", "contact_phone"]}),
        (
            _("Request"),
            {
                "fields": [
                    "end_user",
                    "intended_use",
                    "intended_use_other",
                    "delivery_country",
                    "end_user_certificate",
                    "certificate_files",
                    "financing",
                    "financing_other",
                    "message",
                    "declaration_accepted",
                ]
            },
        ),
    ]

    class Media:
        # admin-extra/admin.css is on every admin page (templates/admin/base_site.html).
        css = {"all": ["css/dashboard.css"]}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.is_cooperation:
            # What is proposed comes before the compliance section, which reads the same for both kinds.
            return [
                *fieldsets[:3],
                (_("Proposed cooperation"), {"fields": ["cooperation_details"]}),
                *fieldsets[3:],
            ]
        return fieldsets

    @admin.display(description=_("proposal"))
    def cooperation_details(self, interest):
        cooperation = interest.cooperation
        volume = f"{cooperation.annual_volume} {cooperation.offered_volume_unit}".strip()
        if cooperation.below_minimum:
            volume = gettext("%(volume)s (below the manufacturer's minimum of %(minimum)s)") % {
                "volume": volume,
                "minimum": cooperation.offered_minimum_annual_volume,
            }
        rows = [
            (gettext("Product"), cooperation.product.name),
            (gettext("Form of cooperation"), cooperation.get_form_display()),
            (gettext("Industrial company"), cooperation.company_name),
            (gettext("Company's country"), cooperation.company_country.name),
            (gettext("Company registration"), cooperation.company_registration),
            (gettext("Intended annual volume"), volume),
            (gettext("Intended duration (years)"), cooperation.duration_years),
            (
                gettext("Proposed production"),
                f"{cooperation.production_site}, {cooperation.production_country.name}",
            ),
            (gettext("Technology transfer asked for"), cooperation.technology_transfer_scope),
        ]
        return format_html(
            '<dl class="cooperation-details">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows)
        )

    @admin.display(description=_("end-user certificate files"))
    def certificate_files(self, interest):
        """Links to the certificates the buyer attached to answers, each opened through the access-checked
        interests.views.staff_certificate: the documents storage has no public URL."""
        rows = [
            (
                reverse("staff_certificate", args=[certificate.pk]),
                certificate.original_filename,
                localize(timezone.localtime(certificate.uploaded_at)),
            )
            for certificate in interest.certificates.all()
        ]
        return format_html_join("\n", '<div><a href="{}">{}</a> ({})</div>', rows) or "—"

    # Scope: the EOIs routed to the user's hubs.

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request).for_coordinator(request.user)
        return queryset.prefetch_related(
            Prefetch(
                "lines",
                queryset=InterestLine.objects.at_hubs_of(request.user).select_related("hub").order_by("pk"),
            )
        )

    def is_within_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        cache = request.__dict__.setdefault("_interests_within_scope", {})
        if obj.pk not in cache:
            cache[obj.pk] = (
                ExpressionOfInterest.objects.for_coordinator(request.user).filter(pk=obj.pk).exists()
            )
        return cache[obj.pk]

    def has_add_permission(self, request):
        return False  # EOIs come only from buyers.

    def has_delete_permission(self, request, obj=None):
        return False  # The history PROTECTs them anyway; an EOI is decided, never deleted.

    # Change list columns.

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_and_country(self, interest):
        organisation = interest.organisation
        return format_html(
            '{} <abbr class="hc-muted" title="{}">{}</abbr>',
            organisation.name,
            organisation.country.name,
            organisation.country.code,
        )

    @admin.display(description=_("kind"), ordering="kind")
    def kind_short(self, interest):
        # The kinds' labels ("Purchase from a hub's surplus") are too long for a column.
        return {Kind.PURCHASE: gettext("Purchase"), Kind.COOPERATION: gettext("Cooperation")}.get(
            interest.kind, interest.kind
        )

    @admin.display(description=_("hubs"))
    def hub_cities(self, interest):
        hubs = sorted({line.hub for line in interest.lines.all()}, key=lambda hub: hub.city)
        return format_html_join(", ", "{}", ((hub_short_name(hub),) for hub in hubs))

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, interest):
        return short_date(timezone.localtime(interest.submitted_at).date())

    @admin.display(description=_("age"), ordering="-submitted_at")
    def age(self, interest):
        days = age_in_days(interest)
        # Short, as the column is narrow: "3 d".
        return ngettext("%(days)d d", "%(days)d d", days) % {"days": days}

    @admin.display(description=_("review due"), ordering="review_due_on")
    def review_due(self, interest):
        if interest.is_overdue:
            return format_html(
                '{} <strong class="hc-overdue">{}</strong>',
                short_date(interest.review_due_on),
                gettext("overdue"),
            )
        return short_date(interest.review_due_on)

    # Extra admin views: the review step, the CSV export and the dashboard.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/transition/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)),
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="{}_{}_dashboard".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if self.has_change_permission(request, obj) and obj.is_open:
            extra_context["review_form"] = ReviewForm(obj, request.user)
            extra_context["transition_url"] = reverse(
                "admin:interests_expressionofinterest_transition", args=[obj.pk]
            )
        extra_context["overall_state"] = obj.overall_state()[1]
        extra_context["line_decisions"] = (
            LineDecision.objects.filter(line__in=obj.lines.at_hubs_of(request.user))
            .select_related("line__product", "line__hub", "actor")
            .order_by("at", "pk")
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id):
        return require_POST(self._transition)(request, object_id)

    def _transition(self, request, object_id):
        interest = self.get_object(request, admin.utils.unquote(object_id))
        if not self.has_change_permission(request, interest):
            raise PermissionDenied
        change_url = reverse("admin:interests_expressionofinterest_change", args=[interest.pk])
        form = ReviewForm(interest, request.user, request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    self.message_user(request, f"{label}: {error}" if label else error, messages.ERROR)
            return HttpResponseRedirect(change_url)
        target, reviewer = form.cleaned_data["to_status"], form.cleaned_data["reviewer"]
        step = {
            "by": request.user,
            "reason": form.cleaned_data["reason"] if target in REASON_REQUIRED_FOR else "",
            "comment": form.cleaned_data["comment"].strip(),
            "internal_note": form.cleaned_data["internal_note"].strip(),
            "request": request,
        }
        try:
            with transaction.atomic():
                if reviewer != interest.reviewer:
                    # An update of the one column: saving the object would write back the status it was read
                    # with, over a step another reviewer took meanwhile.
                    ExpressionOfInterest.objects.filter(pk=interest.pk).update(reviewer=reviewer)
                    interest.reviewer = reviewer
                    self.log_change(request, interest, [{"changed": {"fields": ["reviewer"]}}])
                if target in LINE_DECISION_TARGETS:
                    decided = interest.decide_lines(form.chosen_lines(), target, **step)
                    notify_buyer_of_decisions(decided, request)
                    self.log_change(
                        request,
                        interest,
                        gettext("%(decision)s: %(lines)s.")
                        % {
                            "decision": Decision(target).label,
                            "lines": ", ".join(str(record.line) for record in decided.decisions),
                        },
                    )
                elif target:
                    change = interest.transition(target, **step)
                    notify_buyer_of_change(interest, change, request)
                    self.log_change(request, interest, gettext("Moved to “%s”.") % Status(target).label)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(change_url)
        if target in LINE_DECISION_TARGETS and interest.status not in LINE_DECISION_TARGETS:
            message = ngettext(
                "%(count)d line of %(reference)s was decided; other lines are still under review.",
                "%(count)d lines of %(reference)s were decided; other lines are still under review.",
                len(decided.decisions),
            ) % {"count": len(decided.decisions), "reference": interest.reference}
        elif target:
            message = gettext("%(reference)s is now “%(status)s”.") % {
                "reference": interest.reference,
                "status": Status(interest.status).label,
            }
        else:
            message = gettext("The reviewer of %(reference)s is now %(reviewer)s.") % {
                "reference": interest.reference,
                "reviewer": reviewer.get_username() if reviewer else gettext("nobody"),
            }
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:interests_expressionofinterest_changelist") + "?e=1")
        audit.record(
            request,
            Action.EXPORT,
            obj=ExpressionOfInterest,
            filters=request.GET.urlencode(),
            interests=changelist.result_count,
        )
        interests = (
            changelist.queryset.select_related("organisation", "reviewer", "cooperation__product")
            .prefetch_related(None)
            .prefetch_related(
                Prefetch(
                    "lines",
                    # Only the lines at the user's hubs: another hub's lines are not theirs to read.
                    queryset=InterestLine.objects.at_hubs_of(request.user)
                    .select_related("hub", "product")
                    .order_by("pk"),
                )
            )
        )
        # The labels are translated now, in the request's language: the rows are written after the view
        # returned, as the download is read.
        status_labels = {value: str(label) for value, label in Status.choices}
        kind_labels = {value: str(label) for value, label in Kind.choices}
        decision_labels = {value: str(label) for value, label in Decision.choices}
        yes, no = gettext("yes"), gettext("no")
        header = [
            gettext("reference"),
            gettext("status"),
            gettext("kind"),
            gettext("organisation"),
            gettext("country"),
            gettext("delivery country"),
            gettext("hub"),
            gettext("product"),
            gettext("quantity"),
            gettext("listed quantity"),
            gettext("more than listed"),
            gettext("decision"),
            gettext("submitted"),
            gettext("review due"),
            gettext("overdue"),
            gettext("reviewer"),
            # A cooperation EOI's proposal (empty for a purchase).
            gettext("form of cooperation"),
            gettext("partner company"),
            gettext("company country"),
            gettext("company registration"),
            gettext("annual volume"),
            gettext("duration (years)"),
            gettext("production country"),
            gettext("production site"),
            gettext("technology transfer asked for"),
        ]

        def rows():
            yield header
            # A chunk of EOIs and their lines (one prefetch) at a time, however many the filters select.
            for interest in interests.iterator(chunk_size=EXPORT_CHUNK_SIZE):
                proposal = cooperation_cells(interest)
                for line in interest.lines.all():
                    yield [
                        interest.reference,
                        status_labels.get(interest.status, interest.status),
                        kind_labels.get(interest.kind, interest.kind),
                        interest.organisation.name,
                        interest.organisation.country.code,
                        interest.delivery_country.code,
                        line.hub.name,
                        line.product.name,
                        line.quantity,
                        line.listed_quantity,
                        yes if line.exceeds_listed_quantity else no,
                        decision_labels.get(line.decision, line.decision),
                        timezone.localtime(interest.submitted_at).date().isoformat(),
                        interest.review_due_on.isoformat(),
                        yes if interest.is_overdue else no,
                        interest.reviewer.get_username() if interest.reviewer else "",
                        *proposal,
                    ]

        return streamed_csv(rows(), f"expressions-of-interest-{timezone.localdate().isoformat()}.csv")

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Expressions of interest: review dashboard"),
            **dashboard_data(request.user),
            "decisions": decision_stats(request.user),
        }
        return TemplateResponse(request, "interests/staff/dashboard.html", context)


def cooperation_cells(interest) -> list:
    """A cooperation EOI's proposal as the CSV export's last columns (as many empty cells for a purchase)."""
    if not interest.is_cooperation:
        return [""] * 9
    cooperation = interest.cooperation
    return [
        cooperation.get_form_display(),
        cooperation.company_name,
        cooperation.company_country.code,
        cooperation.company_registration,
        cooperation.annual_volume,
        cooperation.duration_years,
        cooperation.production_country.code,
        cooperation.production_site,
        cooperation.technology_transfer_scope,
    ]


def dashboard_data(user) -> dict:
    """Open EOIs per hub and state, how many of each kind (purchase, cooperation), their oldest age and how
    many are overdue, in one query.

    An EOI with lines at two hubs counts at both while each still has lines to decide: each hub reviews its
    part.
    """
    today = timezone.localdate()
    rows = (
        InterestLine.objects.at_hubs_of(user)
        .pending()
        .filter(interest__in=ExpressionOfInterest.objects.open())
        .values("hub_id", "hub__name", "interest__status", "interest__kind")
        .annotate(
            count=Count("interest", distinct=True),
            overdue=Count("interest", distinct=True, filter=Q(interest__review_due_on__lt=today)),
            oldest=Min("interest__submitted_at"),
        )
        .order_by("hub__name", "hub_id")
    )
    hubs = {}
    now = timezone.now()
    for row in rows:
        hub = hubs.setdefault(
            row["hub_id"],
            {
                "name": row["hub__name"],
                "counts": dict.fromkeys(OPEN_STATES_IN_ORDER, 0),
                "kinds": dict.fromkeys(Kind.values, 0),
                "overdue": 0,
            },
        )
        hub["counts"][row["interest__status"]] += row["count"]
        hub["kinds"][row["interest__kind"]] += row["count"]
        hub["overdue"] += row["overdue"]
        age = (now - row["oldest"]).days
        hub["oldest_days"] = max(hub.get("oldest_days", 0), age)
    states = [{"value": state, "label": Status(state).label} for state in OPEN_STATES_IN_ORDER]
    table = []
    for hub_id, hub in hubs.items():
        total = sum(hub["counts"].values())
        table.append(
            {
                "hub_id": hub_id,
                "name": hub["name"],
                "cells": [hub["counts"][state] for state in OPEN_STATES_IN_ORDER],
                "total": total,
                "purchases": hub["kinds"][Kind.PURCHASE],
                "cooperations": hub["kinds"][Kind.COOPERATION],
                "overdue": hub["overdue"],
                "oldest_days": hub["oldest_days"],
            }
        )
    return {
        "states": states,
        "table": table,
        "chart": chart_geometry(table),
        "review_days": settings.EOI_REVIEW_DAYS,
    }


def decision_stats(user, weeks: int = DASHBOARD_WEEKS) -> dict:
    """The EOIs at the user's hubs decided (accepted or declined) in the last `weeks` weeks, this one
    included: how many a week and how many of them after their review date, counted in the database; and the
    median days from submission to decision, from durations the database subtracts (SQL has no portable
    median)."""
    today = timezone.localdate()
    first_monday = today - datetime.timedelta(days=today.weekday(), weeks=weeks - 1)
    since = timezone.make_aware(datetime.datetime.combine(first_monday, datetime.time.min))
    decided = ExpressionOfInterest.objects.for_coordinator(user).decided().filter(decided_at__gte=since)
    per_week = {
        timezone.localtime(row["week"]).date(): row
        for row in decided.annotate(week=TruncWeek("decided_at"))
        .order_by()
        .values("week")
        .annotate(count=Count("pk"), late=Count("pk", filter=Q(decided_at__date__gt=F("review_due_on"))))
    }
    durations = sorted(
        decided.order_by()
        .annotate(took=ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField()))
        .values_list("took", flat=True)
    )
    rows = []
    for number in range(weeks):
        monday = first_monday + datetime.timedelta(weeks=number)
        row = per_week.get(monday, {"count": 0, "late": 0})
        rows.append({"week": monday, "count": row["count"], "late": row["late"]})
    total = sum(row["count"] for row in rows)
    late = sum(row["late"] for row in rows)
    return {
        "weeks": rows,
        "total": total,
        "late": late,
        "overdue_percent": round(late * 100 / total) if total else None,
        "median_days": round(median(durations).total_seconds() / 86400, 1) if durations else None,
    }


def chart_geometry(table) -> list[dict]:
    """One horizontal stacked bar per hub, a segment per open state, in percent of the largest hub's total:
    each bar is an SVG stretched to the width of the page, its labels are HTML around it."""
    largest = max((row["total"] for row in table), default=0) or 1
    bars = []
    for row in table:
        x, segments = 0.0, []
        for state, count in zip(OPEN_STATES_IN_ORDER, row["cells"], strict=True):
            if count:
                width = round(count * 100 / largest, 2)
                segments.append(
                    {
                        "state": state,
                        "label": Status(state).label,
                        "x": round(x, 2),
                        "width": width,
                        "count": count,
                    }
                )
                x += width
        bars.append({"hub_id": row["hub_id"], "name": row["name"], "segments": segments, **row})
    return bars


@admin.register(Embargo)
class EmbargoAdmin(AuditedAdmin, TranslationAdmin):
    """The arms-embargo list that delivery countries are checked against (superusers only by default). Its
    notes are edited in every language side by side (interests/translation.py)."""

    list_display = ["country", "authority", "scope", "is_in_force", "as_of", "source"]
    list_filter = ["is_in_force", "authority", "scope"]
    search_fields = ["country", "source", "notes"]
    search_help_text = _("Search by country code, source or notes.")
    ordering = ["country"]
    readonly_fields = ["offered_listings"]

    @staticmethod
    def _offered_listings(embargo) -> tuple[int, str]:
        """How many listings name the embargo's country as a destination, and the Listing admin's list of
        them (its filter "offered to an embargoed country", for this country)."""
        count = Listing.objects.filter(destinations__country=embargo.country.code).count()
        url = reverse("admin:hubs_listing_changelist") + "?" + urlencode({"embargoed": embargo.country.code})
        return count, url

    @admin.display(description=_("listings offered to the country"))
    def offered_listings(self, embargo):
        if embargo.pk is None:
            return "–"
        count, url = self._offered_listings(embargo)
        text = ngettext("%(count)d listing", "%(count)d listings", count) % {"count": count}
        return format_html('<a href="{}">{}</a>', url, text) if count and embargo.is_in_force else text

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        count, url = self._offered_listings(obj)
        if not count:
            return
        if obj.is_in_force:
            text = ngettext(
                "%(count)d listing names %(country)s as a destination: it is no longer shown there. Its "
                "hub's coordinators see it under “offered to an embargoed country”.",
                "%(count)d listings name %(country)s as a destination: they are no longer shown there. "
                "Their hubs' coordinators see them under “offered to an embargoed country”.",
                count,
            )
            text = text % {"count": count, "country": obj.country.name}
            self.message_user(request, format_html('{} <a href="{}">{}</a>', text, url, gettext("See them.")))
        else:
            text = ngettext(
                "%(count)d listing names %(country)s as a destination: it is shown there again.",
                "%(count)d listings name %(country)s as a destination: they are shown there again.",
                count,
            )
            self.message_user(request, text % {"count": count, "country": obj.country.name})
