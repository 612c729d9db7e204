"""Hubs' descriptions in every language of the site (django-modeltranslation, hubs/translation.py), with
English (description_en) copied from the text there was."""

from django.db import migrations, models

# The texts there were are English: copied to their `_en` column, as modeltranslation's
# update_translation_fields command would (frozen here as it was when this migration was written).
ENGLISH_TEXTS = {'Hub': ['description']}


def copy_english_texts(apps, schema_editor):
    for model_name, fields in ENGLISH_TEXTS.items():
        model = apps.get_model("hubs", model_name)
        model.objects.using(schema_editor.connection.alias).update(
            **{f"{field}_en": models.F(field) for field in fields}
        )



class Migration(migrations.Migration):

    dependencies = [
        ('hubs', '0003_listing_destinations'),
    ]

    operations = [
        migrations.AddField(
            model_name='hub',
            name='description_de',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='hub',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='hub',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='hub',
            name='description_pl',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='hub',
            name='description_uk',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.RunPython(copy_english_texts, migrations.RunPython.noop),
    ]
