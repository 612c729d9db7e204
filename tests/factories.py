"""Small helpers that make test data in code. Tests never depend on fixtures/ (that is demo data)."""

import io
import itertools
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hubs.models import Hub, Listing
from partners.models import Buyer, PartnerOrganisation
from products.models import Category, Manufacturer, Product, ProductImage, SpecAttribute, SpecValue

_sequence = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_sequence)}"


def image_bytes(size=(64, 48), color=(40, 90, 160), image_format="PNG", **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def image_upload(name="photo.png", **kwargs) -> SimpleUploadedFile:
    image_format = kwargs.setdefault("image_format", "PNG")
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}.get(
        image_format, "image/gif"
    )
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type=content_type)


def make_category(name=None, parent=None, **fields) -> Category:
    name = name or unique("Category")
    return Category.objects.create(name=name, slug=unique("category"), parent=parent, **fields)


def make_attribute(category, name=None, value_type=SpecAttribute.ValueType.NUMBER, **fields) -> SpecAttribute:
    name = name or unique("Attribute")
    fields.setdefault("slug", unique("attribute"))
    return SpecAttribute.objects.create(category=category, name=name, value_type=value_type, **fields)


def make_manufacturer(name=None, **fields) -> Manufacturer:
    name = name or unique("Manufacturer")
    fields.setdefault("city", "Kharkiv")
    return Manufacturer.objects.create(name=name, slug=unique("manufacturer"), **fields)


def make_product(name=None, *, category=None, manufacturer=None, **fields) -> Product:
    """A draft product with what the database requires; pass status/summary/… to change that."""
    name = name or unique("Product")
    fields.setdefault("technology_readiness_level", 9)
    fields.setdefault("military_list_category", "ML10")
    return Product.objects.create(
        name=name,
        slug=unique("product"),
        category=category or make_category(),
        manufacturer=manufacturer or make_manufacturer(),
        **fields,
    )


def make_image(product, **kwargs) -> ProductImage:
    return ProductImage.objects.create(
        product=product, image=image_upload(**kwargs), alt_text=f"{product.name} in the field"
    )


def make_published_product(name=None, **fields) -> Product:
    product = make_product(name, summary=fields.pop("summary", "A tested system."), **fields)
    make_image(product)
    product.publish()
    return product


def set_spec(product, attribute, **values) -> SpecValue:
    return SpecValue.objects.create(product=product, attribute=attribute, **values)


def make_hub(name=None, *, country="DE", coordinators=(), **fields) -> Hub:
    name = name or unique("Hub")
    fields.setdefault("city", "Berlin")
    fields.setdefault("address", "Musterstraße 1")
    fields.setdefault("latitude", Decimal("52.52"))
    fields.setdefault("longitude", Decimal("13.40"))
    fields.setdefault("contact_email", "hub@example.org")
    hub = Hub.objects.create(name=name, slug=unique("hub"), country=country, **fields)
    hub.coordinators.set(coordinators)
    return hub


def make_listing(product=None, hub=None, **fields) -> Listing:
    fields.setdefault("quantity_available", 20)
    fields.setdefault("lead_time_weeks", 6)
    fields.setdefault("destination_countries", ["DE", "PL", "DK"])
    return Listing.objects.create(product=product or make_product(), hub=hub or make_hub(), **fields)


def make_staff_user(username, *, group=None, superuser=False) -> User:
    if superuser:
        return User.objects.create_superuser(
            username=username, email=f"{username}@example.org", password="pw"
        )
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", password="pw", is_staff=True
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_organisation(name=None, *, country="DE", **fields) -> PartnerOrganisation:
    fields.setdefault("kind", PartnerOrganisation.Kind.MINISTRY_OF_DEFENCE)
    fields.setdefault("vetting_status", PartnerOrganisation.VettingStatus.APPROVED)
    return PartnerOrganisation.objects.create(name=name or unique("Organisation"), country=country, **fields)


def make_buyer(username=None, *, organisation=None, **fields) -> Buyer:
    """A buyer (not staff) of an organisation, approved unless the organisation says otherwise."""
    username = username or unique("buyer")
    user = User.objects.create_user(username=username, email=f"{username}@example.org", password="pw")
    return Buyer.objects.create(user=user, organisation=organisation or make_organisation(), **fields)


def make_access_request(email=None, **fields):
    """A pending request for access, as the public form would save it."""
    from partners.models import AccessRequest  # appended helper: the module's imports stay as they were

    fields.setdefault("full_name", "Anna Schmidt")
    fields.setdefault("job_title", "Procurement officer")
    fields.setdefault("organisation_name", "Federal Office for Test Procurement")
    fields.setdefault("organisation_kind", "procurement_agency")
    fields.setdefault("country", "DE")
    fields.setdefault("reason", "We are looking for counter-drone systems.")
    fields.setdefault("language", "en")
    return AccessRequest.objects.create(work_email=email or f"{unique('applicant')}@example.org", **fields)


def make_document(product, title="Datasheet", *, pages=2, **fields):
    """A PDF document of a product, stored in the private documents storage."""
    from pypdf import PdfWriter  # appended helper: the module's imports stay as they were

    from products.models import ProductDocument

    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    upload = SimpleUploadedFile("datasheet.pdf", buffer.getvalue(), content_type="application/pdf")
    return ProductDocument.objects.create(product=product, title=title, file=upload, **fields)


def make_interest(buyer, listings=(), *, quantity=5, **fields):
    """A submitted expression of interest by a buyer, one line per listing, with its first history row."""
    import datetime
    import uuid

    from django.utils import timezone

    from interests.models import ExpressionOfInterest, InterestLine, Status, StatusChange

    fields.setdefault("end_user", "1st Air Defence Battalion")
    fields.setdefault("intended_use", ExpressionOfInterest.IntendedUse.AIR_DEFENCE)
    fields.setdefault("delivery_country", buyer.organisation.country)
    fields.setdefault("end_user_certificate", ExpressionOfInterest.CertificateStatus.IN_PREPARATION)
    fields.setdefault("financing", ExpressionOfInterest.Financing.NATIONAL_BUDGET)
    fields.setdefault("contact_name", "Anna Beispiel")
    fields.setdefault("contact_phone", "+49 30 1234567")
    interest = ExpressionOfInterest.objects.create(
        organisation=buyer.organisation,
        submitted_by=buyer.user,
        declaration_accepted=True,
        idempotency_key=uuid.uuid4(),
        **fields,
    )
    today = timezone.localdate()
    for listing in listings:
        line = InterestLine(
            interest=interest,
            quantity=quantity,
            delivery_from=today + datetime.timedelta(days=60),
            delivery_until=today + datetime.timedelta(days=120),
        )
        line.take_snapshot(listing)
        line.save()
    StatusChange.objects.create(interest=interest, to_status=Status.SUBMITTED, actor=buyer.user)
    return interest


def pdf_upload(name="certificate.pdf", *, pages=1, script=None) -> SimpleUploadedFile:
    """A PDF upload of blank pages; with `script`, JavaScript run when it is opened (a hostile file)."""
    from pypdf import PdfWriter  # appended helper: the module's imports stay as they were
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    if script:
        writer.add_open_action(JavaScript(script))
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def make_certificate(interest, *, filename="end-user-certificate.pdf"):
    """An end-user certificate attached to the EOI's latest step, as if sent with an answer."""
    from interests.models import EndUserCertificate  # appended helper: the module's imports stay as they were

    answer = interest.history.order_by("-at", "-pk").first()
    return EndUserCertificate.objects.create(
        interest=interest,
        answer=answer,
        file=pdf_upload(filename),
        original_filename=filename,
        uploaded_by=interest.submitted_by,
    )
