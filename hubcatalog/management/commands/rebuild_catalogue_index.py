"""Recompute the catalogue's derived data from its source rows, after writes that bypass save()."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from hubs.models import Listing, ListingDestination
from products.caching import bump_catalogue_version
from products.models import Product, SearchTerm


class Command(BaseCommand):
    help = (
        "Recompute the catalogue's derived data: every product's full-text search index (PostgreSQL's "
        "search vectors, SQLite's FTS5 table), the vocabulary that typos are corrected against, and the "
        "listings' destination index. Run it after loaddata, bulk imports or queryset.update(), which "
        "bypass the models' save(); it is safe to run at any time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be rebuilt; change nothing."
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to work on (default: %(default)s)."
        )

    def handle(self, *args, dry_run=False, database=DEFAULT_DB_ALIAS, **options):
        products = Product.objects.using(database)
        listings = Listing.objects.using(database)
        if dry_run:
            self.stdout.write(
                f"Would rebuild the search data of {products.count()} products and the destination index "
                f"of {listings.count()} listings."
            )
            return
        with transaction.atomic(using=database):
            # Afresh, so that words no product has any more leave the vocabulary.
            SearchTerm.objects.using(database).delete()
            products.refresh_search_index()
            destinations = ListingDestination.objects.using(database).rebuild()
            # Bulk writes send no signals: cached pages of the catalogue are refreshed here.
            bump_catalogue_version(database)
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the search data of {products.count()} products "
                f"({SearchTerm.objects.using(database).count()} words in the vocabulary) and "
                f"{destinations} listing destinations."
            )
        )
