"""Catalogue editors manage products in the admin: images with their checks, specifications, publication."""

import io
from pathlib import Path

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from products.models import Product, ProductDocument, ProductImage, SpecAttribute, SpecValue
from tests.factories import (
    image_upload,
    make_attribute,
    make_category,
    make_document,
    make_image,
    make_manufacturer,
    make_product,
    make_published_product,
    set_spec,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:products_product_add")
CHANGELIST = reverse("admin:products_product_changelist")
NOT_AN_IMAGE = "The file is not an image. Upload a JPEG, PNG or WebP picture."


def change_url(product):
    return reverse("admin:products_product_change", args=[product.pk])


def form_data(form) -> dict:
    """What a browser posts for an unbound form as rendered: its initial values, files left out."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.FileField) or value is None or value is False or value == "":
            continue
        data[form.add_prefix(name)] = (
            "on" if value is True and isinstance(field, forms.BooleanField) else value
        )
    return data


def rendered_form_data(response) -> dict:
    """The whole change form as rendered: the product's fields, and each inline's management form and rows.

    The inline prefixes ("images", "spec_values", "documents") come from the rendered formsets.
    """
    data = {**form_data(response.context["adminform"].form), "_save": "Save"}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    return data


def new_product_data(client, **fields) -> dict:
    """The add form as rendered, filled in with a valid draft product."""
    data = rendered_form_data(client.get(ADD))
    data.update(
        {
            "name": "Falcon Recon",
            "slug": "falcon-recon",
            "manufacturer": make_manufacturer("Skyworks").pk,
            "category": make_category("Reconnaissance").pk,
            "summary_en": "A quiet reconnaissance drone.",
            "military_list_category": "ML10",
            "technology_readiness_level": 8,
            "status": Product.Status.DRAFT,
        }
    )
    data.update(fields)
    return data


def spec_row(response, attribute) -> str:
    """The prefix of the specification row offered for an attribute ("spec_values-1")."""
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "spec_values"
    )
    return next(form.prefix for form in formset.forms if form["attribute"].value() == attribute.pk)


def files_in(folder) -> list[Path]:
    folder = Path(folder)
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def pdf_upload(pages=2, name="datasheet.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def recon_category():
    """A category below a parent, each with a required specification, and an unrelated category's one."""
    parent = make_category("Unmanned aerial systems")
    category = make_category("Reconnaissance", parent=parent)
    range_km = make_attribute(parent, "Range", unit="km", is_required=True, position=1)
    endurance = make_attribute(category, "Endurance", unit="min", is_required=True, position=2)
    night = make_attribute(category, "Night capable", value_type=SpecAttribute.ValueType.BOOLEAN, position=3)
    make_attribute(make_category("Artillery"), "Calibre", unit="mm")
    category.attributes_by_name = {"Range": range_km, "Endurance": endurance, "Night capable": night}
    return category


# Adding a product with its images


def test_catalogue_editor_can_add_a_product_with_an_image(editor_client):
    data = new_product_data(editor_client)
    data.update({"images-TOTAL_FORMS": 1, "images-0-image": image_upload(), "images-0-alt_text": "In flight"})

    response = editor_client.post(ADD, data)

    assert response.status_code == 302
    product = Product.objects.get(slug="falcon-recon")
    image = product.images.get()
    assert image.alt_text == "In flight"
    assert (image.width, image.height) == (64, 48)
    for rendition in (image.image, image.thumbnail, image.large):
        assert rendition.name
        assert rendition.storage.exists(rendition.name)
    assert image.thumbnail.name.endswith("-thumb.webp")
    assert image.large.name.endswith("-large.webp")


def test_it_refuses_a_text_file_named_png_with_the_validators_message(editor_client, settings):
    data = new_product_data(editor_client)
    fake = SimpleUploadedFile("photo.png", b"Not a picture, only text.", content_type="image/png")
    data.update({"images-TOTAL_FORMS": 1, "images-0-image": fake, "images-0-alt_text": "Fake"})

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert NOT_AN_IMAGE in response.text
    assert not Product.objects.exists()
    assert not ProductImage.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_it_refuses_a_bad_image_added_to_an_existing_product(editor_client, settings):
    product = make_product("Falcon Recon", summary="A drone.")
    data = rendered_form_data(editor_client.get(change_url(product)))
    fake = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0 truncated", content_type="image/jpeg")
    data.update({"images-0-image": fake, "images-0-alt_text": "Fake"})

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "The image is damaged or incomplete and cannot be read." in response.text
    assert not ProductImage.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_the_change_form_shows_a_thumbnail_of_each_image(editor_client):
    product = make_product()
    image = make_image(product)

    response = editor_client.get(change_url(product))

    assert f'src="{image.thumbnail.url}"' in response.text
    assert 'class="hc-thumbnail"' in response.text


# The publication rule in the change form


def test_it_refuses_to_publish_a_product_without_an_image(editor_client):
    product = make_product(summary="A drone.")
    data = rendered_form_data(editor_client.get(change_url(product)))
    data["status"] = Product.Status.PUBLISHED

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "A published product needs at least one image." in response.text
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    assert product.published_at is None


def test_it_refuses_to_delete_the_last_image_of_a_published_product(editor_client):
    product = make_published_product()
    data = rendered_form_data(editor_client.get(change_url(product)))
    data["images-0-DELETE"] = "on"

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "A published product needs at least one image." in response.text
    assert product.images.count() == 1


def test_it_publishes_a_product_with_an_image_added_in_the_same_form(editor_client):
    product = make_product(summary="A drone.")
    data = rendered_form_data(editor_client.get(change_url(product)))
    data.update(
        {"status": Product.Status.PUBLISHED, "images-0-image": image_upload(), "images-0-alt_text": "Side"}
    )

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED
    assert product.published_at is not None


def test_it_refuses_to_publish_without_the_required_specifications(editor_client, recon_category):
    product = make_product(category=recon_category, summary="A drone.")
    make_image(product)
    set_spec(product, recon_category.attributes_by_name["Range"], number=40)
    data = rendered_form_data(editor_client.get(change_url(product)))
    data["status"] = Product.Status.PUBLISHED

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "A published product needs its required specifications: Endurance." in response.text
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


def test_it_publishes_once_the_required_specifications_are_filled_in(editor_client, recon_category):
    product = make_product(category=recon_category, summary="A drone.")
    make_image(product)
    response = editor_client.get(change_url(product))
    data = rendered_form_data(response)
    # The empty rows come with their attribute chosen, in the category's order.
    rows = response.context["inline_admin_formsets"][1].formset.forms
    assert [row["attribute"].value() for row in rows] == [
        recon_category.attributes_by_name[name].pk for name in ("Range", "Endurance", "Night capable")
    ]
    range_km, endurance = (recon_category.attributes_by_name[name] for name in ("Range", "Endurance"))
    data.update(
        {
            "status": Product.Status.PUBLISHED,
            f"{spec_row(response, range_km)}-number": "40",
            f"{spec_row(response, endurance)}-number": "55",
        }
    )

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED
    assert {value.display() for value in product.spec_values.all()} == {"40 km", "55 min"}


def test_it_refuses_to_publish_on_adding_when_the_category_has_required_specifications(
    editor_client, recon_category
):
    data = new_product_data(editor_client, category=recon_category.pk, status=Product.Status.PUBLISHED)
    data.update({"images-TOTAL_FORMS": 1, "images-0-image": image_upload(), "images-0-alt_text": "Side"})

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert "save the product as a draft, fill them in, then publish it" in response.text
    assert not Product.objects.exists()


def test_it_refuses_to_publish_without_a_summary(editor_client):
    product = make_product(summary="")
    make_image(product)
    data = rendered_form_data(editor_client.get(change_url(product)))
    data["status"] = Product.Status.PUBLISHED

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "A published product needs a summary." in response.text
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


# Specifications


def test_it_offers_only_the_attributes_of_the_product_category_and_its_parents(editor_client, recon_category):
    product = make_product(category=recon_category)

    response = editor_client.get(change_url(product))

    formset = response.context["inline_admin_formsets"][1].formset
    assert formset.prefix == "spec_values"
    offered = {attribute.name for attribute in formset.empty_form.fields["attribute"].queryset}
    assert offered == {"Range", "Endurance", "Night capable"}
    assert "Range (km) · Number · required to publish" in response.text


def test_it_refuses_an_attribute_of_another_category(editor_client, recon_category):
    product = make_product(category=recon_category)
    calibre = SpecAttribute.objects.get(name="Calibre")
    data = rendered_form_data(editor_client.get(change_url(product)))
    data.update({"spec_values-0-attribute": calibre.pk, "spec_values-0-number": "155"})

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not SpecValue.objects.exists()


def test_it_applies_the_type_rules_of_specification_values(editor_client, recon_category):
    product = make_product(category=recon_category)
    response = editor_client.get(change_url(product))
    data = rendered_form_data(response)
    data[f"{spec_row(response, recon_category.attributes_by_name['Range'])}-text"] = "far"

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "Range takes a number, and only a number." in response.text
    assert not SpecValue.objects.exists()


def test_it_ignores_the_offered_rows_left_empty(editor_client, recon_category):
    product = make_product(category=recon_category)
    response = editor_client.get(change_url(product))
    data = rendered_form_data(response)
    data[f"{spec_row(response, recon_category.attributes_by_name['Night capable'])}-boolean"] = "true"

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 302
    assert [value.display() for value in product.spec_values.all()] == ["Yes"]


# Documents


def test_catalogue_editor_can_attach_a_pdf(editor_client):
    product = make_product()
    data = rendered_form_data(editor_client.get(change_url(product)))
    data.update(
        {
            "documents-TOTAL_FORMS": 1,
            "documents-0-kind": ProductDocument.Kind.DATASHEET,
            "documents-0-title": "Datasheet",
            "documents-0-audience": ProductDocument.Audience.EVERY_PARTNER,
            "documents-0-file": pdf_upload(pages=3),
        }
    )

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 302
    document = product.documents.get()
    assert document.page_count == 3
    assert document.size_bytes > 0
    assert document.audience == ProductDocument.Audience.EVERY_PARTNER


def test_a_new_document_is_need_to_know_unless_the_editor_says_otherwise(editor_client):
    product = make_product()
    make_document(product)

    page = editor_client.get(change_url(product)).content.decode()

    assert 'name="documents-0-audience"' in page
    assert '<option value="need_to_know" selected>' in page


def test_it_refuses_a_document_that_is_not_a_pdf(editor_client):
    product = make_product()
    data = rendered_form_data(editor_client.get(change_url(product)))
    fake = SimpleUploadedFile("manual.pdf", b"Just text.", content_type="application/pdf")
    data.update(
        {"documents-TOTAL_FORMS": 1, "documents-0-title": "Manual", "documents-0-file": fake}
        | {"documents-0-kind": ProductDocument.Kind.MANUAL, "documents-0-audience": "need_to_know"}
    )

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "The file is not a PDF document." in response.text
    assert not ProductDocument.objects.exists()


# Bulk actions


def test_publish_action_refuses_a_product_lacking_required_specifications(editor_client, recon_category):
    incomplete = make_product("Harrier Scout", category=recon_category, summary="A drone.")
    make_image(incomplete)
    complete = make_product("Kestrel Scout", category=recon_category, summary="A drone.")
    make_image(complete)
    set_spec(complete, recon_category.attributes_by_name["Range"], number=30)
    set_spec(complete, recon_category.attributes_by_name["Endurance"], number=45)

    response = editor_client.post(
        CHANGELIST,
        {"action": "publish_products", "_selected_action": [incomplete.pk, complete.pk]},
        follow=True,
    )

    incomplete.refresh_from_db()
    complete.refresh_from_db()
    assert incomplete.status == Product.Status.DRAFT
    assert complete.status == Product.Status.PUBLISHED
    error, success = (str(message) for message in response.context["messages"])
    assert error.startswith("Harrier Scout cannot be published: required specifications are missing: ")
    assert "Range" in error
    assert "Endurance" in error
    assert success == "1 product was published."


def test_publish_action_names_each_problem(editor_client):
    product = make_product("Bare Drone", summary="")

    response = editor_client.post(
        CHANGELIST, {"action": "publish_products", "_selected_action": [product.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "Bare Drone cannot be published: it has no summary; it has no image." in response.text
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


def test_withdraw_action_withdraws_published_products(editor_client):
    published = make_published_product("Owl Sensor")
    draft = make_product("Draft Sensor")

    response = editor_client.post(
        CHANGELIST, {"action": "withdraw_products", "_selected_action": [published.pk, draft.pk]}, follow=True
    )

    published.refresh_from_db()
    draft.refresh_from_db()
    assert published.status == Product.Status.WITHDRAWN
    assert draft.status == Product.Status.DRAFT
    assert "1 product was withdrawn." in response.text


def test_coordinator_cannot_publish_products(client, coordinator_a):
    product = make_product(summary="A drone.")
    make_image(product)
    client.force_login(coordinator_a)

    response = client.get(CHANGELIST)
    assert "publish_products" not in response.text
    client.post(CHANGELIST, {"action": "publish_products", "_selected_action": [product.pk]})

    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


# The change list


def test_the_change_list_shows_category_paths_and_image_counts(editor_client, recon_category):
    product = make_product("Falcon Recon", category=recon_category)
    make_image(product)
    make_image(product)

    response = editor_client.get(CHANGELIST)

    row = response.context["cl"].result_list[0]
    assert row.image_count == 2
    assert "Unmanned aerial systems → Reconnaissance" in response.text


def test_it_searches_products_by_manufacturer_and_nsn(editor_client):
    make_product(
        "Falcon Recon", manufacturer=make_manufacturer("Skyworks"), nato_stock_number="1550-01-234-5678"
    )
    make_product("Other Thing")

    for term in ("Skyworks", "1550-01-234-5678"):
        response = editor_client.get(CHANGELIST, {"q": term})
        assert [product.name for product in response.context["cl"].result_list] == ["Falcon Recon"], term


def test_it_searches_through_the_catalogues_index_and_by_part_of_a_name(editor_client):
    make_product("Falcon Recon", summary="A quadcopter", description="Sees through thick smoke.")
    make_product("Other Thing", description="A gimbal and a radio.")

    # A word of the description (full-text, stemmed), part of a name as typed in an autocomplete, a typo.
    for term in ("smoke", "falc", "quadcopters", "quadcoptr"):
        response = editor_client.get(CHANGELIST, {"q": term})
        assert [product.name for product in response.context["cl"].result_list] == ["Falcon Recon"], term


def test_the_product_autocomplete_of_other_forms_finds_a_name_as_it_is_typed(editor_client):
    make_product("Falcon Recon")
    make_product("Other Thing")

    url = reverse("admin:autocomplete")
    response = editor_client.get(
        url, {"term": "Falc", "app_label": "hubs", "model_name": "listing", "field_name": "product"}
    )

    assert [result["text"] for result in response.json()["results"]] == ["Falcon Recon"]


@pytest.mark.parametrize("size", [3, 15])
def test_the_change_list_query_count_does_not_grow_with_products(
    editor_client, recon_category, size, django_assert_max_num_queries
):
    for _number in range(size):
        product = make_product(category=recon_category, manufacturer=make_manufacturer())
        make_image(product)

    # 1 session, 1 user, 2 the editor's own and group permissions, 1 categories with their path (category
    # filter), 1 manufacturers (manufacturer filter), 1 count (the filtered one: no total of every product),
    # 1 page of products with their manufacturer, category path and image count.
    with django_assert_max_num_queries(8):
        response = editor_client.get(CHANGELIST)

    assert response.context["cl"].result_count == size
