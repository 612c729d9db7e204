"""The "Partner vetting" staff group: the people who decide access requests and approve or suspend
organisations, without being superusers."""

from django.db import migrations

PARTNER_VETTING = "Partner vetting"

PERMISSIONS = {
    "accessrequest": ["view", "change", "decide"],
    "partnerorganisation": ["view", "add", "change", "vet"],
    "buyer": ["view", "change"],
}


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=PARTNER_VETTING)
    for model, actions in PERMISSIONS.items():
        for action in actions:
            group.permissions.add(
                Permission.objects.get(content_type__app_label="partners", codename=f"{action}_{model}")
            )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=PARTNER_VETTING).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partners", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
