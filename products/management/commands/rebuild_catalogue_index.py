"""Recompute every product's stored search data, after writes that bypass Product.save()."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, transaction

from products.models import Product, stores_search_vector


class Command(BaseCommand):
    help = (
        "Recompute the full-text search vector of every product, in one UPDATE. Run it after loaddata, "
        "bulk imports or queryset.update() on products, which bypass Product.save(). On PostgreSQL only: "
        "SQLite stores no search data and has nothing to rebuild."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how many products would be reindexed; change nothing."
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database to work on (default: %(default)s)."
        )

    def handle(self, *args, dry_run=False, database=DEFAULT_DB_ALIAS, **options):
        if not stores_search_vector(database):
            self.stdout.write("Nothing to rebuild: this database stores no search data (it searches live).")
            return
        products = Product.objects.using(database)
        if dry_run:
            total = products.count()
            missing = products.filter(search_vector__isnull=True).count()
            self.stdout.write(f"Would rebuild the search data of {total} products ({missing} have none yet).")
            return
        with transaction.atomic(using=database):
            rebuilt = products.refresh_search_vector()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search data of {rebuilt} products."))
