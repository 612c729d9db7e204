"""Forms of the catalogue's admin: the product form, its inline forms, and the publication rule.

"A product cannot be published without a summary, an image and its required specifications." The model
checks a stored product (Product.publication_problems, used by publish()); in the change form the images and
specifications are still being edited, so the inline formsets check what they would leave behind.
"""

from decimal import Decimal

from django import forms
from django.contrib.admin.widgets import AdminTextareaWidget
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from products import media
from products.models import Product, ProductDocument, ProductImage, SpecAttribute, SpecValue, format_number


class ProductAdminForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = [
            "name",
            "slug",
            "manufacturer",
            "category",
            "summary",
            "description",
            "status",
            "military_list_category",
            "is_dual_use",
            "nato_stock_number",
            "technology_readiness_level",
            "is_combat_proven",
            "field_notes",
            "is_authorised_for_use",
            "is_codified",
        ]
        # The summary holds up to 300 characters: more than a one-line input shows.
        widgets = {"summary": AdminTextareaWidget(attrs={"rows": 2})}

    def clean(self):
        cleaned_data = super().clean()
        category = cleaned_data.get("category")
        if (
            self.instance._state.adding
            and cleaned_data.get("status") == Product.Status.PUBLISHED
            and category is not None
            and category.spec_attributes().filter(is_required=True).exists()
        ):
            # The specifications are entered once the category is saved (their choice depends on it).
            self.add_error(
                "status",
                _(
                    "This category has required specifications: save the product as a draft, fill them in, "
                    "then publish it."
                ),
            )
        return cleaned_data


class PublicationRuleFormSet(BaseInlineFormSet):
    """An inline formset that knows which of its rows the product will have once saved."""

    def remaining_forms(self):
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # An extra row left empty.
            yield form

    @property
    def publishing(self) -> bool:
        return self.instance.status == Product.Status.PUBLISHED


class ProductImageFormSet(PublicationRuleFormSet):
    def clean(self):
        super().clean()
        if self.publishing and not any(True for _form in self.remaining_forms()):
            raise ValidationError(
                _("A published product needs at least one image."), code="published_without_image"
            )


class ProductImageForm(forms.ModelForm):
    # A plain FileField rather than forms.ImageField: ImageField would refuse a bad file with its own vague
    # message before the model field's validator (products.media.validate_image_upload, run by
    # ModelForm._post_clean) could say what is wrong with it. FileInput, because the preview column already
    # shows the current picture.
    image = forms.FileField(
        label=_("image"),
        help_text=ProductImage._meta.get_field("image").help_text,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = ProductImage
        fields = ["image", "alt_text", "position"]

    def clean_image(self):
        # Before the model gets the file: assigning it makes Django read its dimensions, which Pillow refuses
        # with an exception for a decompression bomb's header (see media.check_image_header).
        image = self.cleaned_data["image"]
        if isinstance(image, UploadedFile):
            media.check_image_header(image)
        return image


class TrimmedNumberInput(forms.NumberInput):
    """Shows 12 rather than the stored 12.000."""

    def format_value(self, value):
        if isinstance(value, Decimal):
            value = format_number(value)
        return super().format_value(value)


class SpecValueForm(forms.ModelForm):
    value_fields = ("number", "number_max", "text", "boolean")

    class Meta:
        model = SpecValue
        fields = ["attribute", "number", "number_max", "text", "boolean"]
        widgets = {"number": TrimmedNumberInput, "number_max": TrimmedNumberInput}

    def has_changed(self):
        # The empty rows are offered with their attribute chosen: a row counts once a value is typed in.
        if self.instance.pk is None:
            return any(name in self.changed_data for name in self.value_fields)
        return super().has_changed()


def describe_attribute(attribute: SpecAttribute) -> str:
    label = f"{attribute} · {attribute.get_value_type_display()}"
    if attribute.is_required:
        label = f"{label} · {_('required to publish')}"
    return label


class SpecValueFormSet(PublicationRuleFormSet):
    """The product's specification values: only its category's attributes, one empty row per missing one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            present = {value.attribute_id for value in self.get_queryset()}
            missing = [attribute for attribute in self.attributes if attribute.pk not in present]
            self.extra = len(missing)
            self.initial_extra = [{"attribute": attribute.pk} for attribute in missing]

    @cached_property
    def attributes(self) -> list[SpecAttribute]:
        if self.instance.category_id is None:
            return []
        return list(self.instance.category.spec_attributes())

    def add_fields(self, form, index):
        super().add_fields(form, index)
        field = form.fields.get("attribute")
        if field is not None and self.instance.category_id is not None:
            field.queryset = self.instance.category.spec_attributes()
            field.label_from_instance = describe_attribute

    def clean(self):
        super().clean()
        if not self.publishing:
            return
        present = {form.instance.attribute_id for form in self.remaining_forms()}
        missing = [attr for attr in self.attributes if attr.is_required and attr.pk not in present]
        if missing:
            raise ValidationError(
                _("A published product needs its required specifications: %(names)s."),
                code="published_without_specifications",
                params={"names": ", ".join(str(attribute.name) for attribute in missing)},
            )


class ProductDocumentForm(forms.ModelForm):
    class Meta:
        model = ProductDocument
        fields = ["kind", "title", "audience", "file"]
        # The documents' storage has no public URL, so no "Currently: <link>" to a file nobody can open.
        widgets = {"file": forms.FileInput(attrs={"accept": "application/pdf"})}
