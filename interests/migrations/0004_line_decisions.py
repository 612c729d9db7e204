"""Each hub decides its own lines: a decision per line, its append-only history, and existing lines given the
outcome their EOI's status implies (accepted or declined EOIs: all their lines; the others: pending).

The line history is append-only in the database as StatusChange is (see 0002): UPDATE refused by a trigger on
both databases, DELETE by a trigger on PostgreSQL. Hub coordinators may view it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

DECISIONS = [
    ("pending", "Pending"),
    ("accepted", "Accepted (forwarded to the manufacturer)"),
    ("declined", "Declined"),
]
REASONS = [
    ("end_user_details", "More detail on the end user is needed"),
    ("end_use_details", "More detail on the intended use is needed"),
    ("certificate", "End-user certificate needed or unclear"),
    ("quantity_schedule", "Quantity or delivery window to be clarified"),
    ("financing", "Financing to be clarified"),
    ("destination", "Delivery country not eligible for this listing"),
    ("unavailable", "Surplus no longer available"),
    ("licence_unlikely", "Export licence unlikely to be granted"),
    ("other", "Other (see comment)"),
]

MESSAGE = "the decision history of expression of interest lines is append-only"
SQLITE_FORWARD = [
    f"""CREATE TRIGGER interests_linedecision_no_update BEFORE UPDATE ON interests_linedecision
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS interests_linedecision_no_update;"]
POSTGRESQL_FORWARD = [
    f"""CREATE FUNCTION interests_linedecision_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$;""",
    """CREATE TRIGGER interests_linedecision_append_only BEFORE UPDATE OR DELETE ON interests_linedecision
        FOR EACH ROW EXECUTE FUNCTION interests_linedecision_append_only();""",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS interests_linedecision_append_only ON interests_linedecision;",
    "DROP FUNCTION IF EXISTS interests_linedecision_append_only();",
]


def run_for_vendor(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def decide_existing_lines(apps, schema_editor):
    """An EOI accepted or declined as a whole before this migration: each of its lines takes that outcome, at
    the EOI's decision date. Lines of open or withdrawn EOIs stay pending."""
    InterestLine = apps.get_model("interests", "InterestLine")
    ExpressionOfInterest = apps.get_model("interests", "ExpressionOfInterest")
    decided_at = ExpressionOfInterest.objects.filter(pk=models.OuterRef("interest_id")).values("decided_at")
    for status in ("accepted", "declined"):
        InterestLine.objects.filter(interest__status=status).update(
            decision=status, decided_at=models.Subquery(decided_at[:1])
        )


def undecide_lines(apps, schema_editor):
    apps.get_model("interests", "InterestLine").objects.update(decision="pending", decided_at=None)


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="interests", codename="view_linedecision")
    for group in Group.objects.filter(name="Hub coordinators"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="interests", codename="view_linedecision").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("interests", "0003_staff_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LineDecision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("from_decision", models.CharField(choices=DECISIONS, max_length=8, verbose_name="from")),
                ("to_decision", models.CharField(choices=DECISIONS, max_length=8, verbose_name="to")),
                ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                (
                    "reason",
                    models.CharField(blank=True, choices=REASONS, max_length=20, verbose_name="reason"),
                ),
                (
                    "comment",
                    models.TextField(blank=True, help_text="Shown to the buyer.", verbose_name="comment"),
                ),
                (
                    "internal_note",
                    models.TextField(blank=True, help_text="Staff only.", verbose_name="internal note"),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decisions",
                        to="interests.interestline",
                        verbose_name="line",
                    ),
                ),
            ],
            options={
                "verbose_name": "line decision",
                "verbose_name_plural": "line decisions",
                "ordering": ["at", "pk"],
                "indexes": [models.Index(fields=["line", "at"], name="line_decision_line_at")],
            },
        ),
        migrations.AddField(
            model_name="interestline",
            name="decided_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="decided at"),
        ),
        migrations.AddField(
            model_name="interestline",
            name="decision",
            field=models.CharField(
                choices=DECISIONS, default="pending", editable=False, max_length=8, verbose_name="decision"
            ),
        ),
        migrations.RunPython(decide_existing_lines, undecide_lines),
        migrations.AddConstraint(
            model_name="interestline",
            constraint=models.CheckConstraint(
                condition=models.Q(("decision__in", ["pending", "accepted", "declined"])),
                name="interest_line_known_decision",
            ),
        ),
        migrations.AddConstraint(
            model_name="interestline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decided_at__isnull", True), ("decision", "pending")),
                    models.Q(models.Q(("decision", "pending"), _negated=True), ("decided_at__isnull", False)),
                    _connector="OR",
                ),
                name="interest_line_decided_at_iff_decided",
            ),
        ),
        migrations.RunPython(
            run_for_vendor({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            run_for_vendor({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
        migrations.RunPython(grant, revoke),
    ]
