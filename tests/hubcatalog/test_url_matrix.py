"""Every URL, for every role: the outcome each kind of user gets.

The site's URLs and the admin's are taken from the URL resolver, so a URL added without a row here fails
`test_every_url_is_in_the_matrix`. Another organisation's or another hub's object is absent (404, or the
admin's "does not exist" redirect), a page the role may not see is forbidden (403), a wrong method is refused
(405), and nobody outside the staff reaches the admin (its login page).
"""

import dataclasses
import types
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from interests.models import Embargo
from partners.models import PartnerOrganisation
from products.models import CooperationForm, ProductCooperation
from tests.conftest import CATALOGUE_EDITORS, HUB_COORDINATORS
from tests.factories import (
    make_access_request,
    make_buyer,
    make_certificate,
    make_document,
    make_hub,
    make_interest,
    make_listing,
    make_organisation,
    make_published_product,
    make_staff_user,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "pending_buyer",
    "buyer_a",
    "buyer_b",
    "suspended_buyer",
    "coordinator_a",
    "coordinator_b",
    "editor",
    "superuser",
)
BUYERS = ("buyer_a", "buyer_b")
NOT_APPROVED = ("pending_buyer", "suspended_buyer")
STAFF = ("coordinator_a", "coordinator_b", "editor", "superuser")

# Outcomes.
OK = "200"
LOGIN = "sign-in page"
ADMIN_LOGIN = "admin sign-in page"
FORBIDDEN = "403"
ABSENT = "absent"  # 404, or the admin's redirect to its index saying the object does not exist
METHOD = "405"
REDIRECT = "redirect"  # somewhere else on the site (after a POST, or to the canonical address)
BAD_REQUEST = "400"  # a form naming no product, or an empty answer


@dataclasses.dataclass
class World:
    objects: dict

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def world(db):
    coordinator_a = make_staff_user("coordinator-a", group=HUB_COORDINATORS)
    coordinator_b = make_staff_user("coordinator-b", group=HUB_COORDINATORS)
    hub_a = make_hub("Hub A", country="DE", coordinators=[coordinator_a])
    hub_b = make_hub("Hub B", country="PL", city="Warsaw", coordinators=[coordinator_b])
    product = make_published_product("Sentinel Jammer")
    listing_a = make_listing(product, hub_a, destination_countries=["DE", "PL"])
    listing_b = make_listing(product, hub_b, destination_countries=["DE", "PL"])
    cooperation = ProductCooperation.objects.create(product=product, form=CooperationForm.LICENSED_PRODUCTION)
    hub_a.cooperation_products.add(product)
    buyer_a = make_buyer("buyer-a", organisation=make_organisation("Organisation A", country="DE"))
    buyer_b = make_buyer(
        "buyer-b", organisation=make_organisation("Organisation B", country="PL", kind="procurement_agency")
    )
    pending = make_organisation("Pending", vetting_status=PartnerOrganisation.VettingStatus.PENDING)
    suspended = make_organisation("Suspended", vetting_status=PartnerOrganisation.VettingStatus.SUSPENDED)
    users = {
        "pending_buyer": make_buyer("pending", organisation=pending).user,
        "buyer_a": buyer_a.user,
        "buyer_b": buyer_b.user,
        "suspended_buyer": make_buyer("suspended", organisation=suspended).user,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
        "editor": make_staff_user("editor", group=CATALOGUE_EDITORS),
        "superuser": make_staff_user("root", superuser=True),
    }
    return World(
        {
            "users": users,
            "hub_a": hub_a,
            "hub_b": hub_b,
            "product": product,
            "listing_a": listing_a,
            "listing_b": listing_b,
            "interest_a": (interest_a := make_interest(buyer_a, [listing_a])),
            "interest_b": make_interest(buyer_b, [listing_b]),
            "certificate_a": make_certificate(interest_a),
            "document": make_document(product),
            "access_request": make_access_request(),
            "organisation_a": buyer_a.organisation,
            "buyer": buyer_a,
            "embargo": Embargo.objects.first(),
            "cooperation": cooperation,
        }
    )


@dataclasses.dataclass
class Case:
    """One request, and the outcome each role gets."""

    label: str
    path: Callable[[World], str]
    expected: dict
    method: str = "get"
    data: dict = dataclasses.field(default_factory=dict)


def roles(default, **exceptions) -> dict:
    """The outcome for every role: `default`, except those named (groups: buyers=, not_approved=, staff=).
    A buyer whose organisation is suspended is signed out at their next request, whatever it is."""
    outcome = dict.fromkeys(ROLES, default)
    outcome["suspended_buyer"] = LOGIN
    for group, members in (("buyers", BUYERS), ("not_approved", NOT_APPROVED), ("staff", STAFF)):
        if group in exceptions:
            outcome.update(dict.fromkeys(members, exceptions.pop(group)))
    outcome.update(exceptions)
    return outcome


def public(**exceptions):
    return roles(OK, **exceptions)


def buyers_only(outcome_a=OK, outcome_b=OK):
    """A buyer page: the approved buyers get it, everyone else signed in is refused with the reason."""
    return roles(FORBIDDEN, anonymous=LOGIN, buyer_a=outcome_a, buyer_b=outcome_b)


def reference(interest_name):
    return lambda world: getattr(world, interest_name).reference


SITE = [
    # Staff confirm a second factor (tests/accounts/test_two_factor.py); here it is off, so they pass on.
    Case(
        "two-factor verification",
        lambda w: reverse("two_factor_verify"),
        roles(FORBIDDEN, anonymous=LOGIN, staff=REDIRECT),
    ),
    Case(
        "two-factor enrolment",
        lambda w: reverse("two_factor_setup"),
        roles(FORBIDDEN, anonymous=LOGIN, staff=OK),
    ),
    Case(
        "recovery codes",
        lambda w: reverse("two_factor_recovery_codes"),
        roles(FORBIDDEN, anonymous=LOGIN, staff=REDIRECT),
    ),
    Case("landing page", lambda w: reverse("landing"), public()),
    Case("health check", lambda w: reverse("healthz"), public()),
    Case("language menu, GET", lambda w: reverse("set_language"), roles(METHOD)),
    Case("language menu", lambda w: reverse("set_language"), roles(REDIRECT), "post", {"language": "uk"}),
    Case("sign-in page", lambda w: reverse("login"), public(suspended_buyer=OK)),
    # After signing in: staff on to the admin, everyone else on to the catalogue.
    Case("signed in", lambda w: reverse("signed_in"), roles(REDIRECT, anonymous=LOGIN)),
    Case("signed in, POST", lambda w: reverse("signed_in"), roles(METHOD), "post"),
    Case("sign-out, GET", lambda w: reverse("logout"), roles(METHOD)),
    Case("sign-out", lambda w: reverse("logout"), roles(REDIRECT), "post"),
    Case("password reset", lambda w: reverse("password_reset"), public()),
    Case("password reset sent", lambda w: reverse("password_reset_done"), public()),
    Case(
        "password reset link, not valid",
        lambda w: reverse("password_reset_confirm", args=["MQ", "not-a-token"]),
        public(),
    ),
    Case("password reset complete", lambda w: reverse("password_reset_complete"), public()),
    Case("password change", lambda w: reverse("password_change"), public(anonymous=LOGIN)),
    Case("password changed", lambda w: reverse("password_change_done"), public(anonymous=LOGIN)),
    Case("request access", lambda w: reverse("request_access"), public()),
    Case("access requested", lambda w: reverse("access_requested"), public()),
    Case("catalogue", lambda w: reverse("catalogue"), buyers_only()),
    Case("search suggestions", lambda w: reverse("catalogue_suggest") + "?q=jam", buyers_only()),
    Case("compare", lambda w: reverse("compare"), buyers_only()),
    Case("compare toggle, GET", lambda w: reverse("compare_toggle"), roles(METHOD)),
    Case(
        "compare toggle",
        lambda w: reverse("compare_toggle"),
        buyers_only(BAD_REQUEST, BAD_REQUEST),
        "post",
        {"product": "0"},
    ),
    Case("document", lambda w: reverse("document_download", args=[w.document.pk]), buyers_only()),
    Case(
        "document that does not exist",
        lambda w: reverse("document_download", args=[0]),
        buyers_only(ABSENT, ABSENT),
    ),
    Case("product page", lambda w: reverse("product_detail", args=[w.product.slug]), buyers_only()),
    # Staff preview the catalogue as a country's buyers see it (tests/products/test_staff_preview.py).
    Case(
        "catalogue preview",
        lambda w: reverse("catalogue_preview") + "?country=PL",
        roles(FORBIDDEN, anonymous=LOGIN, staff=OK),
    ),
    Case(
        "catalogue preview, start",
        lambda w: reverse("catalogue_preview"),
        roles(FORBIDDEN, anonymous=LOGIN, staff=REDIRECT),
        "post",
        {"country": "PL"},
    ),
    Case(
        "catalogue preview, no such country",
        lambda w: reverse("catalogue_preview"),
        roles(FORBIDDEN, anonymous=LOGIN, staff=BAD_REQUEST),
        "post",
        {"country": "XX"},
    ),
    Case("catalogue preview, end, GET", lambda w: reverse("catalogue_preview_end"), roles(METHOD)),
    Case(
        "catalogue preview, end",
        lambda w: reverse("catalogue_preview_end"),
        roles(FORBIDDEN, anonymous=LOGIN, staff=REDIRECT),
        "post",
    ),
    Case("hubs", lambda w: reverse("hub_list"), buyers_only()),
    Case("hub page", lambda w: reverse("hub_detail", args=[w.hub_a.slug]), buyers_only()),
    Case("my expressions of interest", lambda w: reverse("interest_list"), buyers_only()),
    Case("shortlist", lambda w: reverse("shortlist"), buyers_only()),
    Case(
        "propose cooperation", lambda w: reverse("cooperation_propose", args=[w.product.slug]), buyers_only()
    ),
    Case(
        "propose cooperation, empty form",
        lambda w: reverse("cooperation_propose", args=[w.product.slug]),
        buyers_only(BAD_REQUEST, BAD_REQUEST),
        "post",
    ),
    Case(
        "propose cooperation on an unknown product",
        lambda w: reverse("cooperation_propose", args=["no-such-product"]),
        buyers_only(ABSENT, ABSENT),
    ),
    Case("shortlist add, GET", lambda w: reverse("shortlist_add"), roles(METHOD)),
    Case(
        "shortlist add",
        lambda w: reverse("shortlist_add"),
        buyers_only(BAD_REQUEST, BAD_REQUEST),
        "post",
        {"product": "0"},
    ),
    Case("shortlist remove, GET", lambda w: reverse("shortlist_remove"), roles(METHOD)),
    Case(
        "shortlist remove",
        lambda w: reverse("shortlist_remove"),
        buyers_only(BAD_REQUEST, BAD_REQUEST),
        "post",
        {"product": "0"},
    ),
    Case(
        "an EOI of organisation A",
        lambda w: reverse("interest_detail", args=[w.interest_a.reference]),
        buyers_only(OK, ABSENT),
    ),
    Case(
        "an EOI's confirmation page",
        lambda w: reverse("interest_submitted", args=[w.interest_a.reference]),
        buyers_only(OK, ABSENT),
    ),
    Case(
        "withdraw, GET: the confirmation page",
        lambda w: reverse("interest_withdraw", args=[w.interest_a.reference]),
        buyers_only(OK, ABSENT),
    ),
    Case(
        "withdraw an EOI of organisation A",
        lambda w: reverse("interest_withdraw", args=[w.interest_b.reference]),
        buyers_only(ABSENT, REDIRECT),
        "post",
    ),
    Case(
        "answer, GET",
        lambda w: reverse("interest_answer", args=[w.interest_a.reference]),
        roles(METHOD),
    ),
    Case(
        "answer for an EOI of organisation A",
        lambda w: reverse("interest_answer", args=[w.interest_a.reference]),
        buyers_only(BAD_REQUEST, ABSENT),
        "post",
    ),
    Case(
        "end-user certificate of organisation A",
        lambda w: reverse("interest_certificate", args=[w.interest_a.reference, w.certificate_a.pk]),
        buyers_only(OK, ABSENT),
    ),
    # Outside the admin but for staff only: the coordinators of the EOI's hubs and superusers.
    Case(
        "end-user certificate at hub A, for staff",
        lambda w: reverse("staff_certificate", args=[w.certificate_a.pk]),
        roles(ADMIN_LOGIN, coordinator_a=OK, coordinator_b=ABSENT, editor=ABSENT, superuser=OK),
    ),
]


def staff(default=FORBIDDEN, **exceptions) -> dict:
    """An admin page: outside the staff, the admin's sign-in page; staff get `default` unless named."""
    return roles(ADMIN_LOGIN, **{**dict.fromkeys(STAFF, default), **exceptions})


def by_staff(outcomes: str) -> dict:
    """An admin page's outcomes for the coordinator of hub A, of hub B, the catalogue editor and the
    superuser, in that order ("200 403 absent 200")."""
    return staff(**dict(zip(STAFF, outcomes.split(), strict=True)))


NO_SUCH_OBJECT = types.SimpleNamespace(pk=0)

# Every model in the admin: the outcomes (coordinator of hub A, of hub B, editor, superuser) of its list, add
# page, and an object's change, history and delete pages; the object is hub A's where objects belong to a hub,
# and one that does not exist where the test world has none.
ADMIN_MODELS = {
    "auth.group": (
        lambda w: Group.objects.get(name=HUB_COORDINATORS),
        {page: "403 403 403 200" for page in ("list", "add", "change", "history", "delete")},
    ),
    "auth.user": (
        lambda w: w.users["buyer_a"],
        {page: "403 403 403 200" for page in ("list", "add", "change", "history", "delete")},
    ),
    "axes.accessattempt": (
        None,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 403",
            "change": "403 403 403 absent",
            "history": "absent absent absent absent",
            "delete": "403 403 403 absent",
        },
    ),
    "axes.accesslog": (
        None,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 403",
            "change": "403 403 403 absent",
            "history": "absent absent absent absent",
            "delete": "403 403 403 absent",
        },
    ),
    "axes.accessfailurelog": (
        None,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 403",
            "change": "403 403 403 absent",
            "history": "absent absent absent absent",
            "delete": "403 403 403 absent",
        },
    ),
    "otp_totp.totpdevice": (
        None,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 200",
            "change": "403 403 403 absent",
            "history": "absent absent absent absent",
            "delete": "403 403 403 absent",
        },
    ),
    "otp_static.staticdevice": (
        None,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 200",
            "change": "403 403 403 absent",
            "history": "absent absent absent absent",
            "delete": "403 403 403 absent",
        },
    ),
    # The outbox: superusers see and retry emails; the log of deliveries cannot be edited.
    "mailer.message": (
        None,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 403",
            "change": "403 403 403 absent",
            "history": "absent absent absent absent",
            "delete": "403 403 403 absent",
        },
    ),
    "mailer.messagelog": (
        None,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 403",
            "change": "403 403 403 absent",
            "history": "absent absent absent absent",
            "delete": "403 403 403 403",
        },
    ),
    # The audit log: superusers read it; nobody adds, changes or deletes a record.
    "audit.auditevent": (
        None,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 403",
            "change": "403 403 403 absent",
            "history": "absent absent absent absent",
            "delete": "403 403 403 403",
        },
    ),
    # The catalogue: editors maintain it; coordinators read it (to list products at their hubs).
    "products.category": (
        lambda w: w.product.category,
        {
            "list": "200 200 200 200",
            "add": "403 403 200 200",
            "change": "200 200 200 200",
            "history": "200 200 200 200",
            "delete": "403 403 200 200",
        },
    ),
    "products.specattribute": (
        None,
        {
            "list": "403 403 200 200",
            "add": "403 403 200 200",
            "change": "403 403 absent absent",
            "history": "absent absent absent absent",
            "delete": "403 403 absent absent",
        },
    ),
    "products.manufacturer": (
        lambda w: w.product.manufacturer,
        {
            "list": "200 200 200 200",
            "add": "403 403 200 200",
            "change": "200 200 200 200",
            "history": "200 200 200 200",
            "delete": "403 403 200 200",
        },
    ),
    "products.product": (
        lambda w: w.product,
        {
            "list": "200 200 200 200",
            "add": "403 403 200 200",
            "change": "200 200 200 200",
            "history": "200 200 200 200",
            "delete": "403 403 200 200",
        },
    ),
    # Forms of cooperation: editors keep all; a coordinator those of products their hub coordinates.
    "products.productcooperation": (
        lambda w: w.cooperation,
        {
            "list": "200 200 200 200",
            "add": "200 200 200 200",
            "change": "200 absent 200 200",
            "history": "200 absent 200 200",
            "delete": "200 absent 200 200",
        },
    ),
    # The hubs: each coordinator sees and edits their own; another hub's objects are absent.
    "hubs.hub": (
        lambda w: w.hub_a,
        {
            "list": "200 200 403 200",
            "add": "403 403 403 200",
            "change": "200 absent absent 200",
            "history": "200 absent absent 200",
            "delete": "403 absent absent 200",
        },
    ),
    "hubs.listing": (
        lambda w: w.listing_a,
        {
            "list": "200 200 403 200",
            "add": "200 200 403 200",
            "change": "200 absent absent 200",
            "history": "200 absent absent 200",
            "delete": "200 absent absent 200",
        },
    ),
    # Vetting partners is the superusers' (and the vetting group's) work.
    "partners.accessrequest": (
        lambda w: w.access_request,
        {
            "list": "403 403 403 200",
            "add": "403 403 403 403",
            "change": "403 403 403 200",
            "history": "403 403 403 200",
            "delete": "403 403 403 200",
        },
    ),
    "partners.partnerorganisation": (
        lambda w: w.organisation_a,
        {page: "403 403 403 200" for page in ("list", "add", "change", "history", "delete")},
    ),
    "partners.buyer": (
        lambda w: w.buyer,
        {page: "403 403 403 200" for page in ("list", "add", "change", "history", "delete")},
    ),
    # Expressions of interest: reviewed by their hubs' coordinators; never added or deleted in the admin.
    "interests.expressionofinterest": (
        lambda w: w.interest_a,
        {
            "list": "200 200 403 200",
            "add": "403 403 403 403",
            "change": "200 absent absent 200",
            "history": "200 absent absent 200",
            "delete": "403 absent absent 403",
        },
    ),
    "interests.embargo": (
        lambda w: w.embargo,
        {page: "403 403 403 200" for page in ("list", "add", "change", "history", "delete")},
    ),
}
PAGES = {"list": "changelist", "add": "add", "change": "change", "history": "history", "delete": "delete"}


def admin_object_cases() -> list[Case]:
    cases = []
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        getter, outcomes = ADMIN_MODELS[opts.label_lower]
        getter = getter or (lambda w: NO_SUCH_OBJECT)
        for page, url_name in PAGES.items():
            args = (
                (lambda w, g=getter: [g(w).pk]) if page in ("change", "history", "delete") else (lambda w: [])
            )
            cases.append(
                Case(
                    f"{opts.label}: {page}",
                    lambda w, n=f"{name}_{url_name}", a=args: reverse(n, args=a(w)),
                    by_staff(outcomes[page]),
                )
            )
        cases.append(
            Case(
                f"{opts.label}: short address of an object",
                lambda w, n=name, g=getter: reverse(f"{n}_change", args=[g(w).pk]).removesuffix("change/"),
                staff(REDIRECT),
            )
        )
    return cases


HUB_B_OBJECTS = [
    ("hub B", "admin:hubs_hub_change", lambda w: w.hub_b),
    ("a listing of hub B", "admin:hubs_listing_change", lambda w: w.listing_b),
    ("an EOI at hub B", "admin:interests_expressionofinterest_change", lambda w: w.interest_b),
]


NOT_STAFF_TO_INDEX = dict.fromkeys(("anonymous", "pending_buyer", "buyer_a", "buyer_b"), REDIRECT)


def autocomplete(app_label, model_name, field_name, term=""):
    query = f"?app_label={app_label}&model_name={model_name}&field_name={field_name}&term={term}"
    return lambda w: reverse("admin:autocomplete") + query


def admin_cases() -> list[Case]:
    eoi = "admin:interests_expressionofinterest"
    return [
        Case("admin index", lambda w: reverse("admin:index"), staff(OK)),
        Case(
            "admin sign-in",
            lambda w: reverse("admin:login"),
            public(suspended_buyer=OK, **dict.fromkeys(STAFF, REDIRECT)),
        ),
        # Outside the staff, the admin's sign-out sends to the admin's index (and so to its sign-in page).
        Case("admin sign-out, GET", lambda w: reverse("admin:logout"), staff(METHOD, **NOT_STAFF_TO_INDEX)),
        Case(
            "admin sign-out", lambda w: reverse("admin:logout"), staff(REDIRECT, **NOT_STAFF_TO_INDEX), "post"
        ),
        Case("admin password change", lambda w: reverse("admin:password_change"), staff(OK)),
        Case("admin password changed", lambda w: reverse("admin:password_change_done"), staff(OK)),
        Case("admin translations", lambda w: reverse("admin:jsi18n"), staff(OK)),
        Case(
            "admin, an app's page",
            lambda w: reverse("admin:app_list", args=["hubs"]),
            by_staff("200 200 absent 200"),
        ),
        Case("admin, no such page", lambda w: reverse("admin:index") + "no/such/page/", staff(ABSENT)),
        Case(
            "admin, view a product on the site (no model has a public page)",
            lambda w: reverse("admin:view_on_site", args=[content_type_id(w.product), w.product.pk]),
            staff(ABSENT),
        ),
        Case(
            "admin autocomplete: products for a listing",
            autocomplete("hubs", "listing", "product", "Sentinel"),
            staff(OK),
        ),
        Case(
            "admin autocomplete: organisations for a buyer",
            autocomplete("partners", "buyer", "organisation", "Organisation"),
            by_staff("403 403 403 200"),
        ),
        Case(
            "admin: a user's password",
            lambda w: reverse("admin:auth_user_password_change", args=[w.users["buyer_a"].pk]),
            by_staff("403 403 403 200"),
        ),
        Case(
            "admin: a TOTP device's configuration",
            lambda w: reverse("admin:otp_totp_totpdevice_config", args=[0]),
            by_staff("403 403 403 403"),
        ),
        Case(
            "admin: a TOTP device's QR code",
            lambda w: reverse("admin:otp_totp_totpdevice_qrcode", args=[0]),
            by_staff("403 403 403 403"),
        ),
        Case(
            "EOI review step of hub A, GET",
            lambda w: reverse(f"{eoi}_transition", args=[w.interest_a.pk]),
            staff(METHOD),
        ),
        Case(
            "EOI review step of hub A",
            lambda w: reverse(f"{eoi}_transition", args=[w.interest_a.pk]),
            by_staff("redirect absent absent redirect"),
            "post",
        ),
        Case("EOI export", lambda w: reverse(f"{eoi}_export"), by_staff("200 200 403 200")),
        Case("EOI dashboard", lambda w: reverse(f"{eoi}_dashboard"), by_staff("200 200 403 200")),
        Case(
            "audit log export",
            lambda w: reverse("admin:audit_auditevent_export"),
            by_staff("403 403 403 200"),
        ),
        *[
            Case(
                label,
                lambda w, n=url_name, g=getter: reverse(n, args=[g(w).pk]),
                by_staff("absent 200 absent 200"),
            )
            for label, url_name, getter in HUB_B_OBJECTS
        ],
        *admin_object_cases(),
    ]


def content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


def every_case() -> list[Case]:
    return SITE + admin_cases()


def outcome_of(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        # Pages that send staff to the admin's index by design, not because an object is missing.
        signing_in_or_out = response.wsgi_request.path in (
            reverse("admin:login"),
            reverse("admin:logout"),
            reverse("signed_in"),
            reverse("catalogue_preview_end"),
        )
        if location == reverse("admin:index") and not signing_in_or_out:
            return ABSENT  # the admin's "… with ID … doesn't exist" redirect
        if location.startswith(reverse("login")):
            return LOGIN
        return REDIRECT
    if response.status_code == 404:
        return ABSENT
    return str(response.status_code)


def client_for(world, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def test_every_url_is_in_the_matrix(world):
    """A URL added to the site or the admin without a row in this matrix fails here."""
    covered = {pattern_key(resolve(case.path(world).split("?")[0])) for case in every_case()}

    assert set(url_patterns()) - covered == set()


def pattern_key(match) -> str:
    return match.view_name if match.url_name else match.route


def url_patterns(patterns=None, prefix="", namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                yield prefix + str(pattern.pattern)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_outcome_of_every_url(world, role):
    outcomes = {}
    for case in every_case():
        client = client_for(world, role)
        response = getattr(client, case.method)(case.path(world), case.data)
        outcomes[case.label] = outcome_of(response)
        assert response.status_code < 500, case.label

    expected = {case.label: case.expected[role] for case in every_case()}
    assert {
        label: f"{outcome}, not {expected[label]}"
        for label, outcome in outcomes.items()
        if outcome != expected[label]
    } == {}
