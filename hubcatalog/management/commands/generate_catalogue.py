"""Fill a migrated database with realistic synthetic data at scale, for measuring and for demonstrations.

    manage.py generate_catalogue --products 100000

--products is the number of generated, published products the database should hold: the command adds only
what is missing (10,000 then 100,000 adds 90,000; the same number again adds nothing). Product number i is
the same for a given seed whether it was made in one run or in several. The vocabulary and the row builders
are in hubcatalog/synthetic.py.

Rows are written with bulk_create, a chunk of products (with their specifications, pictures and listings) per
transaction, so that memory stays flat and an interrupted run keeps what it finished. bulk_create bypasses
save(), so the products' search data is rebuilt once at the end (rebuild_catalogue_index).
"""

import argparse
import hashlib
import io
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from hubcatalog import synthetic
from hubs.models import Hub, Listing
from interests.models import Embargo, ExpressionOfInterest, InterestLine, StatusChange
from partners.models import Buyer, PartnerOrganisation
from products.models import Category, Manufacturer, Product, ProductImage, SpecAttribute, SpecValue

HUB_COORDINATORS = "Hub coordinators"  # the group made by hubs/migrations/0002_staff_groups.py
CHUNK = 2000  # products per transaction and per step of the progress bar
INTEREST_CHUNK = 500
# Rows per INSERT on PostgreSQL (SQLite's backend lowers it to stay within its 999 parameters).
BATCH = {Product: 1000, SpecValue: 5000, ProductImage: 2000, Listing: 2000}
MAX_PRODUCTS = 5_000_000
OPEN_FOR_INTEREST = [Listing.Availability.AVAILABLE, Listing.Availability.RESERVED]


def product_count(value: str) -> int:
    """argparse type of --products: a clear message instead of a traceback for a bad value."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of products, not {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"the number of products cannot be negative (got {number})")
    if number > MAX_PRODUCTS:
        raise argparse.ArgumentTypeError(f"at most {MAX_PRODUCTS:,} products (got {number:,})")
    return number


class ProgressBar:
    """A bar redrawn in place on a terminal; on anything else (a log, CI) one line per tenth."""

    WIDTH = 32

    def __init__(self, stdout, label: str, total: int, *, enabled: bool):
        self.stdout, self.label, self.total = stdout, label, total
        self.enabled = enabled and total > 0
        self.tty = stdout.isatty()
        self.started = time.monotonic()
        self.tenths_shown = -1

    def update(self, done: int):
        if not self.enabled:
            return
        fraction = done / self.total
        elapsed = time.monotonic() - self.started
        if self.tty:
            filled = round(self.WIDTH * fraction)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stdout.write(
                f"\r{self.label} [{bar}] {fraction:4.0%} {done:,}/{self.total:,} {elapsed:.0f} s",
                ending="\n" if done >= self.total else "",
            )
            self.stdout.flush()
        elif int(fraction * 10) > self.tenths_shown:
            self.tenths_shown = int(fraction * 10)
            self.stdout.write(
                f"{self.label}: {self.tenths_shown * 10}% ({done:,}/{self.total:,}, {elapsed:.0f} s)"
            )


@dataclass
class Plan:
    """What the database lacks to hold the number of products asked for."""

    has_tree: bool
    published_before: int
    last_number: int  # of the generated products there are (0: none)
    products: list[tuple[int, str]]  # (number, status) of each product to make
    organisations: list[int]  # the numbers of the partner organisations to make
    interests: range  # the numbers of the EOIs to make


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic data at scale: products in every category with full specifications "
        "and a picture, manufacturers, hubs, listings, partner organisations with buyers, and expressions of "
        "interest in every state with their history. --products N is the number of generated published "
        "products wanted in total; only what is missing is added. Deterministic for a given --seed. The demo "
        "accounts and their organisations are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--products",
            type=product_count,
            required=True,
            metavar="N",
            help="How many generated, published products the database should hold in the end.",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Seed of the generated data (default: %(default)s)."
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what would be added; write nothing.")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to fill (default: %(default)s)."
        )
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="No progress bar (the summary is still printed; -v 0 for none).",
        )

    def handle(self, *args, products, seed, dry_run=False, database=DEFAULT_DB_ALIAS, quiet=False, **options):
        self.db, self.seed, self.now = database, seed, timezone.now()
        self.talk = options.get("verbosity", 1) >= 1
        self.show_progress = self.talk and not quiet
        started = time.monotonic()
        problems = synthetic.check_paths()
        if problems:
            raise CommandError(f"The EOI walks no longer fit the review workflow: {'; '.join(problems)}.")

        plan = self.plan(products)
        if dry_run:
            self.report_plan(plan)
            self.say(self.style.WARNING("Dry run: nothing written."))
            return
        if not (plan.products or plan.organisations or plan.interests):
            self.say(
                f"The database already holds {plan.published_before:,} generated published products "
                f"(wanted: {products:,}); nothing to add."
            )
            self.say(f"Digest of the generated products: {self.digest()}")
            return

        with transaction.atomic(using=self.db):
            if not plan.has_tree:
                self.create_starter_tree()
            vocabulary = self.vocabulary(plan.products[-1][0] if plan.products else plan.last_number)
            self.coordinators = self.ensure_coordinators(vocabulary.hubs)
        added = self.write_products(plan.products, vocabulary)
        self.analyze("products_product", "hubs_listing")  # which the EOIs' lookups read
        organisations = self.write_organisations(plan.organisations)
        interests = self.write_interests(plan.interests)
        if plan.products:
            # Once, after the bulk writes: the search index and the destination index are derived data
            # that bulk_create does not maintain.
            call_command(
                "rebuild_catalogue_index",
                database=self.db,
                stdout=self.stdout if self.talk else io.StringIO(),
            )
        self.analyze(vacuum=True)

        seconds = time.monotonic() - started
        self.say(
            self.style.SUCCESS(
                f"Added {added['products']:,} products ({added['published']:,} published) with "
                f"{added['spec_values']:,} specification values, {added['images']:,} pictures and "
                f"{added['listings']:,} listings; {organisations['organisations']:,} partner "
                f"organisations with {organisations['buyers']:,} buyers; {interests['interests']:,} "
                f"expressions of interest with {interests['lines']:,} lines and {interests['history']:,} "
                f"history rows; in {seconds:.1f} s."
            )
        )
        published = self.generated_products().filter(status=Product.Status.PUBLISHED).count()
        self.say(
            f"The database holds {published:,} generated published products, {len(vocabulary.hubs)} active "
            f"hubs and {len(vocabulary.manufacturer_ids):,} generated manufacturers."
        )
        self.say(f"Digest of the generated products: {self.digest()}")

    def say(self, message: str):
        if self.talk:
            self.stdout.write(message)

    # --- What is there, and what is missing ---------------------------------------------------------------
    def generated_products(self):
        return Product.objects.using(self.db).filter(slug__regex=synthetic.PRODUCT_SLUG_REGEX)

    def plan(self, products: int) -> Plan:
        generated = self.generated_products()
        published_before = generated.filter(status=Product.Status.PUBLISHED).count()
        last_slug = generated.order_by("-slug").values_list("slug", flat=True).first()
        last_number = synthetic.product_number(last_slug) if last_slug else 0
        categories = Category.objects.using(self.db)
        has_tree = categories.exists()
        if has_tree:
            parents = categories.exclude(parent=None).values("parent_id")
            leaf_count = categories.exclude(pk__in=parents).count()
        else:
            parents = {row[2] for row in synthetic.STARTER_TREE}
            leaf_count = sum(row[0] not in parents for row in synthetic.STARTER_TREE)
        to_make = synthetic.plan_products(
            self.seed,
            after=last_number,
            published_wanted=max(0, products - published_before),
            always_published=leaf_count,
        )
        if to_make and to_make[-1][0] > synthetic.MAX_PRODUCT_NUMBER:
            raise CommandError("The product numbers would outgrow the slugs' seven digits.")

        names = PartnerOrganisation.objects.using(self.db).filter(name__contains="(synthetic #")
        organisations = {synthetic.organisation_number(name) for name in names.values_list("name", flat=True)}
        references = ExpressionOfInterest.objects.using(self.db).filter(
            reference__regex=synthetic.EOI_REFERENCE_REGEX
        )
        interests = {
            synthetic.eoi_number(reference) for reference in references.values_list("reference", flat=True)
        }
        return Plan(
            has_tree=has_tree,
            published_before=published_before,
            last_number=last_number,
            products=to_make,
            organisations=[
                number
                for number in range(1, synthetic.organisations_needed(products) + 1)
                if number not in organisations
            ],
            # Numbered on from the last, so that a skipped number is not retried for ever.
            interests=range(max(interests, default=0) + 1, synthetic.interests_needed(products) + 1),
        )

    def report_plan(self, plan: Plan):
        if not plan.has_tree:
            self.say("Would create the starter category tree (the database has no categories).")
        if plan.products:
            published = sum(status == Product.Status.PUBLISHED for _number, status in plan.products)
            self.say(
                f"Would add {len(plan.products):,} products, numbers {plan.products[0][0]:,} to "
                f"{plan.products[-1][0]:,} ({published:,} published, with about two listings each), to the "
                f"{plan.published_before:,} generated published products there are."
            )
        else:
            self.say(f"No products to add: there are {plan.published_before:,} generated published products.")
        hubs = Hub.objects.using(self.db)
        new_hubs = [
            record.slug
            for record in synthetic.GENERATED_HUBS
            if not (hubs.filter(slug=record.slug).exists() or hubs.filter(name=record.name).exists())
        ]
        self.say(
            f"Would add {len(new_hubs)} hubs, the manufacturers missing (one per "
            f"{synthetic.PRODUCTS_PER_MANUFACTURER} products, at least {synthetic.MIN_MANUFACTURERS}), "
            f"{len(plan.organisations)} partner organisations and {len(plan.interests)} expressions of "
            "interest."
        )

    def digest(self) -> str:
        """A fingerprint of the generated products (slug, name, category, manufacturer, status, NSN), so that
        two databases made with the same seed can be compared without reading them side by side."""
        rows = (
            self.generated_products()
            .order_by("slug")
            .values_list(
                "slug", "name", "category__slug", "manufacturer__slug", "status", "nato_stock_number"
            )
        )
        digest = hashlib.sha256()
        for row in rows.iterator(chunk_size=5000):
            digest.update(("|".join(row) + "\n").encode())
        return digest.hexdigest()[:16]

    # --- Vocabulary: categories, hubs, manufacturers, coordinators ---------------------------------------
    def create_starter_tree(self):
        created = {}
        for slug, name, parent, position, attributes in synthetic.STARTER_TREE:
            category = Category.objects.using(self.db).create(
                slug=slug, name=name, parent=created.get(parent), position=position
            )
            created[slug] = category
            for index, row in enumerate(attributes, start=1):
                attribute_slug, attribute_name, unit, value_type, direction, required, filterable, choices = (
                    row
                )
                SpecAttribute.objects.using(self.db).create(
                    category=category,
                    slug=attribute_slug,
                    name=attribute_name,
                    unit=unit,
                    value_type=value_type,
                    direction=direction,
                    is_required=required,
                    is_filterable=filterable,
                    choices=choices,
                    position=index * 10,
                )
        self.say(f"Created the starter category tree ({len(created)} categories).")

    def vocabulary(self, last_number: int) -> synthetic.Vocabulary:
        categories = {category.pk: category for category in Category.objects.using(self.db).all()}
        attributes = defaultdict(list)
        for attribute in SpecAttribute.objects.using(self.db).order_by("position", "name", "pk"):
            attributes[attribute.category_id].append(attribute)
        parent_ids = {category.parent_id for category in categories.values()}
        leaves = []
        for category in categories.values():
            if category.pk in parent_ids:
                continue
            lineage = [category]
            while lineage[-1].parent_id and len(lineage) < 6:
                lineage.append(categories[lineage[-1].parent_id])
            leaves.append(
                synthetic.LeafCategory(
                    category=category,
                    top_level=lineage[-1],
                    lineage_slugs=[node.slug for node in lineage],
                    attributes=[attribute for node in reversed(lineage) for attribute in attributes[node.pk]],
                    weight=synthetic.CATEGORY_WEIGHTS.get(category.slug, 1.0),
                )
            )
        leaves.sort(key=lambda leaf: leaf.category.slug)
        top_levels = defaultdict(float)
        for leaf in leaves:
            top_levels[leaf.top_level.slug] += leaf.weight
        specialties = synthetic.manufacturer_specialties(
            synthetic.manufacturers_needed(last_number, len(top_levels)), top_levels
        )
        records = synthetic.manufacturer_records(specialties)
        manufacturers = self.ensure_manufacturers(records)
        specialists = defaultdict(list)
        for record in records:
            specialists[record.specialty].append(record.number)
        embargoed = set(Embargo.objects.using(self.db).in_force().values_list("country", flat=True))
        return synthetic.Vocabulary(
            leaves=leaves,
            top_level_slugs=sorted(top_levels),
            specialists=dict(specialists),
            manufacturer_ids={record.number: manufacturers[record.slug].pk for record in records},
            manufacturer_names={record.number: manufacturers[record.slug].name for record in records},
            hubs=self.ensure_hubs(),
            countries=[c for c in synthetic.PARTNER_COUNTRIES if c not in embargoed | synthetic.EMBARGOED],
            now=self.now,
        )

    def ensure_manufacturers(self, records) -> dict[str, Manufacturer]:
        """The manufacturers of the records, by the records' slugs, made where missing. One of the same name
        made by hand (the name is unique) is taken as it is."""
        manufacturers = Manufacturer.objects.using(self.db)
        existing = manufacturers.in_bulk([record.slug for record in records], field_name="slug")
        by_name = manufacturers.in_bulk([record.name for record in records], field_name="name")
        found = {
            record.slug: existing.get(record.slug) or by_name[record.name]
            for record in records
            if record.slug in existing or record.name in by_name
        }
        missing = [
            Manufacturer(
                name=record.name,
                slug=record.slug,
                city=record.city,
                description=record.description,
                website=f"https://{record.slug}.example/",
                is_verified=record.is_verified,
            )
            for record in records
            if record.slug not in found
        ]
        manufacturers.bulk_create(missing, batch_size=1000)
        return {**found, **{manufacturer.slug: manufacturer for manufacturer in missing}}

    def ensure_hubs(self) -> list[Hub]:
        hubs = Hub.objects.using(self.db)
        for record in synthetic.GENERATED_HUBS:
            if hubs.filter(slug=record.slug).exists() or hubs.filter(name=record.name).exists():
                continue
            hubs.create(
                slug=record.slug,
                name=record.name,
                country=record.country,
                city=record.city,
                address=record.address,
                latitude=Decimal(record.latitude),
                longitude=Decimal(record.longitude),
                description=f"Serves partners in and around {record.city}. (Synthetic data.)",
                contact_name="",
                contact_email=f"{record.slug}@export-hubs.example",
                contact_phone="",
                is_active=True,
                opened_on=record.opened_on,
            )
        return list(hubs.active().order_by("slug"))

    def ensure_coordinators(self, hubs: list[Hub]) -> dict[int, object]:
        """A generated coordinator for every active hub, the actor of staff steps in the EOIs' history (the
        demo coordinator is never used)."""
        User = get_user_model()
        group = Group.objects.using(self.db).filter(name=HUB_COORDINATORS).first()
        coordinators = {}
        for hub in hubs:
            username = f"{synthetic.USERNAME_PREFIX}coordinator-{hub.slug}"[:150]
            user, created = User.objects.using(self.db).get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@export-hubs.example",
                    "first_name": "Generated",
                    "last_name": f"Coordinator ({hub.city})",
                    "is_staff": True,
                    "password": make_password(None),
                },
            )
            if created and group:
                user.groups.add(group)
            hub.coordinators.add(user)
            coordinators[hub.pk] = user
        return coordinators

    # --- Products -----------------------------------------------------------------------------------------
    def shared_pictures(self, vocabulary) -> dict[int, ProductImage]:
        """The picture already drawn for each top-level category, by the category's key."""
        top_levels = {leaf.top_level.pk: leaf.top_level for leaf in vocabulary.leaves}
        alt_texts = {synthetic.picture_alt_text(category): pk for pk, category in top_levels.items()}
        pictures = {}
        found = (
            ProductImage.objects.using(self.db)
            .filter(alt_text__in=alt_texts, product__slug__regex=synthetic.PRODUCT_SLUG_REGEX)
            .order_by("pk")
        )
        for image in found.iterator():
            pictures.setdefault(alt_texts[image.alt_text], image)
        return pictures

    def write_products(self, plan, vocabulary) -> dict[str, int]:
        counts = dict.fromkeys(["products", "published", "spec_values", "images", "listings"], 0)
        progress = ProgressBar(self.stdout, "Products", len(plan), enabled=self.show_progress)
        progress.update(0)
        pictures = self.shared_pictures(vocabulary)
        unchecked = {leaf.category.pk for leaf in vocabulary.leaves}
        existing_nsns = set(
            Product.objects.using(self.db)
            .exclude(nato_stock_number="")
            .values_list("nato_stock_number", flat=True)
        )
        for start in range(0, len(plan), CHUNK):
            batch = [
                synthetic.build_product(self.seed, number, status, vocabulary)
                for number, status in plan[start : start + CHUNK]
            ]
            for item in batch:
                # A hand-made product may already hold the number (unlikely): leave the generated one without.
                if item.product.nato_stock_number in existing_nsns:
                    item.product.nato_stock_number = ""
            with transaction.atomic(using=self.db):
                self.insert_products(batch, pictures, counts)
                # Once per category and run, the first product goes through the models' own rules.
                for item in batch:
                    if item.leaf.category.pk in unchecked:
                        unchecked.discard(item.leaf.category.pk)
                        self.check_sample(item)
            counts["products"] += len(batch)
            counts["published"] += sum(item.product.status == Product.Status.PUBLISHED for item in batch)
            progress.update(counts["products"])
            self.forget_queries()
        return counts

    def analyze(self, *tables: str, vacuum: bool = False):
        """Refresh the planner's statistics of these tables (all when none is named), so that the catalogue
        is fast as soon as the command ends. PostgreSQL: until autovacuum catches up its statistics
        describe the tables as they were before the bulk load (the planner then plans nested loops over
        every listing), and, with `vacuum`, its visibility map is empty, so the catalogue's index-only scans
        would read the table for every row. VACUUM cannot run inside a transaction (a test's): there only
        ANALYZE runs. SQLite keeps no statistics unless asked to (ANALYZE)."""
        connection = connections[self.db]
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.execute("ANALYZE")
                return
            command = "VACUUM (ANALYZE)" if vacuum and not connection.in_atomic_block else "ANALYZE"
            cursor.execute(f"{command} {', '.join(connection.ops.quote_name(table) for table in tables)}")

    def forget_queries(self):
        """With DEBUG on, Django keeps the text of the last 9,000 queries, and a bulk INSERT's text holds
        thousands of values: forgetting them after each chunk keeps memory flat. Not while something is
        recording queries on purpose (a test's CaptureQueriesContext forces the debug cursor)."""
        connection = connections[self.db]
        if settings.DEBUG and not connection.force_debug_cursor:
            connection.queries_log.clear()

    def insert_products(self, batch, pictures, counts):
        products = Product.objects.using(self.db).bulk_create(
            [item.product for item in batch], batch_size=BATCH[Product]
        )
        if any(product.pk is None for product in products):  # a database that returns no keys from INSERT
            keys = dict(
                Product.objects.using(self.db)
                .filter(slug__in=[p.slug for p in products])
                .values_list("slug", "pk")
            )
            for product in products:
                product.pk = keys[product.slug]
        spec_values, images, listings = [], [], []
        for item in batch:
            product_id = item.product.pk
            for value in item.spec_values:
                value.product_id = product_id
            spec_values += item.spec_values
            for listing in item.listings:
                listing.product_id = product_id
            listings += item.listings
            top_level = item.leaf.top_level
            picture = pictures.get(top_level.pk)
            if picture is None:
                # The first product of a top-level category gets a drawn picture through ProductImage.save(),
                # which makes its renditions; every later product shares the stored files.
                pictures[top_level.pk] = ProductImage(
                    product=item.product,
                    image=ContentFile(
                        synthetic.draw_category_picture(top_level), name=f"{top_level.slug}.jpg"
                    ),
                    alt_text=synthetic.picture_alt_text(top_level),
                )
                pictures[top_level.pk].save(using=self.db)
                counts["images"] += 1
            else:
                images.append(
                    ProductImage(
                        product_id=product_id,
                        image=picture.image.name,
                        thumbnail=picture.thumbnail.name,
                        large=picture.large.name,
                        width=picture.width,
                        height=picture.height,
                        alt_text=picture.alt_text,
                        position=0,
                    )
                )
        SpecValue.objects.using(self.db).bulk_create(spec_values, batch_size=BATCH[SpecValue])
        ProductImage.objects.using(self.db).bulk_create(images, batch_size=BATCH[ProductImage])
        Listing.objects.using(self.db).bulk_create(listings, batch_size=BATCH[Listing])
        counts["spec_values"] += len(spec_values)
        counts["images"] += len(images)
        counts["listings"] += len(listings)

    def check_sample(self, item):
        """Run one generated product, its values and listings through the models' validation and the
        publication rules; a failure (say, a category whose schema the vocabulary cannot fill) stops the
        run before its chunk is committed."""
        product = item.product
        try:
            product.full_clean()
            for value in item.spec_values:
                value.full_clean()
            for listing in item.listings:
                listing.full_clean()
        except ValidationError as error:
            raise CommandError(
                f"Generated product {product.slug} breaks the models' rules: {error}"
            ) from None
        problems = product.publication_problems()
        if problems:
            raise CommandError(
                f"Generated product {product.slug} could not be published: {'; '.join(map(str, problems))}."
            )

    # --- Partner organisations and buyers -----------------------------------------------------------------
    def write_organisations(self, numbers: list[int]) -> dict[str, int]:
        if not numbers:
            return {"organisations": 0, "buyers": 0}
        User = get_user_model()
        records = [synthetic.organisation_record(number) for number in numbers]
        hubs = list(Hub.objects.using(self.db).active())
        with transaction.atomic(using=self.db):
            organisations = PartnerOrganisation.objects.using(self.db).bulk_create(
                [
                    PartnerOrganisation(
                        name=record.name,
                        country=record.country,
                        kind=record.kind,
                        vetting_status=record.vetting_status,
                        vetting_changed_at=None if record.vetting_status == "pending" else self.now,
                        notes="Synthetic data (generate_catalogue).",
                    )
                    for record in records
                ]
            )
            # An organisation works with the hubs of its country and those whose region it is in.
            Through = PartnerOrganisation.hubs.through
            Through.objects.using(self.db).bulk_create(
                [
                    Through(partnerorganisation_id=organisation.pk, hub_id=hub.pk)
                    for organisation in organisations
                    for hub in hubs
                    if organisation.country.code == hub.country.code
                    or organisation.country.code in synthetic.REGIONS.get(hub.country.code, [])
                ]
            )
            taken = set(
                User.objects.using(self.db)
                .filter(username__startswith=f"{synthetic.USERNAME_PREFIX}buyer-")
                .values_list("username", flat=True)
            )
            pairs = [
                (organisation, buyer)
                for organisation, record in zip(organisations, records, strict=True)
                for buyer in record.buyers
                if buyer.username not in taken
            ]
            unusable = make_password(None)  # buyers of synthetic organisations cannot sign in
            users = User.objects.using(self.db).bulk_create(
                [
                    User(
                        username=buyer.username,
                        first_name=buyer.first_name,
                        last_name=buyer.last_name,
                        email=f"{buyer.username}@partners.example",
                        password=unusable,
                    )
                    for _organisation, buyer in pairs
                ]
            )
            Buyer.objects.using(self.db).bulk_create(
                [
                    Buyer(user=user, organisation=organisation, job_title=buyer.job_title)
                    for user, (organisation, buyer) in zip(users, pairs, strict=True)
                ]
            )
        return {"organisations": len(organisations), "buyers": len(users)}

    # --- Expressions of interest --------------------------------------------------------------------------
    def write_interests(self, numbers: range) -> dict[str, int]:
        counts = {"interests": 0, "lines": 0, "history": 0, "skipped": 0}
        if not numbers:
            return counts
        partners = defaultdict(list)  # organisation number → its buyers' users
        organisations = {}
        approved = (
            Buyer.objects.using(self.db)
            .filter(
                organisation__name__contains="(synthetic #",
                organisation__vetting_status=PartnerOrganisation.VettingStatus.APPROVED,
            )
            .select_related("user", "organisation")
            .order_by("user__username")
        )
        self.hubs = Hub.objects.using(self.db).in_bulk()
        for buyer in approved:
            number = synthetic.organisation_number(buyer.organisation.name)
            organisations[number] = buyer.organisation
            partners[number].append(buyer.user)
        progress = ProgressBar(
            self.stdout, "Expressions of interest", len(numbers), enabled=self.show_progress
        )
        progress.update(0)
        for start in range(0, len(numbers), INTEREST_CHUNK):
            generated = []
            for number in numbers[start : start + INTEREST_CHUNK]:
                item = self.build_interest(number, organisations, partners)
                if item is None:
                    counts["skipped"] += 1
                else:
                    generated.append(item)
            with transaction.atomic(using=self.db):
                ExpressionOfInterest.objects.using(self.db).bulk_create([item.interest for item in generated])
                lines = [line for item in generated for line in item.lines]
                history = [change for item in generated for change in item.history]
                for row in [*lines, *history]:
                    row.interest_id = row.interest.pk
                InterestLine.objects.using(self.db).bulk_create(lines, batch_size=2000)
                StatusChange.objects.using(self.db).bulk_create(history, batch_size=2000)
            counts["interests"] += len(generated)
            counts["lines"] += len(lines)
            counts["history"] += len(history)
            progress.update(min(len(numbers), start + INTEREST_CHUNK))
            self.forget_queries()
        if counts["skipped"]:
            self.say(
                f"{counts['skipped']} expressions of interest found no listing offered to their partner."
            )
        return counts

    def build_interest(self, number, organisations, partners):
        rng = synthetic.rng_for(self.seed, "interest", number)
        # The partners that exist once the catalogue is fifty times this EOI's number, so that EOI number e
        # does not depend on how large the catalogue later grows.
        pool = sorted(
            n
            for n in organisations
            if n <= synthetic.organisations_needed(number * synthetic.PRODUCTS_PER_INTEREST)
        )
        if not pool:
            return None
        first = rng.randrange(len(pool))
        anchor = rng.randint(1, number * synthetic.PRODUCTS_PER_INTEREST)
        for organisation_number in pool[first:] + pool[:first]:
            organisation = organisations[organisation_number]
            listings = self.listings_near(anchor, organisation.country.code)
            if listings:
                break
        else:
            return None
        chosen = rng.sample(listings, min(len(listings), rng.randint(1, 3)))
        return synthetic.build_interest(
            self.seed,
            number,
            rng,
            organisation=organisation,
            buyer_user=rng.choice(partners[organisation_number]),
            staff_user=self.coordinators.get(chosen[0].hub_id) or self.any_coordinator(),
            listings=chosen,
            now=self.now,
            review_days=settings.EOI_REVIEW_DAYS,
        )

    def any_coordinator(self):
        return next(iter(self.coordinators.values()))

    def listings_near(self, anchor: int, country: str) -> list[Listing]:
        """Up to six open listings offered to the country, of the generated published products numbered from
        `anchor` on (from the first if none is), in a stable order."""
        # Each query is a lookup of one index (the product's slug, the listing's product) and the rest is
        # sorted out here: a condition on the status or a regular expression leads SQLite to scan every
        # product, and a join can lead PostgreSQL to scan every listing.
        products = Product.objects.using(self.db).filter(slug__lt=synthetic.PRODUCT_SLUG_AFTER_LAST)
        for lowest in (synthetic.product_slug(anchor, ""), synthetic.product_slug(1, "")):
            rows = products.filter(slug__gte=lowest).order_by("slug").values_list("pk", "status")[:40]
            order = {
                key: index for index, (key, status) in enumerate(rows) if status == Product.Status.PUBLISHED
            }
            # The destination index behind offered_to() is rebuilt only at the end of the run, so the
            # comma-separated codes themselves are matched (two letters can only match a whole code).
            found = list(
                Listing.objects.using(self.db)
                .filter(
                    product_id__in=order,
                    availability__in=OPEN_FOR_INTEREST,
                    destination_countries__contains=country,
                )
                .order_by()
            )
            for listing in found:
                listing.hub = self.hubs[listing.hub_id]
            found.sort(key=lambda listing: (order[listing.product_id], listing.hub.slug))
            if found:
                return found[:6]
        return []
