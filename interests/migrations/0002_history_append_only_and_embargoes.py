"""The review history is append-only in the database too, and the arms-embargo list starts with data.

UPDATE is refused by a trigger on both databases. DELETE is refused by a trigger on PostgreSQL; on SQLite the
model and its QuerySet refuse it, because Django's test runner empties SQLite tables with DELETE (PostgreSQL's
uses TRUNCATE, which row triggers do not see).
"""

import datetime

from django.db import migrations

MESSAGE = "the review history of expressions of interest is append-only"

SQLITE_FORWARD = [
    f"""CREATE TRIGGER interests_statuschange_no_update BEFORE UPDATE ON interests_statuschange
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS interests_statuschange_no_update;"]

POSTGRESQL_FORWARD = [
    f"""CREATE FUNCTION interests_statuschange_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$;""",
    """CREATE TRIGGER interests_statuschange_append_only BEFORE UPDATE OR DELETE ON interests_statuschange
        FOR EACH ROW EXECUTE FUNCTION interests_statuschange_append_only();""",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS interests_statuschange_append_only ON interests_statuschange;",
    "DROP FUNCTION IF EXISTS interests_statuschange_append_only();",
]


def run_for_vendor(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


# Starting data from the project's domain notes (EU sanctions map, UN Security Council resolutions, SIPRI's
# arms embargo database); staff keep it current in the admin.
SOURCE = "EU Sanctions Map and UN Security Council sanctions lists, via SIPRI Arms Embargoes Database"
AS_OF = datetime.date(2026, 11, 1)
EMBARGOES = [
    ("RU", "eu", "full", ""),
    ("BY", "eu", "full", ""),
    ("IR", "eu_un", "full", ""),
    ("KP", "eu_un", "full", ""),
    ("SY", "eu", "full", ""),
    ("MM", "eu", "full", ""),
    ("VE", "eu", "full", ""),
    ("LY", "eu_un", "full", ""),
    ("SD", "eu_un", "full", ""),
    ("SS", "eu_un", "full", ""),
    ("ZW", "eu", "full", ""),
    ("CF", "eu_un", "full", ""),
    ("CD", "eu_un", "partial", "Non-governmental forces."),
    ("SO", "eu_un", "partial", "Partial embargo."),
    ("IQ", "eu_un", "partial", "Non-state actors."),
    ("LB", "eu_un", "partial", "Non-state actors."),
    ("YE", "eu_un", "partial", "Named individuals and entities."),
    ("HT", "eu_un", "partial", "Non-state actors."),
    ("CN", "eu", "declaration", "EU declaration of 1989."),
]


def add_embargoes(apps, schema_editor):
    Embargo = apps.get_model("interests", "Embargo")
    for country, authority, scope, notes in EMBARGOES:
        Embargo.objects.update_or_create(
            country=country,
            defaults={"authority": authority, "scope": scope, "source": SOURCE, "as_of": AS_OF, "notes": notes},
        )


def remove_embargoes(apps, schema_editor):
    apps.get_model("interests", "Embargo").objects.filter(country__in=[row[0] for row in EMBARGOES]).delete()


class Migration(migrations.Migration):
    dependencies = [("interests", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run_for_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
        migrations.RunPython(add_embargoes, remove_embargoes),
    ]
