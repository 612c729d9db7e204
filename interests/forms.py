"""What a buyer types: shortlist buttons, the expression of interest and its lines, a proposal of cooperation,
withdrawals, answers."""

import re

from django import forms
from django.forms.formsets import TOTAL_FORM_COUNT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hubcatalog.formatting import format_number, format_quantity
from hubs.models import MAX_QUANTITY
from interests.embargoes import mark_embargoed_countries, refuse_embargoed
from interests.models import CooperationRequest, ExpressionOfInterest
from products import media

# The largest id a form takes: PostgreSQL's bigint; a larger number cannot name a row.
MAX_ID = 2**63 - 1


def with_bootstrap_classes(form):
    """Give each widget the Bootstrap class its kind of input takes, and labels no colon."""
    form.label_suffix = ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.RadioSelect):
            continue  # Django's radio markup (label around input) is styled in interests.css
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css
    return form


class ShortlistToggleForm(forms.Form):
    product = forms.IntegerField(
        min_value=1, max_value=MAX_ID, error_messages={"required": _("Choose a product.")}
    )
    next = forms.CharField(required=False, max_length=2000)


class InterestForm(forms.ModelForm):
    """The expression of interest as a whole: who will use it, for what, where, and how it is paid for."""

    declaration_accepted = forms.BooleanField(
        label=_(
            "I declare that the information given is accurate, and I understand that an export licence "
            "will be required before any transfer."
        ),
        error_messages={"required": _("Tick the declaration to submit your expression of interest.")},
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = ExpressionOfInterest
        fields = [
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
        widgets = {
            "intended_use": forms.RadioSelect,
            "end_user_certificate": forms.RadioSelect,
            "financing": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "intended_use_other": _("Needed when the intended use is “Other”."),
            "financing_other": _("Needed when the financing is “Other”."),
            "message": _("Anything the hub should know: configuration, training, spare parts."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's blank choice ("---------") is no answer a buyer should pick from radio buttons.
        for name in ("intended_use", "end_user_certificate", "financing"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
        self.fields["contact_phone"].widget.input_type = "tel"
        self.fields["contact_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.order_fields([*self.Meta.fields, "idempotency_key"])
        mark_embargoed_countries(self.fields["delivery_country"])
        with_bootstrap_classes(self)

    def clean_delivery_country(self):
        country = self.cleaned_data["delivery_country"]
        refuse_embargoed(
            [country], message=_("Deliveries to this country are not possible: it is under an arms embargo.")
        )
        return country

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("intended_use") == ExpressionOfInterest.IntendedUse.OTHER
            and not cleaned.get("intended_use_other", "").strip()
        ):
            self.add_error("intended_use_other", _("Describe the intended use."))
        if (
            cleaned.get("financing") == ExpressionOfInterest.Financing.OTHER
            and not cleaned.get("financing_other", "").strip()
        ):
            self.add_error("financing_other", _("Describe the financing."))
        return cleaned

    def details(self) -> dict:
        """The EOI's own fields, as submit_interest takes them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CooperationInterestForm(InterestForm):
    """The compliance section of a cooperation EOI: the purchase form's, with the delivery country read as the
    end user's country (a destination of what would be produced, refused under an arms embargo alike)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_country"].label = _("End user's country")
        self.fields["message"].help_text = _(
            "Anything the hub should know: the partner's experience, certifications, timelines."
        )

    def clean_delivery_country(self):
        country = self.cleaned_data["delivery_country"]
        refuse_embargoed(
            [country],
            message=_(
                "Cooperation for an end user in this country is not possible: it is under an arms embargo."
            ),
        )
        return country


class CooperationRequestForm(forms.ModelForm):
    """What a partner proposes to produce together: the form of cooperation (among those the manufacturer is
    open to for the product), its industrial company, volume and duration, where, and the transfer asked."""

    form = forms.ChoiceField(
        label=_("Form of cooperation"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the form of cooperation you propose."),
            "invalid_choice": _("The manufacturer is not open to this form of cooperation on this product."),
        },
    )
    annual_volume = forms.IntegerField(
        label=_("Intended annual volume"),
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={"min_value": _("The annual volume must be at least 1.")},
    )
    duration_years = forms.IntegerField(
        label=_("Intended duration (years)"),
        min_value=1,
        max_value=30,
        error_messages={
            "min_value": _("The duration must be at least one year."),
            "max_value": _("Enter a duration of at most 30 years."),
        },
    )

    class Meta:
        model = CooperationRequest
        fields = [
            "form",
            "company_name",
            "company_country",
            "company_registration",
            "annual_volume",
            "duration_years",
            "production_country",
            "production_site",
            "technology_transfer_scope",
        ]
        widgets = {"technology_transfer_scope": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "production_site": _("The plant or site, with its city."),
        }

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = {offer.form: offer for offer in offers}
        self.fields["form"].choices = [(offer.form, offer.get_form_display()) for offer in offers]
        if len(offers) == 1:
            self.fields["form"].initial = offers[0].form
        for name in ("company_country", "production_country"):
            mark_embargoed_countries(self.fields[name])
        with_bootstrap_classes(self)

    def clean_company_country(self):
        country = self.cleaned_data["company_country"]
        refuse_embargoed(
            [country],
            message=_(
                "Cooperation with a company in this country is not possible: it is under an arms embargo."
            ),
        )
        return country

    def clean_production_country(self):
        country = self.cleaned_data["production_country"]
        refuse_embargoed(
            [country], message=_("Production in this country is not possible: it is under an arms embargo.")
        )
        return country

    def offer(self):
        """The manufacturer's offer of the chosen form of cooperation (products.ProductCooperation)."""
        return self.offers[self.cleaned_data["form"]]

    def details(self) -> dict:
        """The CooperationRequest's own fields, as submit_cooperation takes them."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "form"}


class ListingSelect(forms.Select):
    """The hubs' listings of one product, each option carrying its listed quantity (data-listed-quantity) for
    static/js/shortlist.js, which flags a quantity above it as it is typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.listed_quantities: dict[int, int] = {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        listed = self.listed_quantities.get(getattr(value, "value", value))
        if listed is not None:
            option["attrs"]["data-listed-quantity"] = listed
        return option


class InterestLineForm(forms.Form):
    """One shortlisted product: whether to include it, at which hub's listing, how many, and when.

    Asking for more than a listing holds is allowed (a hub may find more), but never by a slip: such a line
    needs `confirm_exceeding` ticked, and is stored flagged (InterestLine.exceeds_listed_quantity).
    """

    product = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    include = forms.BooleanField(label=_("Include in this expression of interest"), required=False)
    listing = forms.TypedChoiceField(
        label=_("Hub and listing"), required=False, coerce=int, empty_value=None, widget=ListingSelect
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        required=False,
        min_value=1,
        max_value=MAX_QUANTITY,
        error_messages={
            "min_value": _("The quantity must be at least 1."),
            "max_value": _("Enter a quantity of at most %(limit_value)s."),
        },
    )
    delivery_from = forms.DateField(
        label=_("Delivery wanted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    delivery_until = forms.DateField(
        label=_("Delivery wanted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    confirm_exceeding = forms.BooleanField(
        label=_("I understand that this exceeds the quantity listed, and ask for it anyway"), required=False
    )

    def __init__(self, *args, product, listings, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        self.listings = {listing.pk: listing for listing in listings}
        self.fields["listing"].choices = [("", _("Choose a hub"))] + [
            (listing.pk, listing_label(listing)) for listing in listings
        ]
        self.fields["listing"].error_messages["invalid_choice"] = _(
            "This listing is no longer open to expressions of interest: it may have expired, run out or been "
            "withdrawn. Choose another hub."
        )
        self.fields["listing"].widget.listed_quantities = {
            listing.pk: listing.quantity_available for listing in listings
        }
        if len(listings) == 1:
            self.fields["quantity"].help_text = _("%(quantity)s listed") % {
                "quantity": format_quantity(listings[0].quantity_available, listings[0].quantity_unit)
            }
        elif listings:
            self.fields["quantity"].help_text = _("The quantity listed is shown with each hub.")
        with_bootstrap_classes(self)

    def clean(self):
        cleaned = super().clean()
        if self.product is None or cleaned.get("product") != self.product.pk:
            raise forms.ValidationError(
                _("Your shortlist changed in the meantime. Check the products and submit again."),
                code="shortlist_changed",
            )
        if not cleaned.get("include"):
            return cleaned
        today = timezone.localdate()
        listing_id = cleaned.get("listing")
        if listing_id is None and "listing" not in self.errors:
            self.add_error("listing", _("Choose the hub you are interested in."))
        cleaned["listing_object"] = self.listings.get(listing_id)
        quantity = cleaned.get("quantity")
        if quantity is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity you are interested in."))
        start, end = cleaned.get("delivery_from"), cleaned.get("delivery_until")
        for name, value in (("delivery_from", start), ("delivery_until", end)):
            if value is None and name not in self.errors:
                self.add_error(name, _("Enter a date."))
            elif value is not None and value <= today:
                self.add_error(name, _("The delivery window must be in the future."))
        if start and end and end < start:
            self.add_error(
                "delivery_until", _("The end of the delivery window must not be before its start.")
            )
        if self.exceeds_listed_quantity and not cleaned.get("confirm_exceeding"):
            listing = cleaned["listing_object"]
            self.add_error(
                "confirm_exceeding",
                forms.ValidationError(
                    _(
                        "You ask for %(quantity)s; %(listed)s are listed at %(hub)s. Lower the quantity, "
                        "or tick the box to ask for more than is listed."
                    ),
                    code="exceeds_listed_quantity",
                    params={
                        "quantity": format_number(quantity),
                        "listed": format_quantity(listing.quantity_available, listing.quantity_unit),
                        "hub": listing.hub.name,
                    },
                ),
            )
        return cleaned

    @property
    def is_included(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("include"))

    @property
    def shows_exceeding_confirmation(self) -> bool:
        """Whether the page shows the confirmation box without JavaScript: when the quantity sent exceeds the
        chosen listing's, or the box was ticked."""
        return self.exceeds_listed_quantity or bool(
            getattr(self, "cleaned_data", {}).get("confirm_exceeding")
        )

    @property
    def exceeds_listed_quantity(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        listing, quantity = data.get("listing_object"), data.get("quantity")
        return bool(listing and quantity and quantity > listing.quantity_available)

    def line(self) -> dict:
        data = self.cleaned_data
        return {
            "listing": data["listing_object"],
            "quantity": data["quantity"],
            "delivery_from": data["delivery_from"],
            "delivery_until": data["delivery_until"],
        }


def listing_label(listing) -> str:
    weeks = listing.lead_time_weeks
    return _("%(hub)s (%(country)s): %(quantity)s, %(lead_time)s") % {
        "hub": listing.hub.name,
        "country": listing.hub.country.code,
        "quantity": format_quantity(listing.quantity_available, listing.quantity_unit),
        "lead_time": ngettext("%(weeks)s week", "%(weeks)s weeks", weeks) % {"weeks": weeks},
    }


class BaseInterestLineFormSet(forms.BaseFormSet):
    """One form per shortlisted product; each offers only that product's eligible listings."""

    def __init__(self, *args, items, listings_by_product, **kwargs):
        self.items = items
        self.listings_by_product = listings_by_product
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.items):
            product = self.items[index].product
            kwargs.update(product=product, listings=self.listings_by_product.get(product.pk, []))
        else:
            kwargs.update(product=None, listings=[])
        return kwargs

    @property
    def empty_form(self):  # never shown: the forms are the shortlist, nothing is added in the browser
        raise NotImplementedError

    def clean(self):
        if self.total_form_count() != len(self.items):
            raise forms.ValidationError(
                _("Your shortlist changed in the meantime. Check the products and submit again."),
                code="shortlist_changed",
            )
        if any(self.errors):
            return
        if not any(form.is_included for form in self.forms):
            raise forms.ValidationError(
                _("Include at least one product in your expression of interest."), code="no_lines"
            )

    def included_forms(self):
        return [form for form in self.forms if form.is_included]

    def matches_shortlist(self) -> bool:
        """Whether the form was filled in for the shortlist as it is now, product for product.

        Not when the shortlist changed in another window or tab since the page was loaded (a product added or
        removed), nor when the lines' count or products were tampered with: the posted lines would then be
        matched with the wrong products.
        """
        if not self.is_bound:
            return True
        if not self.management_form.is_valid():
            return False
        if self.management_form.cleaned_data[TOTAL_FORM_COUNT] != len(self.items):
            return False
        posted = [self.data.get(f"{self.add_prefix(index)}-product") for index in range(len(self.items))]
        return posted == [str(item.product.pk) for item in self.items]

    def carried_over(self) -> dict[int, dict]:
        """What was entered for each product, by product id, to offer again when the form is shown anew."""
        line_key = re.compile(rf"^{re.escape(self.prefix)}-(\d+)-product$")
        carried = {}
        for key, product_id in self.data.items():
            match = line_key.match(key)
            if match is None or not (product_id.isascii() and product_id.isdigit() and len(product_id) < 20):
                continue
            line = f"{self.prefix}-{match[1]}"
            carried[int(product_id)] = {
                "include": bool(self.data.get(f"{line}-include")),
                "confirm_exceeding": bool(self.data.get(f"{line}-confirm_exceeding")),
                **{
                    name: self.data[f"{line}-{name}"]
                    for name in ("listing", "quantity", "delivery_from", "delivery_until")
                    if f"{line}-{name}" in self.data
                },
            }
        return carried


def interest_line_formset(items, listings_by_product, data=None, carried=None):
    """The line forms, bound to `data` if given; else offered with `carried` (carried_over()) as entered."""
    formset_class = forms.formset_factory(
        InterestLineForm,
        formset=BaseInterestLineFormSet,
        extra=0,
        max_num=len(items),
        absolute_max=len(items),
        validate_max=True,
        min_num=0,
    )
    initial = []
    for item in items:
        listings = listings_by_product.get(item.product.pk, [])
        # With a single hub to choose from, it is chosen already.
        only_one = listings[0].pk if len(listings) == 1 else None
        initial.append(
            {
                "product": item.product.pk,
                "include": bool(listings),
                "listing": only_one,
                **(carried or {}).get(item.product.pk, {}),
            }
        )
    return formset_class(
        data, prefix="lines", items=items, listings_by_product=listings_by_product, initial=initial
    )


class WithdrawForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with_bootstrap_classes(self)

    comment = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswerForm(forms.Form):
    """The answer to a request for information, with the end-user certificate's status brought up to date
    and, if the buyer has it, the certificate itself (a PDF, checked as product documents are)."""

    comment = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your answer to the hub's request.")},
    )
    end_user_certificate = forms.ChoiceField(
        label=_("End-user certificate"),
        choices=ExpressionOfInterest.CertificateStatus.choices,
        required=False,  # not sent: the status stays as it was
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose the end-user certificate's status from the list.")},
    )
    certificate_file = forms.FileField(
        label=_("Attach the end-user certificate (PDF, optional)"),
        required=False,
        max_length=255,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("Seen only by your organisation and the coordinators of the hubs concerned."),
    )

    def __init__(self, *args, interest, **kwargs):
        kwargs.setdefault("initial", {"end_user_certificate": interest.end_user_certificate})
        super().__init__(*args, **kwargs)
        with_bootstrap_classes(self)

    def clean_certificate_file(self):
        upload = self.cleaned_data.get("certificate_file")
        if upload:
            media.pdf_page_count(upload)  # size limit, PDF structure, no scripts, launch actions or files
        return upload or None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("certificate_file") and cleaned.get("end_user_certificate") not in (
            None,
            ExpressionOfInterest.CertificateStatus.AVAILABLE,
        ):
            self.add_error(
                "end_user_certificate",
                _("You attached the certificate: set its status to “Available”."),
            )
        return cleaned
