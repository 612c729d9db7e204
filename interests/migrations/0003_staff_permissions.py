"""Hub coordinators review expressions of interest: they view and change them (the reviewer, and the status
through the review step) and view their lines and history. Catalogue editors get nothing here, and the
arms-embargo list is kept by superusers only."""

from django.db import migrations

HUB_COORDINATORS = "Hub coordinators"

PERMISSIONS = {
    "expressionofinterest": ["view", "change"],
    "interestline": ["view"],
    "statuschange": ["view"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=HUB_COORDINATORS)
    for model, actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="interests", codename=f"{action}_{model}")
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    for group in Group.objects.filter(name=HUB_COORDINATORS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="interests", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("hubs", "0002_staff_groups"),
        ("interests", "0002_history_append_only_and_embargoes"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
