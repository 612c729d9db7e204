"""Embargoes' notes in every language of the site (django-modeltranslation, interests/translation.py), with
English (notes_en) copied from the text there was."""

from django.db import migrations, models

# The texts there were are English: copied to their `_en` column, as modeltranslation's
# update_translation_fields command would (frozen here as it was when this migration was written).
ENGLISH_TEXTS = {'Embargo': ['notes']}


def copy_english_texts(apps, schema_editor):
    for model_name, fields in ENGLISH_TEXTS.items():
        model = apps.get_model("interests", model_name)
        model.objects.using(schema_editor.connection.alias).update(
            **{f"{field}_en": models.F(field) for field in fields}
        )



class Migration(migrations.Migration):

    dependencies = [
        ('interests', '0005_end_user_certificate'),
    ]

    operations = [
        migrations.AddField(
            model_name='embargo',
            name='notes_de',
            field=models.TextField(blank=True, null=True, verbose_name='notes'),
        ),
        migrations.AddField(
            model_name='embargo',
            name='notes_en',
            field=models.TextField(blank=True, null=True, verbose_name='notes'),
        ),
        migrations.AddField(
            model_name='embargo',
            name='notes_fr',
            field=models.TextField(blank=True, null=True, verbose_name='notes'),
        ),
        migrations.AddField(
            model_name='embargo',
            name='notes_pl',
            field=models.TextField(blank=True, null=True, verbose_name='notes'),
        ),
        migrations.AddField(
            model_name='embargo',
            name='notes_uk',
            field=models.TextField(blank=True, null=True, verbose_name='notes'),
        ),
        migrations.RunPython(copy_english_texts, migrations.RunPython.noop),
    ]
