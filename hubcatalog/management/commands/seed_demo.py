"""Create (or reset) the demo accounts, one per role, with fixed passwords that anyone can read here.

For development and demonstrations only: with DEBUG off the command refuses to run unless told --force.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from hubs.models import Hub
from partners.models import Buyer, PartnerOrganisation

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


class Command(BaseCommand):
    help = (
        "Create or reset the demo accounts (a hub coordinator, a catalogue editor, a superuser, and partner "
        "buyers of two approved organisations and of a suspended one) with fixed, published passwords, and "
        "print them. Development only: refuses to run with DEBUG off "
        "unless given --force. Load the fixtures first so that the coordinator has a hub."
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
            rows, created_names, reset_names = [], [], []
            for account in accounts:
                user, created = save_account(account)
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
        self.stdout.write(self.style.SUCCESS(f"Staff sign in at {SITE_URL}{reverse('admin:index')}"))
        self.stdout.write(self.style.SUCCESS(f"Buyers sign in at {SITE_URL}{reverse('login')}"))


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
