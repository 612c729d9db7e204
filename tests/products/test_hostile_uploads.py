"""Uploads built to hurt: decompression bombs are refused from their header, before a pixel is decoded, and
PDFs carrying scripts, actions, embedded files, rich media or XFA forms are refused, each with a form error,
never a 500, and nothing stored."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from products import media
from products.models import Product, ProductDocument, ProductImage
from tests.factories import make_product
from tests.products.test_product_admin import ADD, change_url, files_in, new_product_data, rendered_form_data

pytestmark = pytest.mark.django_db

TOO_MANY_PIXELS = "The image is too large in pixels (at most 40 million pixels are accepted)."


@pytest.fixture
def editor_client(client, editor, settings):
    settings.STAFF_TWO_FACTOR = False  # the upload, not the second factor, is tried here
    client.force_login(editor)
    return client


# Images


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header claims width × height pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def real_png(width: int, height: int) -> bytes:
    """A real, complete PNG; one bit per pixel, so that making it takes a few megabytes of memory."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


BOMBS = {
    "header-claims-100000x100000": lambda: png_claiming(100_000, 100_000),
    "real-7000x7000": lambda: real_png(7000, 7000),
}


@pytest.mark.parametrize("make", BOMBS.values(), ids=BOMBS.keys())
def test_the_admin_refuses_a_decompression_bomb_with_a_form_error(editor_client, settings, make):
    data = new_product_data(editor_client)
    upload = SimpleUploadedFile("bomb.png", make(), content_type="image/png")
    data.update({"images-TOTAL_FORMS": 1, "images-0-image": upload, "images-0-alt_text": "Bomb"})

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert TOO_MANY_PIXELS in response.content.decode()
    assert not Product.objects.exists()
    assert not ProductImage.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_the_admin_refuses_a_bomb_added_to_an_existing_product(editor_client, settings):
    product = make_product()
    data = rendered_form_data(editor_client.get(change_url(product)))
    upload = SimpleUploadedFile("bomb.png", png_claiming(100_000, 100_000), content_type="image/png")
    data.update({"images-0-image": upload, "images-0-alt_text": "Bomb"})

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert TOO_MANY_PIXELS in response.content.decode()
    assert not product.images.exists()


@pytest.mark.parametrize("make", BOMBS.values(), ids=BOMBS.keys())
def test_the_header_check_refuses_a_bomb_without_decoding_it(make, monkeypatch):
    content = make()

    def no_decoding(*args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)

    with pytest.raises(ValidationError) as error:
        media.check_image_header(SimpleUploadedFile("bomb.png", content))
    assert error.value.code == "image_too_many_pixels"


def test_an_image_just_within_the_pixel_limit_passes_the_header_check(settings):
    settings.MAX_IMAGE_PIXELS = 2000 * 1500

    media.check_image_header(SimpleUploadedFile("big.png", real_png(2000, 1500)))


def test_the_full_check_refuses_a_bomb_too(settings):
    with pytest.raises(ValidationError) as error:
        media.open_checked_image(SimpleUploadedFile("bomb.png", png_claiming(100_000, 100_000)))
    assert error.value.code == "image_too_many_pixels"


# PDF documents


def pdf_of(writer: PdfWriter) -> bytes:
    if not writer.pages:
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def with_javascript():
    writer = blank_writer()
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return pdf_of(writer)


def with_open_action_script():
    writer = blank_writer()
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    return pdf_of(writer)


def with_attachment():
    writer = blank_writer()
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    return pdf_of(writer)


def annotation(subtype: str, **entries) -> DictionaryObject:
    rect = ArrayObject([FloatObject(10), FloatObject(10), FloatObject(100), FloatObject(40)])
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): rect,
            **{NameObject(f"/{key}"): value for key, value in entries.items()},
        }
    )


def with_page_annotation(annot: DictionaryObject) -> bytes:
    writer = blank_writer()
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])
    return pdf_of(writer)


def with_launch_action():
    launch = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")}
    )
    return with_page_annotation(annotation("/Link", A=launch))


def with_file_attachment_annotation():
    return with_page_annotation(annotation("/FileAttachment", Contents=TextStringObject("notes")))


def with_rich_media():
    return with_page_annotation(annotation("/RichMedia"))


def with_page_additional_actions():
    writer = blank_writer()
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): script})
    return pdf_of(writer)


def with_xfa_form():
    writer = blank_writer()
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp/>")}
    )
    return pdf_of(writer)


def encrypted():
    writer = blank_writer()
    writer.encrypt(user_password="secret", owner_password="secret")
    return pdf_of(writer)


ACTIVE_PDFS = {
    "document-javascript": (with_javascript, "JavaScript"),
    "open-action-script": (with_open_action_script, "JavaScript"),
    "embedded-file": (with_attachment, "embedded files"),
    "launch-action": (with_launch_action, "an action that starts a program"),
    "file-attachment-annotation": (with_file_attachment_annotation, "embedded files"),
    "rich-media": (with_rich_media, "rich media (Flash or video)"),
    "page-additional-actions": (with_page_additional_actions, "actions that run on opening"),
    "xfa-form": (with_xfa_form, "an XFA form"),
}


def document_errors(content: bytes) -> str:
    document = ProductDocument(
        product=make_product(),
        title="Datasheet",
        file=SimpleUploadedFile("datasheet.pdf", content, content_type="application/pdf"),
    )
    with pytest.raises(ValidationError) as error:
        document.full_clean()
    return " ".join(error.value.message_dict["file"])


@pytest.mark.parametrize("make, named", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_it_refuses_a_pdf_with_active_content_and_says_what(make, named):
    message = document_errors(make())

    assert "which documents may not carry" in message
    assert named in message


def test_it_refuses_an_encrypted_pdf():
    assert "password-protected" in document_errors(encrypted())


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-1.4\n" + b"[" * 5000 + b"\n%%EOF",
        b"%PDF-" + bytes(range(256)) * 4,
    ],
    ids=["no-pages-object", "deep-nesting", "binary-noise"],
)
def test_it_refuses_a_malformed_pdf_with_a_message(content):
    message = document_errors(content)

    assert "damaged" in message or "no pages" in message


def test_a_go_to_page_open_action_and_a_web_link_are_fine():
    writer = blank_writer()
    page = writer.pages[0].indirect_reference
    writer.root_object[NameObject("/OpenAction")] = ArrayObject([page, NameObject("/Fit")])
    link = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://example.org/")}
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation("/Link", A=link))])

    assert media.pdf_page_count(SimpleUploadedFile("datasheet.pdf", pdf_of(writer))) == 1


def test_a_font_named_like_a_risky_key_is_fine():
    writer = blank_writer()
    font = DictionaryObject(
        {NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1")}
    )
    font[NameObject("/BaseFont")] = NameObject("/Helvetica")
    writer.pages[0][NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/JS"): writer._add_object(font)})}
    )

    assert media.pdf_page_count(SimpleUploadedFile("datasheet.pdf", pdf_of(writer))) == 1


def test_the_admin_refuses_a_pdf_with_a_script_with_a_form_error(editor_client, settings, tmp_path):
    product = make_product()
    data = rendered_form_data(editor_client.get(change_url(product)))
    upload = SimpleUploadedFile("datasheet.pdf", with_javascript(), content_type="application/pdf")
    data.update(
        {
            "documents-TOTAL_FORMS": 1,
            "documents-0-kind": "datasheet",
            "documents-0-title": "Datasheet",
            "documents-0-file": upload,
        }
    )

    response = editor_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "The PDF contains JavaScript" in response.content.decode()
    assert not product.documents.exists()
    assert files_in(tmp_path / "documents") == []


def test_an_endless_pdf_is_refused_as_too_complex(settings, monkeypatch):
    monkeypatch.setattr(media, "PDF_MAX_OBJECTS", 3)

    assert "too complex" in document_errors(pdf_of(blank_writer()))


def test_pdf_page_count_still_counts(settings):
    writer = blank_writer()
    writer.add_blank_page(width=595, height=842)

    assert media.pdf_page_count(SimpleUploadedFile("datasheet.pdf", pdf_of(writer))) == 2
