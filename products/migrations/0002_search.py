"""Full-text search: the products' stored search vector, and on PostgreSQL its indexes.

The column exists on both databases (SQLite leaves it empty and searches live columns, see products/search.py).
The pg_trgm extension, the GIN index on the vector and the trigram index on the name are PostgreSQL-only, so
they are made here after checking the database, and are not part of the model state (Meta.indexes is shared by
both databases): `makemigrations --check` stays clean on either. Existing products get their vector at once.
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "product_search_vector_gin": "products_product USING gin (search_vector)",
    "product_name_trgm": "products_product USING gin (name gin_trgm_ops)",
}

# The same document as products.models.product_search_document(), frozen as this migration wrote it.
FILL_SEARCH_VECTORS = """
UPDATE products_product AS product SET search_vector =
    setweight(to_tsvector('simple', coalesce(product.name, '')), 'A')
    || setweight(to_tsvector('english', coalesce(product.name, '')), 'A')
    || setweight(to_tsvector('english',
        coalesce((SELECT manufacturer.name FROM products_manufacturer AS manufacturer
                  WHERE manufacturer.id = product.manufacturer_id), '')
        || ' ' ||
        coalesce((SELECT concat_ws(' ', level0.name, level1.name, level2.name, level3.name, level4.name)
                  FROM products_category AS level0
                  LEFT JOIN products_category AS level1 ON level1.id = level0.parent_id
                  LEFT JOIN products_category AS level2 ON level2.id = level1.parent_id
                  LEFT JOIN products_category AS level3 ON level3.id = level2.parent_id
                  LEFT JOIN products_category AS level4 ON level4.id = level3.parent_id
                  WHERE level0.id = product.category_id), '')
    ), 'B')
    || setweight(to_tsvector('english', coalesce(product.summary, '')), 'C')
    || setweight(to_tsvector('english', coalesce(product.description, '')), 'D')
"""


def on_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class TrigramExtensionOnPostgreSQL(TrigramExtension):
    """Django's operation skips other databases going forwards, but not backwards (it asks pg_extension)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if on_postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def create_indexes(apps, schema_editor):
    if on_postgresql(schema_editor):
        for name, target in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


def drop_indexes(apps, schema_editor):
    if on_postgresql(schema_editor):
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def fill_search_vectors(apps, schema_editor):
    if on_postgresql(schema_editor):
        schema_editor.execute(FILL_SEARCH_VECTORS)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        TrigramExtensionOnPostgreSQL(),
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.RunPython(fill_search_vectors, migrations.RunPython.noop),
    ]
