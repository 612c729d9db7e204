"""The staff groups and their permissions, created here so that no one has to click them together by hand."""

from django.db import migrations

CATALOGUE_EDITORS = "Catalogue editors"
HUB_COORDINATORS = "Hub coordinators"

GROUP_PERMISSIONS = {
    CATALOGUE_EDITORS: {
        "products": {
            "category": ["add", "change", "delete", "view"],
            "specattribute": ["add", "change", "delete", "view"],
            "manufacturer": ["add", "change", "delete", "view"],
            "product": ["add", "change", "delete", "view"],
            "specvalue": ["add", "change", "delete", "view"],
            "productimage": ["add", "change", "delete", "view"],
            "productdocument": ["add", "change", "delete", "view"],
        },
    },
    HUB_COORDINATORS: {
        "products": {
            "category": ["view"],
            "manufacturer": ["view"],
            "product": ["view"],
            "specvalue": ["view"],
            "productimage": ["view"],
            "productdocument": ["view"],
        },
        "hubs": {"hub": ["view"], "listing": ["add", "change", "delete", "view"]},
    },
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations have run; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, apps_models in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for app_label, models in apps_models.items():
            for model, actions in models.items():
                for action in actions:
                    permission = Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                    group.permissions.add(permission)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUP_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("products", "0001_initial"),
        ("hubs", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
