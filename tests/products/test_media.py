"""Uploaded images and documents: only real files of the allowed kinds get in, and nothing private leaks."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from products.models import ProductDocument, ProductImage
from tests.factories import image_bytes, make_product

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def upload(content: bytes, name: str, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "FieldCam"  # Make
    exif[GPS_IFD] = {1: "N", 2: (50.0, 27.0, 0.0), 3: "E", 4: (30.0, 31.0, 0.0)}
    return image_bytes(size=(120, 80), image_format="JPEG", exif=exif.tobytes())


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def add_image(product, content: bytes, name: str) -> ProductImage:
    """The way every form goes: validate (full_clean), then save."""
    image = ProductImage(product=product, image=upload(content, name), alt_text="A drone on a table")
    image.full_clean()
    image.save()
    return image


def validation_message(error: pytest.ExceptionInfo) -> str:
    return " ".join(error.value.message_dict["image"])


def test_it_accepts_a_real_image_and_makes_web_renditions(settings):
    image = add_image(make_product(), image_bytes(size=(2400, 1600)), "field.png")

    assert (image.width, image.height) == (2400, 1600)
    with Image.open(image.thumbnail.path) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert max(thumbnail.size) <= 480
    with Image.open(image.large.path) as large:
        assert large.format == "WEBP"
        assert large.size == (1600, 1067)
    assert len(stored_files(settings)) == 3


def test_it_removes_exif_and_the_gps_position_of_a_field_photo():
    source = jpeg_with_gps()
    with Image.open(io.BytesIO(source)) as original:
        assert GPS_IFD in original.getexif()  # The test photo really carries a position.

    image = add_image(make_product(), source, "field.jpg")

    for stored in (image.image, image.thumbnail, image.large):
        with Image.open(stored.path) as picture:
            assert not picture.getexif(), stored.name
            assert "exif" not in picture.info
    assert b"FieldCam" not in Path(image.image.path).read_bytes()


def test_it_refuses_an_image_format_that_is_not_allowed(settings):
    gif = image_bytes(image_format="GIF")
    with pytest.raises(ValidationError) as error:
        add_image(make_product(), gif, "animation.gif")
    assert "GIF images are not accepted" in validation_message(error)
    assert stored_files(settings) == []


def test_it_refuses_a_text_file_renamed_to_png(settings):
    with pytest.raises(ValidationError) as error:
        add_image(make_product(), b"GPS 50.45N 30.52E\nnot a picture\n", "photo.png")
    assert "not an image" in validation_message(error)
    assert stored_files(settings) == []
    assert not ProductImage.objects.exists()


def test_it_refuses_a_truncated_image(settings):
    whole = image_bytes(size=(400, 300), image_format="JPEG", quality=95)
    with pytest.raises(ValidationError) as error:
        add_image(make_product(), whole[: len(whole) // 2], "cut.jpg")
    assert "damaged or incomplete" in validation_message(error)
    assert stored_files(settings) == []


def test_it_refuses_a_decompression_bomb(settings):
    settings.MAX_IMAGE_PIXELS = 1_000_000
    # A tiny file that would decode to 2000 × 2000 = 4 million pixels.
    bomb = image_bytes(size=(2000, 2000), color=(0, 0, 0))
    assert len(bomb) < 50_000

    with pytest.raises(ValidationError) as error:
        add_image(make_product(), bomb, "bomb.png")
    assert "too large in pixels" in validation_message(error)
    assert stored_files(settings) == []


def test_it_refuses_an_oversize_file_before_decoding_it(settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        add_image(make_product(), image_bytes(size=(300, 300), color=(10, 200, 30)) + b"\0" * 2000, "big.png")
    assert "largest accepted is 1000" in validation_message(error)
    assert stored_files(settings) == []


def test_saving_without_validation_still_strips_metadata():
    """Code that skips full_clean (a shell, a command) still goes through the same processing."""
    image = ProductImage.objects.create(
        product=make_product(), image=upload(jpeg_with_gps(), "field.jpg"), alt_text="Field photo"
    )
    with Image.open(image.image.path) as picture:
        assert not picture.getexif()


def pdf_bytes(pages=2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def add_document(product, content: bytes, name="datasheet.pdf") -> ProductDocument:
    document = ProductDocument(
        product=product, title="Datasheet", file=upload(content, name, "application/pdf")
    )
    document.full_clean()
    document.save()
    return document


def test_it_stores_a_pdf_document_outside_the_public_media_folder(settings, tmp_path):
    document = add_document(make_product(), pdf_bytes(pages=3))

    assert document.page_count == 3
    stored = Path(document.file.path)
    assert stored.is_relative_to(tmp_path / "documents")
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n this is not really a pdf", "damaged"),
        (image_bytes(), "not a PDF"),
        (b"", "not a PDF"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_readable_pdf(content, message, tmp_path):
    with pytest.raises(ValidationError) as error:
        add_document(make_product(), content)
    assert message in " ".join(error.value.message_dict["file"])
    assert not ProductDocument.objects.exists()
    assert not (tmp_path / "documents").exists() or not any((tmp_path / "documents").rglob("*.pdf"))
