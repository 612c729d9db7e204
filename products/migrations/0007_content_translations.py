"""The catalogue's content in every language of the site (django-modeltranslation, products/translation.py):
a column per language for categories' names and descriptions, specification attributes' names, products'
summaries, descriptions and field notes, with English (the `_en` column) copied from the text there was; and
Product.name_uk, a product's Ukrainian spelling.

Run `manage.py rebuild_catalogue_index` afterwards where products have Ukrainian text to index.
"""

from django.db import migrations, models

# The texts there were are English: copied to their `_en` column, as modeltranslation's
# update_translation_fields command would (frozen here as it was when this migration was written).
ENGLISH_TEXTS = {'Category': ['name', 'description'], 'SpecAttribute': ['name'], 'Product': ['summary', 'description', 'field_notes']}


def copy_english_texts(apps, schema_editor):
    for model_name, fields in ENGLISH_TEXTS.items():
        model = apps.get_model("products", model_name)
        model.objects.using(schema_editor.connection.alias).update(
            **{f"{field}_en": models.F(field) for field in fields}
        )



class Migration(migrations.Migration):

    dependencies = [
        ('products', '0006_document_audience'),
    ]

    operations = [
        migrations.AddField(
            model_name='category',
            name='description_de',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='category',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='category',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='category',
            name='description_pl',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='category',
            name='description_uk',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_de',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_en',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_fr',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_pl',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='category',
            name='name_uk',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='product',
            name='description_de',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='product',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='product',
            name='description_fr',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='product',
            name='description_pl',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='product',
            name='description_uk',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='product',
            name='field_notes_de',
            field=models.TextField(blank=True, help_text='How and where it has been used.', null=True, verbose_name='field notes'),
        ),
        migrations.AddField(
            model_name='product',
            name='field_notes_en',
            field=models.TextField(blank=True, help_text='How and where it has been used.', null=True, verbose_name='field notes'),
        ),
        migrations.AddField(
            model_name='product',
            name='field_notes_fr',
            field=models.TextField(blank=True, help_text='How and where it has been used.', null=True, verbose_name='field notes'),
        ),
        migrations.AddField(
            model_name='product',
            name='field_notes_pl',
            field=models.TextField(blank=True, help_text='How and where it has been used.', null=True, verbose_name='field notes'),
        ),
        migrations.AddField(
            model_name='product',
            name='field_notes_uk',
            field=models.TextField(blank=True, help_text='How and where it has been used.', null=True, verbose_name='field notes'),
        ),
        migrations.AddField(
            model_name='product',
            name='name_uk',
            field=models.CharField(blank=True, help_text='The name in Cyrillic, shown under the name on the Ukrainian pages and searchable.', max_length=150, verbose_name='Ukrainian spelling'),
        ),
        migrations.AddField(
            model_name='product',
            name='summary_de',
            field=models.CharField(blank=True, help_text='One or two sentences shown on the catalogue card.', max_length=300, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='product',
            name='summary_en',
            field=models.CharField(blank=True, help_text='One or two sentences shown on the catalogue card.', max_length=300, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='product',
            name='summary_fr',
            field=models.CharField(blank=True, help_text='One or two sentences shown on the catalogue card.', max_length=300, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='product',
            name='summary_pl',
            field=models.CharField(blank=True, help_text='One or two sentences shown on the catalogue card.', max_length=300, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='product',
            name='summary_uk',
            field=models.CharField(blank=True, help_text='One or two sentences shown on the catalogue card.', max_length=300, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='specattribute',
            name='name_de',
            field=models.CharField(max_length=80, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='specattribute',
            name='name_en',
            field=models.CharField(max_length=80, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='specattribute',
            name='name_fr',
            field=models.CharField(max_length=80, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='specattribute',
            name='name_pl',
            field=models.CharField(max_length=80, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='specattribute',
            name='name_uk',
            field=models.CharField(max_length=80, null=True, verbose_name='name'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('parent', 'name_en'), name='category_unique_name_per_parent-en'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('parent', 'name_uk'), name='category_unique_name_per_parent-uk'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('parent', 'name_de'), name='category_unique_name_per_parent-de'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('parent', 'name_fr'), name='category_unique_name_per_parent-fr'),
        ),
        migrations.AddConstraint(
            model_name='category',
            constraint=models.UniqueConstraint(fields=('parent', 'name_pl'), name='category_unique_name_per_parent-pl'),
        ),
        migrations.RunPython(copy_english_texts, migrations.RunPython.noop),
    ]
