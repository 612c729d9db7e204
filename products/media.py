"""Checks and processing for uploaded files: product images and PDF documents.

One module, used by the model fields' validators (and so by every form and the admin) and by the models'
save(), so that every way a file comes in is checked the same way.

Images are opened with Pillow under a pixel limit (settings.MAX_IMAGE_PIXELS) with its decompression-bomb
warning turned into an error (see ProductsConfig.ready); the pixel count is read from the header and checked
before anything is decoded (forms check the header alone before the model sees the file: check_image_header);
then they are fully decoded so that truncated files are caught, and re-encoded from their pixels alone: EXIF
(with the GPS position of a field photo), XMP, IPTC and comments never reach storage.

PDFs must be readable, unencrypted, and free of active content: scripts, actions that start programs or send
data, embedded files, rich media, XFA forms (_pdf_active_content).
"""

import io
import struct
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

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


def _check_header(image: Image.Image):
    """What the header tells, before a single pixel is decoded: the format and the number of pixels."""
    if image.format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted; upload a JPEG, PNG or WebP file."),
            code="image_format",
            params={"format": image.format},
        )
    width, height = image.size
    if width * height > settings.MAX_IMAGE_PIXELS:
        raise Image.DecompressionBombError("over the pixel limit")


@contextmanager
def _reading_image(file):
    """Pillow's errors, and its decompression-bomb warning made one, as the form errors they mean."""
    _check_size(file, settings.MAX_IMAGE_UPLOAD_BYTES)
    _rewind(file)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
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
    except (OSError, SyntaxError, ValueError, struct.error, zlib.error, EOFError):
        raise ValidationError(
            _("The image is damaged or incomplete and cannot be read."), code="image_damaged"
        ) from None
    finally:
        _rewind(file)


def check_image_header(file):
    """Refuse an upload whose header alone shows it unacceptable (format, pixel count), reading no pixels.

    For forms, before the file is given to the model: Django's ImageField reads an upload's dimensions (for
    width_field/height_field) as soon as it is assigned, before the model's validators run, and Pillow answers
    a decompression bomb's header there with an exception, a 500. Pillow's Image.open reads only the header.
    """
    with _reading_image(file), Image.open(file) as image:
        _check_header(image)


def open_checked_image(file) -> Image.Image:
    """Open and fully decode an uploaded image, or raise ValidationError saying what is wrong with it.

    The header is checked before any decoding, so a bomb is refused without its pixels ever being unpacked.
    """
    with _reading_image(file):
        image = Image.open(file)
        _check_header(image)
        image.load()
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


# What a datasheet never needs and an attacker's PDF carries: scripts, actions that start programs, send
# form data or open other files, files within the file, Flash or video players, XFA forms (scriptable).
# Each is named in the refusal, so that an editor knows what to take out (printing to PDF removes them all).
PDF_RISKY_ACTIONS = {
    "/JavaScript": gettext_lazy("JavaScript"),
    "/Launch": gettext_lazy("an action that starts a program"),
    "/SubmitForm": gettext_lazy("an action that sends form data"),
    "/ImportData": gettext_lazy("an action that imports data"),
    "/GoToE": gettext_lazy("an action that opens an embedded file"),
    "/GoToR": gettext_lazy("an action that opens another file"),
    "/RichMediaExecute": gettext_lazy("rich media (Flash or video)"),
}
PDF_RISKY_KEYS = {
    "/JS": gettext_lazy("JavaScript"),
    "/JavaScript": gettext_lazy("JavaScript"),
    "/AA": gettext_lazy("actions that run on opening, closing or other events"),
    "/EmbeddedFiles": gettext_lazy("embedded files"),
    "/EF": gettext_lazy("embedded files"),
    "/RichMedia": gettext_lazy("rich media (Flash or video)"),
    "/RichMediaContent": gettext_lazy("rich media (Flash or video)"),
    "/XFA": gettext_lazy("an XFA form"),
}
PDF_RISKY_SUBTYPES = {
    "/FileAttachment": gettext_lazy("embedded files"),
    "/RichMedia": gettext_lazy("rich media (Flash or video)"),
}
# Back up the page tree, and into fonts, images and other resources, whose names are the author's own (a font
# may be called /JS) and which carry no actions.
PDF_NOT_FOLLOWED = {"/Parent", "/Resources"}
# A bound on the objects looked at, so that a file built to be endless cannot keep a worker busy; far above
# what a manual of a few hundred pages holds.
PDF_MAX_OBJECTS = 200_000


def _pdf_active_content(reader: PdfReader) -> list[str]:
    """What the PDF holds of PDF_RISKY_*: every object reachable from its trailer (catalogue, pages,
    annotations, form fields, outlines, name trees, action chains) but resources, visited once; stream data
    is not decoded."""
    found = {}
    seen = set()
    pending = [reader.trailer]
    visited = 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise ValidationError(
                _("The PDF is too complex to check; upload a simpler copy (for example, printed to PDF)."),
                code="pdf_too_complex",
            )
        if isinstance(node, DictionaryObject):
            for name, label in PDF_RISKY_KEYS.items():
                if name in node:
                    found[name] = label
            for key, table in (("/S", PDF_RISKY_ACTIONS), ("/Subtype", PDF_RISKY_SUBTYPES)):
                value = node.get(key)
                if isinstance(value, NameObject) and value in table:
                    found[f"{key}{value}"] = table[value]
            pending.extend(value for key, value in node.items() if key not in PDF_NOT_FOLLOWED)
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return sorted({str(label) for label in found.values()})


def pdf_page_count(file) -> int:
    """Check that an upload is a readable PDF without active content and return its number of pages."""
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
        active = _pdf_active_content(reader)
    except ValidationError:
        raise
    except Exception:
        # pypdf meets a hostile or broken file with many kinds of error (its own, KeyError, TypeError,
        # RecursionError on nesting…): whichever it is, the file cannot be read, and that is what to say.
        raise ValidationError(_("The PDF is damaged and cannot be read."), code="pdf_damaged") from None
    finally:
        _rewind(file)
    if active:
        raise ValidationError(
            _(
                "The PDF contains %(content)s, which documents may not carry. Upload a copy without it "
                "(printing the document to PDF removes it)."
            ),
            code="pdf_active_content",
            params={"content": ", ".join(active)},
        )
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="pdf_empty")
    return pages


def validate_pdf_upload(file):
    if getattr(file, "_committed", True):
        return
    pdf_page_count(file)
