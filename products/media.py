"""Checks and processing for uploaded files: product images and PDF documents.

One module, used by the model fields' validators (and so by every form and the admin) and by the models'
save(), so that every way a file comes in is checked the same way.

Images are opened with Pillow under a pixel limit (settings.MAX_IMAGE_PIXELS) with its decompression-bomb
warning turned into an error (see ProductsConfig.ready), fully decoded so that truncated files are caught,
and re-encoded from their pixels alone: EXIF (with the GPS position of a field photo), XMP, IPTC and comments
never reach storage.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

ALLOWED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
THUMBNAIL_SIZE = (480, 360)
LARGE_SIZE = (1600, 1200)


@dataclass(frozen=True)
class ProcessedImage:
    original: ContentFile
    thumbnail: ContentFile
    large: ContentFile
    extension: str


def _rewind(file):
    if hasattr(file, "seek"):
        file.seek(0)


def _check_size(file, limit: int):
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
        )


def open_checked_image(file) -> Image.Image:
    """Open and fully decode an uploaded image, or raise ValidationError saying what is wrong with it."""
    _check_size(file, settings.MAX_IMAGE_UPLOAD_BYTES)
    _rewind(file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
            if image.format not in ALLOWED_IMAGE_FORMATS:
                raise ValidationError(
                    _("%(format)s images are not accepted; upload a JPEG, PNG or WebP file."),
                    code="image_format",
                    params={"format": image.format},
                )
            if image.width * image.height > settings.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError("over the pixel limit")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image is too large in pixels (at most %(limit)s million pixels are accepted)."),
            code="image_too_many_pixels",
            params={"limit": settings.MAX_IMAGE_PIXELS // 1_000_000},
        ) from None
    except UnidentifiedImageError:
        raise ValidationError(
            _("The file is not an image. Upload a JPEG, PNG or WebP picture."), code="not_an_image"
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The image is damaged or incomplete and cannot be read."), code="image_damaged"
        ) from None
    finally:
        _rewind(file)
    return image


def validate_image_upload(file):
    """Field validator: only files that open_checked_image accepts."""
    if getattr(file, "_committed", True):
        return  # Already stored (so already checked): editing other fields must not re-decode it.
    open_checked_image(file)


def _without_metadata(image: Image.Image) -> Image.Image:
    # Turn the picture the way the camera meant it, then rebuild it from its pixels: the new image carries
    # no EXIF, XMP, ICC or text chunks, whatever the source had.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L"):
        has_alpha = image.mode in ("LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=82, method=4)
    else:
        image.save(buffer, image_format, optimize=True)
    return buffer.getvalue()


def _rendition(image: Image.Image, size: tuple[int, int]) -> ContentFile:
    copy = image.copy()
    copy.thumbnail(size, Image.Resampling.LANCZOS)
    return ContentFile(_encode(copy, "WEBP"))


def process_image(file) -> ProcessedImage:
    """Check an upload and return it without metadata, with its thumbnail and large renditions."""
    image = open_checked_image(file)
    source_format = image.format
    clean = _without_metadata(image)
    return ProcessedImage(
        original=ContentFile(_encode(clean, source_format)),
        thumbnail=_rendition(clean, THUMBNAIL_SIZE),
        large=_rendition(clean, LARGE_SIZE),
        extension=ALLOWED_IMAGE_FORMATS[source_format],
    )


def pdf_page_count(file) -> int:
    """Check that an upload really is a readable PDF and return its number of pages."""
    _check_size(file, settings.MAX_DOCUMENT_UPLOAD_BYTES)
    _rewind(file)
    try:
        if file.read(5) != b"%PDF-":
            raise ValidationError(_("The file is not a PDF document."), code="not_a_pdf")
        _rewind(file)
        reader = PdfReader(file)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is password-protected; upload an unprotected copy."), code="pdf_encrypted"
            )
        pages = len(reader.pages)
    except (PdfReadError, OSError, ValueError, KeyError, TypeError):
        raise ValidationError(_("The PDF is damaged and cannot be read."), code="pdf_damaged") from None
    finally:
        _rewind(file)
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="pdf_empty")
    return pages


def validate_pdf_upload(file):
    if getattr(file, "_committed", True):
        return
    pdf_page_count(file)
