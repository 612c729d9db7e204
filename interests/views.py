"""The buyer's side of expressions of interest: the shortlist, submitting from it, proposing cooperation on a
product, and following up.

Every view is for approved buyers only; products and listings are offered through the visibility rules
(Product/Listing.objects.visible_to) and an EOI is reached only through interests.access.interest_for_buyer.
"""

import uuid
from collections import defaultdict

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from audit import log as audit
from audit.models import Action
from hubcatalog.ratelimit import retry_after_minutes, seconds_to_wait
from interests.access import (
    certificate_for_buyer,
    certificate_for_staff,
    cooperable_product,
    interest_for_buyer,
    shortlistable_product,
)
from interests.answers import answer_request
from interests.forms import (
    AnswerForm,
    CooperationInterestForm,
    CooperationRequestForm,
    InterestForm,
    ShortlistToggleForm,
    WithdrawForm,
    interest_line_formset,
)
from interests.models import ExpressionOfInterest, InterestLine, ShortlistItem, Status
from interests.submission import cooperation_hubs, eligible_listings, submit_cooperation, submit_interest
from partners.access import approved_buyer_required
from products.models import Product

INTERESTS_PER_PAGE = 20


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _toggled_product(request):
    form = ShortlistToggleForm(request.POST)
    if not form.is_valid():
        raise BadRequest(_("Choose a product to shortlist."))
    return shortlistable_product(request, form.cleaned_data["product"])


@require_POST
@approved_buyer_required
def shortlist_add(request):
    product = _toggled_product(request)
    if not eligible_listings(request.organisation).filter(product=product).exists():
        # The catalogue offers no button for it; a stale page or a hand-made request still gets told why.
        message = _(
            "%(product)s cannot be added to your shortlist: no hub offers it to %(country)s at present, so "
            "no expression of interest can be made for it."
        ) % {"product": product.name, "country": request.organisation.country.name}
        context = {"product": product, "message": message, "back": _safe_next(request, reverse("catalogue"))}
        return render(request, "interests/not_requestable.html", context, status=409)
    ShortlistItem.objects.get_or_create(user=request.user, product=product)
    messages.success(request, _("%(product)s is on your shortlist.") % {"product": product.name})
    return redirect(_safe_next(request, reverse("shortlist")))


@require_POST
@approved_buyer_required
def shortlist_remove(request):
    product = _toggled_product(request)
    ShortlistItem.objects.filter(user=request.user, product=product).delete()
    messages.success(request, _("%(product)s was removed from your shortlist.") % {"product": product.name})
    return redirect(_safe_next(request, reverse("shortlist")))


def _shortlist_items(request) -> list[ShortlistItem]:
    visible = Product.objects.visible_to(request.organisation)
    return list(
        ShortlistItem.objects.filter(user=request.user, product__in=visible).select_related(
            "product__manufacturer", "product__category"
        )
    )


def _listings_by_product(organisation, items) -> dict[int, list]:
    grouped = defaultdict(list)
    listings = (
        eligible_listings(organisation)
        .filter(product__in=[item.product_id for item in items])
        .select_related("hub")
        .order_by("hub__name", "pk")
    )
    for listing in listings:
        grouped[listing.product_id].append(listing)
    return grouped


def _check_destinations(interest_form, line_forms) -> bool:
    """The delivery country must be one each chosen listing may be offered to."""
    country = str(interest_form.cleaned_data["delivery_country"]).upper()
    ok = True
    for form in line_forms:
        listing = form.cleaned_data["listing_object"]
        if country not in [destination.code for destination in listing.destination_countries]:
            form.add_error(
                "listing",
                _("This listing may not be delivered to %(country)s. Choose another hub or delivery country.")
                % {"country": countries.name(country)},
            )
            ok = False
    return ok


def _used_key_redirect(request):
    """A form sent again (double click, back and resubmit, retry) finds the EOI its key already made."""
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return None
    existing = ExpressionOfInterest.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.organisation_id != request.organisation.pk:
        raise Http404(_("This form was already used. Reload the shortlist and submit again."))
    return redirect("interest_submitted", reference=existing.reference)


@require_http_methods(["GET", "POST"])
@approved_buyer_required
def shortlist(request):
    """The shortlist, each product with the buyer's eligible listings, and the form to express interest."""
    if request.method == "POST" and (response := _used_key_redirect(request)):
        return response
    organisation, buyer = request.organisation, request.buyer
    items = _shortlist_items(request)
    listings_by_product = _listings_by_product(organisation, items)
    data = request.POST if request.method == "POST" else None
    interest_form = InterestForm(data, initial=_compliance_initial(request))
    formset = interest_line_formset(items, listings_by_product, data)
    status, retry_after = 200, 0
    if request.method == "POST":
        if not items:
            messages.error(request, _("Your shortlist is empty: add products from the catalogue first."))
            status = 400
        elif not formset.matches_shortlist():
            # The posted lines were made for another shortlist (changed in another tab since the page was
            # loaded, or a tampered form): matched with today's products they would ask for the wrong thing.
            # Nothing is stored; the page shows the shortlist as it is, with what was entered for it.
            formset = interest_line_formset(items, listings_by_product, carried=formset.carried_over())
            messages.error(
                request,
                _(
                    "Your shortlist changed in the meantime, perhaps in another window or tab. Nothing was "
                    "submitted: check the products below and submit again."
                ),
            )
            status = 409
        elif interest_form.is_valid() & formset.is_valid():
            line_forms = formset.included_forms()
            # The rate limit is checked last, before anything is written: a refused submission shows the form
            # again as the buyer filled it in.
            if _check_destinations(interest_form, line_forms) and not (
                retry_after := seconds_to_wait(request, "interest_submission")
            ):
                interest, _created = submit_interest(
                    buyer=buyer,
                    organisation=organisation,
                    details=interest_form.details(),
                    lines=[form.line() for form in line_forms],
                    idempotency_key=interest_form.cleaned_data["idempotency_key"],
                    request=request,
                )
                if interest.organisation_id != organisation.pk:
                    raise Http404
                return redirect("interest_submitted", reference=interest.reference)
            status = 429 if retry_after else 400
        else:
            status = 400
        if status == 429:
            _not_submitted_for_rate(request, retry_after)
    context = {
        "items": items,
        "rows": list(zip(items, formset.forms, strict=True)),
        "formset": formset,
        "form": interest_form,
        "listings_by_product": listings_by_product,
    }
    response = render(request, "interests/shortlist.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _not_submitted_for_rate(request, retry_after: int):
    minutes = retry_after_minutes(retry_after)
    messages.error(
        request,
        ngettext(
            "Your expression of interest was not submitted: too many were sent from your account or "
            "address in the last hour. Your entries are kept below; please submit again in "
            "%(minutes)d minute.",
            "Your expression of interest was not submitted: too many were sent from your account or "
            "address in the last hour. Your entries are kept below; please submit again in "
            "%(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
    )


@require_http_methods(["GET", "POST"])
@approved_buyer_required
def cooperation_propose(request, slug):
    """A proposal of cooperation on one product (licensed production, local assembly…): the form of
    cooperation among those its manufacturer is open to, the partner's company and plans, and the compliance
    section of every EOI. Routed to the hubs that coordinate cooperation on it (cooperation_hubs)."""
    if request.method == "POST" and (response := _used_key_redirect(request)):
        return response
    organisation, buyer = request.organisation, request.buyer
    product = cooperable_product(request, slug)
    hubs = cooperation_hubs(product, organisation)
    if not hubs:
        message = _(
            "No hub coordinates cooperation on %(product)s for partners in %(country)s at present, so no "
            "proposal can be made for it."
        ) % {"product": product.name, "country": organisation.country.name}
        back = reverse("product_detail", args=[product.slug])
        return render(
            request,
            "interests/not_requestable.html",
            {"product": product, "message": message, "back": back},
            status=409,
        )
    offers = list(product.cooperation_offers.all())
    data = request.POST if request.method == "POST" else None
    interest_form = CooperationInterestForm(data, initial=_compliance_initial(request))
    cooperation_form = CooperationRequestForm(
        data,
        offers=offers,
        prefix="cooperation",
        initial={
            "form": request.GET.get("form"),
            "company_country": organisation.country,
            "production_country": organisation.country,
        },
    )
    status, retry_after = 200, 0
    if request.method == "POST":
        status = 400
        if (interest_form.is_valid() & cooperation_form.is_valid()) and not (
            retry_after := seconds_to_wait(request, "interest_submission")
        ):
            interest, _created = submit_cooperation(
                buyer=buyer,
                organisation=organisation,
                details=interest_form.details(),
                offer=cooperation_form.offer(),
                cooperation=cooperation_form.details(),
                hubs=hubs,
                idempotency_key=interest_form.cleaned_data["idempotency_key"],
                request=request,
            )
            if interest.organisation_id != organisation.pk:
                raise Http404
            return redirect("interest_submitted", reference=interest.reference)
        if retry_after:
            status = 429
            _not_submitted_for_rate(request, retry_after)
    context = {
        "product": product,
        "offers": offers,
        "hubs": hubs,
        "form": interest_form,
        "cooperation_form": cooperation_form,
    }
    response = render(request, "interests/cooperation_propose.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _compliance_initial(request) -> dict:
    """What both kinds of EOI form start from: a fresh submission key, the organisation's country, the
    buyer's name and phone."""
    return {
        "idempotency_key": uuid.uuid4(),
        "delivery_country": request.organisation.country,
        "contact_name": request.user.get_full_name(),
        "contact_phone": request.buyer.phone,
    }


@require_GET
@approved_buyer_required
def interest_list(request):
    """The organisation's expressions of interest, newest first, a page at a time."""
    line_counts = (
        InterestLine.objects.filter(interest=OuterRef("pk"))
        .order_by()
        .values("interest")
        # Products, not lines: a cooperation EOI has a line per reviewing hub, all of one product.
        .annotate(n=Count("product", distinct=True))
    )
    interests = (
        ExpressionOfInterest.objects.of_organisation(request.organisation)
        .select_related("submitted_by")
        # Counted for the rows of the page only, not grouped over every EOI of the organisation.
        .annotate(line_count=Subquery(line_counts.values("n")))
        .order_by("-submitted_at", "-pk")
    )
    paginator = Paginator(interests, INTERESTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "interests": page.object_list,
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
    }
    return render(request, "interests/interest_list.html", context)


def _detail_context(interest, **forms):
    return {
        "interest": interest,
        "cooperation": interest.cooperation if interest.is_cooperation else None,
        "lines": (
            lines := list(interest.lines.select_related("product", "hub").prefetch_related("decisions"))
        ),
        # The state the buyer reads: "partly decided" while some hubs still review their lines.
        "overall_state": interest.overall_state(lines),
        "history": list(interest.history.select_related("actor").prefetch_related("certificates")),
        "may_withdraw": Status.WITHDRAWN in interest.allowed_targets(),
        "may_answer": Status.ANSWERED in interest.allowed_targets(),
        "answer_form": forms.get("answer_form") or AnswerForm(interest=interest),
    }


@require_GET
@approved_buyer_required
def interest_detail(request, reference):
    interest = interest_for_buyer(request, reference)
    return render(request, "interests/interest_detail.html", _detail_context(interest))


@require_GET
@approved_buyer_required
def interest_submitted(request, reference):
    interest = interest_for_buyer(request, reference)
    return render(request, "interests/submitted.html", _detail_context(interest))


def _cannot_withdraw(request, interest, why: str):
    messages.error(
        request, _("This expression of interest can no longer be withdrawn: %(why)s") % {"why": why}
    )
    return render(request, "interests/interest_detail.html", _detail_context(interest), status=409)


@require_http_methods(["GET", "POST"])
@approved_buyer_required
def interest_withdraw(request, reference):
    """GET asks for confirmation (what withdrawing means, an optional comment); POST withdraws."""
    interest = interest_for_buyer(request, reference)
    if request.method == "GET" and Status.WITHDRAWN not in interest.allowed_targets():
        return _cannot_withdraw(request, interest, Status(interest.status).label)
    # Bound on every POST, even an empty one (the comment is optional).
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            interest.withdraw(by=request.user, comment=form.cleaned_data["comment"], request=request)
        except ValidationError as error:
            return _cannot_withdraw(request, interest, " ".join(error.messages))
        messages.success(request, _("You withdrew %(reference)s.") % {"reference": interest.reference})
        return redirect("interest_detail", reference=interest.reference)
    context = {"interest": interest, "form": form}
    return render(
        request, "interests/withdraw_confirm.html", context, status=400 if request.method == "POST" else 200
    )


@require_POST
@approved_buyer_required
def interest_answer(request, reference):
    interest = interest_for_buyer(request, reference)
    form = AnswerForm(request.POST, request.FILES, interest=interest)
    if form.is_valid():
        try:
            answer_request(
                interest=interest,
                by=request.user,
                comment=form.cleaned_data["comment"],
                certificate_status=form.cleaned_data["end_user_certificate"],
                certificate_file=form.cleaned_data["certificate_file"],
                request=request,
            )
        except ValidationError as error:
            messages.error(
                request,
                _("There is no open request for information to answer: %(why)s")
                % {"why": " ".join(error.messages)},
            )
            return render(request, "interests/interest_detail.html", _detail_context(interest), status=409)
        messages.success(request, _("Your answer was sent to the hub."))
        return redirect("interest_detail", reference=interest.reference)
    return render(
        request, "interests/interest_detail.html", _detail_context(interest, answer_form=form), status=400
    )


def _certificate_response(request, certificate):
    """Stream an end-user certificate from the private storage, recorded in the audit log."""
    try:
        file = certificate.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This certificate is not available at the moment.")) from None
    audit.record(
        request,
        Action.DOCUMENT_DOWNLOADED,
        obj=certificate,
        interest=certificate.interest.reference,
    )
    response = FileResponse(
        file, as_attachment=True, filename=certificate.original_filename, content_type="application/pdf"
    )
    patch_cache_control(response, private=True)
    return response


@require_GET
@approved_buyer_required
def interest_certificate(request, reference, pk):
    """An end-user certificate the buyer's organisation attached, for its own members."""
    return _certificate_response(request, certificate_for_buyer(request, reference, pk))


@require_GET
@staff_member_required
def staff_certificate(request, pk):
    """An end-user certificate, for the coordinators of the EOI's hubs and superusers (the admin links it)."""
    return _certificate_response(request, certificate_for_staff(request.user, pk))
