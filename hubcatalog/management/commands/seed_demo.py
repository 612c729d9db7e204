"""Create (or reset) the demo accounts, one per role, with fixed passwords that anyone can read here, and the
demo buyers' expressions of interest of both kinds (purchase and cooperation) in several states.

For development and demonstrations only: with DEBUG off the command refuses to run unless told --force.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from hubs.models import Hub
from interests.models import ExpressionOfInterest, Kind, Reason, Status
from interests.submission import (
    cooperable_products,
    cooperation_hubs,
    eligible_listings,
    submit_cooperation,
    submit_interest,
)
from partners.models import Buyer, PartnerOrganisation
from products.models import CooperationForm, Product

# The staff groups made by hubs/migrations/0002_staff_groups.py.
CATALOGUE_EDITORS = "Catalogue editors"
HUB_COORDINATORS = "Hub coordinators"
SITE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class DemoOrganisation:
    """A fictional partner organisation; it works with the active hubs of its own country."""

    name: str
    country: str
    kind: str
    vetting_status: str


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    can: str
    first_name: str
    last_name: str
    group: str | None = None
    is_superuser: bool = False
    organisation: DemoOrganisation | None = None  # a buyer (not staff) of this organisation

    @property
    def email(self) -> str:
        return f"{self.username}@hubcatalog.example"


COORDINATOR = DemoAccount(
    username="coordinator",
    password="coordinator-demo-2026",
    role="Hub coordinator",
    can="Manage the listings of {hub}; review its expressions of interest",
    first_name="Olena",
    last_name="Koval",
    group=HUB_COORDINATORS,
)
EDITOR = DemoAccount(
    username="editor",
    password="editor-demo-2026",
    role="Catalogue editor",
    can="Maintain products, manufacturers, categories and specifications",
    first_name="Marta",
    last_name="Shevchuk",
    group=CATALOGUE_EDITORS,
)
SUPERUSER = DemoAccount(
    username="admin",
    password="admin-demo-2026",
    role="Superuser",
    can="Everything, including users and every hub",
    first_name="Demo",
    last_name="Administrator",
    is_superuser=True,
)
STAFF_ACCOUNTS = [EDITOR, SUPERUSER]

# Fictional organisations: no real ministry, agency or company is named.
GERMAN_OFFICE = DemoOrganisation(
    name="Federal Defence Procurement Office (demo)",
    country="DE",
    kind=PartnerOrganisation.Kind.PROCUREMENT_AGENCY,
    vetting_status=PartnerOrganisation.VettingStatus.APPROVED,
)
POLISH_DIRECTORATE = DemoOrganisation(
    name="Land Forces Procurement Directorate (demo)",
    country="PL",
    kind=PartnerOrganisation.Kind.ARMED_FORCES,
    vetting_status=PartnerOrganisation.VettingStatus.APPROVED,
)
SUSPENDED_COMPANY = DemoOrganisation(
    name="Nordic Maritime Defence Systems (demo)",
    country="DK",
    kind=PartnerOrganisation.Kind.DEFENCE_COMPANY,
    vetting_status=PartnerOrganisation.VettingStatus.SUSPENDED,
)
# Procurement staff of partner organisations: they use the site, not the admin.
BUYER_ACCOUNTS = [
    DemoAccount(
        username="buyer",
        password="buyer-demo-2026",
        role="Partner buyer",
        can="Browse the catalogue for {organisation}",
        first_name="Jonas",
        last_name="Becker",
        organisation=GERMAN_OFFICE,
    ),
    DemoAccount(
        username="buyer-pl",
        password="buyer-pl-demo-2026",
        role="Partner buyer",
        can="Browse the catalogue for {organisation}",
        first_name="Agnieszka",
        last_name="Nowicka",
        organisation=POLISH_DIRECTORATE,
    ),
    DemoAccount(
        username="buyer-suspended",
        password="suspended-demo-2026",
        role="Partner buyer",
        can="Nothing: {organisation} is suspended (signing in ends with the reason)",
        first_name="Lars",
        last_name="Holm",
        organisation=SUSPENDED_COMPANY,
    ),
]


@dataclass(frozen=True)
class DemoInterest:
    """A demo expression of interest: who sends it, what it asks for, and the state the hubs bring it to.

    A purchase asks for the `listing_number`-th listing (by product name) the buyer may ask for at the hubs of
    its own country; a cooperation proposes `form` on the product named `product`. `name` makes its stable
    submission key, so that a second run finds it instead of making a copy.
    """

    name: str
    buyer: str
    kind: str
    state: str
    end_user: str
    intended_use: str
    message: str
    reason: str = ""
    comment: str = ""
    listing_number: int = 0
    quantity_share: int = 4  # a purchase asks for this fraction of the listed quantity (at least one unit)
    product: str = ""
    form: str = ""
    cooperation: dict | None = None


BERLIN_COMPANY = {
    "company_name": "Havelwerk Flugsysteme GmbH (demo)",
    "company_country": "DE",
    "company_registration": "HRB 204815 B",
    "production_country": "DE",
}
RZESZOW_COMPANY = {
    "company_name": "Podkarpackie Zakłady Elektroniczne S.A. (demo)",
    "company_country": "PL",
    "company_registration": "KRS 0000481516",
    "production_country": "PL",
}
DEMO_INTERESTS = [
    DemoInterest(
        name="purchase-submitted",
        buyer="buyer",
        kind=Kind.PURCHASE,
        state=Status.SUBMITTED,
        end_user="Air Defence Regiment 1 (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.AIR_DEFENCE,
        message="We would like to see a demonstration at the hub before the delivery window.",
        listing_number=0,
    ),
    DemoInterest(
        name="purchase-under-review",
        buyer="buyer",
        kind=Kind.PURCHASE,
        state=Status.UNDER_REVIEW,
        end_user="Armoured Reconnaissance Battalion 6 (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.TERRITORIAL_DEFENCE,
        message="Operator training for two crews would be welcome.",
        listing_number=1,
    ),
    DemoInterest(
        name="purchase-information-requested",
        buyer="buyer",
        kind=Kind.PURCHASE,
        state=Status.INFORMATION_REQUESTED,
        end_user="Training Centre North (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.TRAINING,
        message="",
        reason=Reason.END_USER_DETAILS,
        comment="Please name the units the training centre will train with these systems.",
        listing_number=2,
    ),
    DemoInterest(
        name="purchase-accepted",
        buyer="buyer-pl",
        kind=Kind.PURCHASE,
        state=Status.ACCEPTED,
        end_user="21st Podhale Rifles Brigade (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.TERRITORIAL_DEFENCE,
        message="Delivery to the brigade's depot in Rzeszów.",
        comment="Forwarded to the manufacturer; it will contact you about the export licence.",
        listing_number=0,
    ),
    DemoInterest(
        name="purchase-declined",
        buyer="buyer-pl",
        kind=Kind.PURCHASE,
        state=Status.DECLINED,
        end_user="Land Forces Test Centre (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.EVALUATION,
        message="",
        reason=Reason.SURPLUS_UNAVAILABLE,
        comment="This batch was taken by an earlier request; the hub will tell you of the next one.",
        listing_number=1,
    ),
    DemoInterest(
        name="cooperation-submitted",
        buyer="buyer",
        kind=Kind.COOPERATION,
        state=Status.SUBMITTED,
        end_user="Federal Armed Forces Drone Command (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.TERRITORIAL_DEFENCE,
        message="Our partner company already builds civil survey drones at the proposed site.",
        product="ZH-4 Vartovyi",
        form=CooperationForm.LICENSED_PRODUCTION,
        cooperation={
            **BERLIN_COMPANY,
            "annual_volume": 1800,
            "duration_years": 5,
            "production_site": "Havelwerk plant 2, Brandenburg an der Havel",
            "technology_transfer_scope": "Airframe and gimbal drawings, assembly jigs, test procedures, "
            "and training of twelve technicians.",
        },
    ),
    DemoInterest(
        name="cooperation-under-review",
        buyer="buyer",
        kind=Kind.COOPERATION,
        state=Status.UNDER_REVIEW,
        end_user="Federal Armed Forces Drone Command (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.TRAINING,
        message="",
        product="SK-7 Zhalo",
        form=CooperationForm.LOCAL_ASSEMBLY,
        cooperation={
            **BERLIN_COMPANY,
            "annual_volume": 6000,
            "duration_years": 3,
            "production_site": "Havelwerk assembly hall, Potsdam",
            "technology_transfer_scope": "Assembly instructions, acceptance test procedures and the "
            "ground station software for acceptance flights.",
        },
    ),
    DemoInterest(
        name="cooperation-information-requested",
        buyer="buyer-pl",
        kind=Kind.COOPERATION,
        state=Status.INFORMATION_REQUESTED,
        end_user="Territorial Defence Forces (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.TERRITORIAL_DEFENCE,
        message="",
        reason=Reason.PARTNER_COMPANY,
        comment="Please describe the company's electronics production and its security clearance.",
        product="HR-M2 Merezha",
        form=CooperationForm.LICENSED_PRODUCTION,
        cooperation={
            **RZESZOW_COMPANY,
            "annual_volume": 6000,
            "duration_years": 7,
            "production_site": "Hall C, Mielec",
            "technology_transfer_scope": "Circuit board designs, housing moulds and production test "
            "equipment; the mesh firmware as delivered.",
        },
    ),
    DemoInterest(
        name="cooperation-accepted",
        buyer="buyer",
        kind=Kind.COOPERATION,
        state=Status.ACCEPTED,
        end_user="Federal Armed Forces Drone Command (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.EVALUATION,
        message="Trials would take place at the Baltic coast range.",
        comment="Forwarded to Stepovyk Aero, which proposes trials in the spring.",
        product="SV-30 Hornostai",
        form=CooperationForm.TRIALS_EVALUATION,
        cooperation={
            **BERLIN_COMPANY,
            "annual_volume": 12,
            "duration_years": 1,
            "production_site": "Range and hangar, Ueckermünde",
            "technology_transfer_scope": "None for the trials: evaluation reports only.",
        },
    ),
    DemoInterest(
        name="cooperation-declined",
        buyer="buyer-pl",
        kind=Kind.COOPERATION,
        state=Status.DECLINED,
        end_user="Land Forces Procurement Directorate (demo)",
        intended_use=ExpressionOfInterest.IntendedUse.AIR_DEFENCE,
        message="",
        reason=Reason.VOLUME_BELOW_MINIMUM,
        comment="The manufacturer licenses production from 300 systems a year; a purchase may suit.",
        product="KHV-20 Zavisa",
        form=CooperationForm.LICENSED_PRODUCTION,
        cooperation={
            **RZESZOW_COMPANY,
            "annual_volume": 120,
            "duration_years": 4,
            "production_site": "Plant 1, Rzeszów",
            "technology_transfer_scope": "Signal generation board designs and the threat library.",
        },
    ),
]
# The steps that bring a submitted EOI to each demo state (the workflow's own methods, by a reviewer).
STEPS_TO = {
    Status.SUBMITTED: [],
    Status.UNDER_REVIEW: ["start_review"],
    Status.INFORMATION_REQUESTED: ["start_review", "request_information"],
    Status.ACCEPTED: ["start_review", "accept"],
    Status.DECLINED: ["start_review", "decline"],
}
DEMO_PHONES = {"DE": "+49 30 5550 1999", "PL": "+48 17 555 0199"}
# Stable submission keys: a second run finds the first run's EOIs (submit_interest answers with them).
DEMO_KEY_NAMESPACE = uuid.UUID("5a0f4c1e-2b7d-4f3a-9c61-8e2d7b4a1f09")


class Command(BaseCommand):
    help = (
        "Create or reset the demo accounts (a hub coordinator, a catalogue editor, a superuser, and partner "
        "buyers of two approved organisations and of a suspended one) with fixed, published passwords, and "
        "print them; then the demo buyers' expressions of interest, purchases and proposals of cooperation "
        "in several states, made once. Development only: refuses to run with DEBUG off unless given --force. "
        "Load the fixtures first, so that the coordinator has a hub and the buyers something to ask for."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the passwords are public: never on a real deployment).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts whose passwords are public, so it runs only with DEBUG on "
                "(DJANGO_DEBUG=1). To run it anyway, on a server that holds nothing but demo data, add "
                "--force."
            )
        if not settings.DEBUG:
            self.stdout.write(
                self.style.WARNING("DEBUG is off: creating the demo accounts because of --force.")
            )

        with transaction.atomic():
            # The Berlin hub when there is one (it is the first to have opened), else the first by name.
            hubs = Hub.objects.order_by("-is_active", "name")
            hub = hubs.filter(city__iexact="Berlin").first() or hubs.first()
            staff_accounts = [COORDINATOR, *STAFF_ACCOUNTS] if hub else STAFF_ACCOUNTS
            accounts = [*staff_accounts, *BUYER_ACCOUNTS]
            rows, created_names, reset_names, users = [], [], [], {}
            for account in accounts:
                user, created = save_account(account)
                users[account.username] = user
                can = account.can
                if account is COORDINATOR:
                    # Exactly this hub, whatever an earlier run or someone in the admin linked.
                    user.coordinated_hubs.set([hub])
                    can = can.format(hub=hub.name)
                if account.organisation:
                    organisation = save_buyer(user, account)
                    can = can.format(organisation=organisation.name)
                rows.append((account.username, account.password, account.role, can))
                (created_names if created else reset_names).append(account.username)

        if created_names:
            self.stdout.write(f"Created: {', '.join(created_names)}")
        if reset_names:
            self.stdout.write(f"Reset to the demo settings and password: {', '.join(reset_names)}")
        self.stdout.write("\nDemo accounts (development only: these passwords are public)\n\n")
        self.stdout.write(table(("Username", "Password", "Role", "What they can do"), rows))
        self.stdout.write("")
        if hub is None:
            self.stdout.write(
                self.style.WARNING(
                    "No hub exists yet, so the hub coordinator account was not created. Load the "
                    "fixtures first (manage.py loaddata fixtures/catalogue.json fixtures/hubs.json), then "
                    "run seed_demo again."
                )
            )
        self.seed_interests(coordinator=users.get(COORDINATOR.username), admin=users[SUPERUSER.username])
        self.stdout.write(self.style.SUCCESS(f"Staff sign in at {SITE_URL}{reverse('admin:index')}"))
        self.stdout.write(self.style.SUCCESS(f"Buyers sign in at {SITE_URL}{reverse('login')}"))

    def seed_interests(self, *, coordinator, admin):
        """The demo EOIs, each submitted and moved to its state in one transaction, or found from a run
        before; then a table of them."""
        if not Product.objects.published().exists():
            self.stdout.write(
                self.style.WARNING(
                    "The catalogue is empty, so no demo expressions of interest were made. Load the "
                    "fixtures first (manage.py loaddata fixtures/catalogue.json fixtures/hubs.json), then "
                    "run seed_demo again."
                )
            )
            return
        rows, created, skipped = [], 0, []
        for demo in DEMO_INTERESTS:
            key = uuid.uuid5(DEMO_KEY_NAMESPACE, demo.name)
            interest = ExpressionOfInterest.objects.filter(idempotency_key=key).first()
            if interest is None:
                with transaction.atomic():
                    interest, problem = submit_demo_interest(demo, key)
                    if interest is None:
                        skipped.append(f"{demo.name}: {problem}")
                        continue
                    reviewer = reviewer_of(interest, coordinator=coordinator, admin=admin)
                    for step in STEPS_TO[demo.state]:
                        getattr(interest, step)(by=reviewer, **step_arguments(step, demo))
                created += 1
            rows.append(interest_row(interest))
        earlier = len(rows) - created
        self.stdout.write(
            f"\nDemo expressions of interest ({created} made now, {earlier} from an earlier run)\n\n"
        )
        self.stdout.write(table(("Reference", "Kind", "Buyer", "Product", "Hubs", "State"), rows))
        for problem in skipped:
            self.stdout.write(self.style.WARNING(f"Not made: {problem}"))
        self.stdout.write("")


def submit_demo_interest(demo: DemoInterest, key: uuid.UUID):
    """Submit a demo EOI through the site's own functions; returns (interest, "") or (None, why not)."""
    buyer = Buyer.objects.select_related("user", "organisation").get(user__username=demo.buyer)
    organisation = buyer.organisation
    details = {
        "end_user": demo.end_user,
        "intended_use": demo.intended_use,
        "intended_use_other": "",
        "delivery_country": organisation.country,
        "end_user_certificate": ExpressionOfInterest.CertificateStatus.IN_PREPARATION,
        "financing": ExpressionOfInterest.Financing.NATIONAL_BUDGET,
        "financing_other": "",
        "contact_name": buyer.user.get_full_name(),
        "contact_phone": DEMO_PHONES[organisation.country.code],
        "message": demo.message,
        "declaration_accepted": True,
    }
    if demo.kind == Kind.PURCHASE:
        # The listings at the hubs of the buyer's own country, which its demo coordinator may review.
        listings = (
            eligible_listings(organisation)
            .filter(hub__in=organisation.hubs.all())
            .select_related("product", "hub")
            .order_by("product__name", "hub__name", "pk")
        )
        listing = listings[demo.listing_number : demo.listing_number + 1].first()
        if listing is None:
            return None, (
                f"no listing {demo.buyer} may ask for at the hubs of {organisation.country.name} (after "
                "loaddata, run manage.py rebuild_catalogue_index, which makes the listings' destinations)"
            )
        today = timezone.localdate()
        line = {
            "listing": listing,
            "quantity": max(1, listing.quantity_available // demo.quantity_share),
            "delivery_from": today + datetime.timedelta(days=60),
            "delivery_until": today + datetime.timedelta(days=150),
        }
        interest, _created = submit_interest(
            buyer=buyer, organisation=organisation, details=details, lines=[line], idempotency_key=key
        )
        return interest, ""
    product = cooperable_products(organisation).filter(name=demo.product).first()
    offer = product.cooperation_offers.filter(form=demo.form).first() if product else None
    if offer is None:
        return (
            None,
            f"{demo.product} is not in the catalogue or not open to {CooperationForm(demo.form).label}",
        )
    hubs = cooperation_hubs(product, organisation)
    if not hubs:
        return None, f"no hub reviews proposals of cooperation on {demo.product}"
    interest, _created = submit_cooperation(
        buyer=buyer,
        organisation=organisation,
        details=details,
        offer=offer,
        cooperation=demo.cooperation,
        hubs=hubs,
        idempotency_key=key,
    )
    return interest, ""


def reviewer_of(interest, *, coordinator, admin):
    """The demo coordinator when every line is at its hub, else the superuser (who decides every hub's)."""
    if coordinator is not None and not interest.lines.exclude(hub__coordinators=coordinator).exists():
        return coordinator
    return admin


def step_arguments(step: str, demo: DemoInterest) -> dict:
    if step == "request_information" or step == "decline":
        return {"reason": demo.reason, "comment": demo.comment}
    if step == "accept":
        return {"comment": demo.comment}
    return {}


def interest_row(interest) -> tuple:
    lines = list(interest.lines.select_related("product", "hub").order_by("hub__name"))
    products = sorted({line.product.name for line in lines})
    return (
        interest.reference,
        interest.get_kind_display(),
        interest.submitted_by.username,
        ", ".join(products),
        ", ".join(line.hub.city for line in lines),
        interest.get_status_display(),
    )


def save_account(account: DemoAccount):
    """Create the account, or put an existing one back as the demo describes it (password included)."""
    User = get_user_model()
    group = None
    if account.group:
        try:
            group = Group.objects.get(name=account.group)
        except Group.DoesNotExist:
            raise CommandError(
                f"The group {account.group!r} does not exist; run `manage.py migrate` first."
            ) from None
    user, created = User.objects.get_or_create(username=account.username)
    user.email = account.email
    user.first_name = account.first_name
    user.last_name = account.last_name
    user.is_active = True
    user.is_staff = account.organisation is None
    user.is_superuser = account.is_superuser
    try:
        validate_password(account.password, user)
    except ValidationError as error:
        raise CommandError(
            f"The demo password of {account.username!r} no longer passes the password validators: "
            f"{' '.join(error.messages)} Change it in {__name__}."
        ) from None
    user.set_password(account.password)
    user.save()
    user.groups.set([group] if group else [])
    return user, created


def save_buyer(user, account: DemoAccount) -> PartnerOrganisation:
    """The buyer's organisation as the demo describes it (status and hubs included), and the buyer in it."""
    demo = account.organisation
    organisation, _created = PartnerOrganisation.objects.named(demo.name, demo.country).get_or_create(
        defaults={"name": demo.name, "country": demo.country, "kind": demo.kind}
    )
    organisation.kind = demo.kind
    organisation.save(update_fields=["kind"])
    if organisation.vetting_status != demo.vetting_status:
        organisation.set_vetting_status(demo.vetting_status)
    organisation.hubs.set(Hub.objects.active().filter(country=demo.country))
    Buyer.objects.update_or_create(
        user=user, defaults={"organisation": organisation, "job_title": "Procurement officer"}
    )
    return organisation


def table(headers, rows) -> str:
    widths = [max(len(str(row[column])) for row in [headers, *rows]) for column in range(len(headers))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, ["-" * width for width in widths], *rows]
    ]
    return "\n".join(lines)
