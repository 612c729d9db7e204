"""PostgreSQL: a trigram index on the products' Ukrainian spelling, so that the search box's suggestions find
"Жало" as fast as the name (products.search.suggest_products). Like the name's index (0002), it is made only on
PostgreSQL and is not part of the model state; SQLite suggests from its full-text table."""

from django.db import migrations

INDEX = "CREATE INDEX IF NOT EXISTS product_name_uk_trgm ON products_product USING gin (name_uk gin_trgm_ops)"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS product_name_uk_trgm")


class Migration(migrations.Migration):
    dependencies = [("products", "0008_cooperation")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
