"""Buyers approved before emails followed each person's language read theirs in the language of their access
request: that becomes their preference (accounts.Preference)."""

from django.db import migrations


def languages_from_requests(apps, schema_editor):
    AccessRequest = apps.get_model("partners", "AccessRequest")
    Preference = apps.get_model("accounts", "Preference")
    approved = AccessRequest.objects.filter(buyer__isnull=False).exclude(language="").order_by("decided_at", "pk")
    for access_request in approved.select_related("buyer"):
        Preference.objects.update_or_create(
            user_id=access_request.buyer.user_id, defaults={"language": access_request.language}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_partner_vetting_group"),
        ("accounts", "0001_preferences"),
    ]

    operations = [migrations.RunPython(languages_from_requests, migrations.RunPython.noop)]
