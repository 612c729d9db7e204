"""Draw a picture for every product that has none, so that the demo catalogue has something to show.

The pictures are illustrations, not photographs: a gradient in the colour of the product's top-level
category, a pictogram of its kind (quadcopter, fixed-wing aircraft, antenna, radar dish, tracked vehicle,
boat, radio, binoculars) and its name. They go through ProductImage.save() like any upload, so they are
re-encoded and get their thumbnail and large renditions.
"""

import io
import math

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from products.models import Product, ProductImage

WIDTH, HEIGHT = 1200, 800
SCALE = 2
# Every drawn picture's alternative text starts so, which is how --replace tells them from uploaded photos.
ALT_TEXT_PREFIX = "Drawn illustration"

# Top-level category slug → (colour, pictogram). Categories the demo data does not know get FALLBACK.
STYLES = {
    "unmanned-aerial-systems": ((36, 94, 156), "quadcopter"),
    "electronic-warfare": ((108, 64, 150), "antenna"),
    "counter-uas": ((166, 72, 48), "radar dish"),
    "unmanned-ground-vehicles": ((92, 112, 58), "tracked vehicle"),
    "maritime-drones": ((18, 112, 132), "boat"),
    "communications": ((176, 118, 32), "radio"),
    "optics-and-sensors": ((46, 118, 96), "binoculars"),
}
FALLBACK = ((72, 82, 98), "crate")
INK = (244, 247, 250)


class Command(BaseCommand):
    help = (
        "Draw an illustration (gradient, pictogram and name) for every product that has no image and save it "
        "as the product's image, with its renditions. Running it again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the products that would get a picture; write nothing.",
        )
        parser.add_argument(
            "--product",
            action="append",
            dest="slugs",
            metavar="SLUG",
            help="Only this product (by slug); repeat for several.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Also redraw the pictures this command drew before (uploaded photos are never touched).",
        )

    def handle(self, *args, dry_run=False, replace=False, slugs=None, **options):
        products = Product.objects.select_related(
            "manufacturer", "category__parent__parent__parent__parent"
        ).order_by("pk")
        if slugs:
            unknown = set(slugs) - set(Product.objects.filter(slug__in=slugs).values_list("slug", flat=True))
            if unknown:
                raise CommandError(f"No product with the slug {', '.join(sorted(unknown))}.")
            products = products.filter(slug__in=slugs)
        if replace:
            photographed = ProductImage.objects.exclude(alt_text__startswith=ALT_TEXT_PREFIX)
            products = products.exclude(pk__in=photographed.values("product_id"))
        else:
            products = products.filter(images__isnull=True)

        drawn = 0
        for product in products:
            colour, pictogram = picture_style(product)
            if dry_run:
                self.stdout.write(f"Would draw {product.name} ({pictogram})")
                drawn += 1
                continue
            png = draw_picture(product, colour, pictogram)
            with transaction.atomic():
                if replace:
                    for image in product.images.filter(alt_text__startswith=ALT_TEXT_PREFIX):
                        delete_with_files(image)
                ProductImage(
                    product=product,
                    image=ContentFile(png, name=f"{product.slug}.png"),
                    alt_text=alt_text(product, pictogram),
                    position=0,
                ).save()
            drawn += 1
            self.stdout.write(f"Drew {product.name} ({pictogram})")

        pictures = "picture" if drawn == 1 else "pictures"
        if dry_run:
            self.stdout.write(
                self.style.WARNING(f"Dry run: {drawn} {pictures} would be drawn; nothing written.")
            )
        elif drawn:
            self.stdout.write(self.style.SUCCESS(f"Drew {drawn} {pictures}."))
        else:
            self.stdout.write(self.style.SUCCESS("Every product already has an image; nothing to draw."))


def delete_with_files(image: ProductImage):
    files = [field for field in (image.image, image.thumbnail, image.large) if field]
    image.delete()
    # Only once the row is gone for good: a rolled-back transaction must not leave it pointing at nothing.
    for field in files:
        transaction.on_commit(lambda storage=field.storage, name=field.name: storage.delete(name))


def picture_style(product: Product) -> tuple[tuple[int, int, int], str]:
    top_level = [product.category, *product.category.ancestors()][-1]
    colour, pictogram = STYLES.get(top_level.slug, FALLBACK)
    if product.category.slug == "fixed-wing-long-range":
        pictogram = "fixed-wing aircraft"
    elif pictogram == "quadcopter":
        # Reconnaissance has fixed-wing aircraft too; their airframe says so.
        airframe = (
            product.spec_values.filter(attribute__slug="airframe").values_list("text", flat=True).first()
        )
        if airframe and "fixed-wing" in airframe.lower():
            pictogram = "fixed-wing aircraft"
    return colour, pictogram


def alt_text(product: Product, pictogram: str) -> str:
    return f"{ALT_TEXT_PREFIX} (not a photograph) of the {product.name}: a {pictogram} pictogram"[:200]


# --- Drawing ----------------------------------------------------------------------------------------------
def draw_picture(product: Product, colour: tuple[int, int, int], pictogram: str) -> bytes:
    """The product's illustration as PNG bytes."""
    # The lines and text are drawn at twice the size and scaled down, since ImageDraw does not smooth
    # edges; the gradient needs no such care.
    overlay = Image.new("RGBA", (WIDTH * SCALE, HEIGHT * SCALE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    grid(draw, *overlay.size)
    pen = Pen(draw, centre=(WIDTH / 2, 320))
    PICTOGRAMS[pictogram](pen)
    caption(draw, product, *overlay.size)
    overlay = overlay.resize((WIDTH, HEIGHT), Image.Resampling.BOX)
    image = Image.alpha_composite(gradient(WIDTH, HEIGHT, shade(colour, 0.35), colour), overlay)
    buffer = io.BytesIO()
    # Saved fast rather than small: ProductImage.save() re-encodes it anyway.
    image.convert("RGB").save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def shade(colour, factor):
    return tuple(round(channel * factor) for channel in colour)


def gradient(width, height, dark, light) -> Image.Image:
    """A diagonal gradient from the dark shade (bottom left) to the category colour (top right)."""
    small = Image.new("L", (64, 64))
    small.putdata([round(255 * (x + (63 - y)) / 126) for y in range(64) for x in range(64)])
    mask = small.resize((width, height), Image.Resampling.BILINEAR)
    image = Image.composite(
        Image.new("RGB", (width, height), light), Image.new("RGB", (width, height), dark), mask
    )
    return image.convert("RGBA")


def grid(draw, width, height):
    step = 80 * SCALE
    for x in range(0, width, step):
        draw.line([(x, 0), (x, height)], fill=(255, 255, 255, 18), width=SCALE)
    for y in range(0, height, step):
        draw.line([(0, y), (width, y)], fill=(255, 255, 255, 18), width=SCALE)


def font(size: int):
    return ImageFont.load_default(size=size * SCALE)


def fitted_font(draw, text: str, size: int, max_width: int):
    while size > 18 and draw.textlength(text, font=font(size)) > max_width * SCALE:
        size -= 2
    return font(size)


def caption(draw, product: Product, width, height):
    band_top = height - 190 * SCALE
    draw.rectangle([(0, band_top), (width, height)], fill=(8, 12, 20, 150))
    margin = 60 * SCALE
    draw.text(
        (margin, band_top + 28 * SCALE),
        product.name,
        font=fitted_font(draw, product.name, 64, WIDTH - 120),
        fill=(*INK, 255),
    )
    path = " / ".join(
        str(category.name) for category in [*reversed(product.category.ancestors()), product.category]
    )
    detail = f"{product.manufacturer.name} · {path}"
    draw.text(
        (margin, band_top + 116 * SCALE),
        detail,
        font=fitted_font(draw, detail, 30, WIDTH - 120),
        fill=(*INK, 200),
    )
    draw.text(
        (width - margin, 40 * SCALE),
        "ILLUSTRATION",
        font=font(22),
        fill=(*INK, 150),
        anchor="ra",
    )


class Pen:
    """Draws in picture coordinates (1200 × 800, origin at the pictogram's centre) on the scaled canvas."""

    def __init__(self, draw, centre):
        self.draw = draw
        self.cx, self.cy = centre
        self.stroke = 9
        self.fill = (*INK, 255)
        self.soft = (*INK, 70)

    def point(self, x, y):
        return ((self.cx + x) * SCALE, (self.cy + y) * SCALE)

    def box(self, x0, y0, x1, y1):
        (left, top), (right, bottom) = self.point(x0, y0), self.point(x1, y1)
        return [(min(left, right), min(top, bottom)), (max(left, right), max(top, bottom))]

    def line(self, *points, width=None):
        self.draw.line(
            [self.point(x, y) for x, y in points],
            fill=self.fill,
            width=(width or self.stroke) * SCALE,
            joint="curve",
        )

    def polygon(self, *points, filled=False):
        xy = [self.point(x, y) for x, y in points]
        self.draw.polygon(
            xy, fill=self.soft if filled else None, outline=self.fill, width=self.stroke * SCALE
        )

    def ellipse(self, x0, y0, x1, y1, filled=False, width=None):
        self.draw.ellipse(
            self.box(x0, y0, x1, y1),
            fill=self.soft if filled else None,
            outline=self.fill,
            width=(width or self.stroke) * SCALE,
        )

    def circle(self, x, y, radius, filled=False, width=None):
        self.ellipse(x - radius, y - radius, x + radius, y + radius, filled=filled, width=width)

    def rounded(self, x0, y0, x1, y1, radius, filled=False):
        self.draw.rounded_rectangle(
            self.box(x0, y0, x1, y1),
            radius=radius * SCALE,
            fill=self.soft if filled else None,
            outline=self.fill,
            width=self.stroke * SCALE,
        )

    def arc(self, x, y, radius, start, end, width=None):
        self.draw.arc(
            self.box(x - radius, y - radius, x + radius, y + radius),
            start,
            end,
            fill=self.fill,
            width=(width or self.stroke) * SCALE,
        )


def quadcopter(pen: Pen):
    for sx in (-1, 1):
        for sy in (-1, 1):
            pen.line((sx * 45, sy * 30), (sx * 165, sy * 110))
            pen.circle(sx * 165, sy * 110, 78, filled=True, width=6)
            pen.circle(sx * 165, sy * 110, 12, filled=True)
    pen.rounded(-70, -50, 70, 50, 22, filled=True)
    pen.circle(0, 0, 18)


def fixed_wing(pen: Pen):
    pen.polygon(
        (-40, -230),
        (20, -230),
        (40, -22),
        (40, 22),
        (20, 230),
        (-40, 230),
        (-10, 22),
        (-10, -22),
        filled=True,
    )
    pen.rounded(-260, -24, 250, 24, 24, filled=True)
    pen.polygon((-250, -90), (-215, -90), (-195, 0), (-215, 90), (-250, 90), filled=True)
    pen.line((-262, -40), (-262, 40), width=7)


def antenna(pen: Pen):
    pen.line((0, -60), (0, 200))
    pen.polygon((-75, 200), (75, 200), (0, 50), filled=True)
    pen.line((-38, 125), (38, 125), width=6)
    pen.circle(0, -60, 16, filled=True)
    for radius in (60, 110, 160):
        pen.arc(0, -60, radius, 205, 250, width=8)
        pen.arc(0, -60, radius, 290, 335, width=8)


def radar_dish(pen: Pen):
    # A shallow dish seen from the side, its back to the lower left, looking up to the right.
    pen.polygon((-170, 200), (40, 200), (-20, 140), (-110, 140), filled=True)
    pen.line((-65, 140), (-95, 75))
    pen.draw.chord(
        pen.box(-220, -180, 120, 160), 80, 190, fill=pen.soft, outline=pen.fill, width=pen.stroke * SCALE
    )
    pen.line((-68, 30), (10, -48), width=6)
    pen.circle(10, -48, 12, filled=True)
    for radius in (70, 115):
        pen.arc(10, -48, radius, 285, 345, width=6)
    pen.circle(190, -150, 40, width=6)
    pen.line((190, -205), (190, -95), width=4)
    pen.line((135, -150), (245, -150), width=4)


def tracked_vehicle(pen: Pen):
    pen.polygon((-190, 20), (-150, -60), (150, -60), (200, 20), filled=True)
    pen.rounded(-230, 20, 230, 150, 65)
    for x in (-150, -75, 0, 75, 150):
        pen.circle(x, 85, 32, filled=True, width=7)
    pen.rounded(-60, -115, 60, -60, 12, filled=True)
    pen.line((40, -115), (40, -200), width=6)
    pen.circle(40, -205, 8, filled=True)


def boat(pen: Pen):
    pen.polygon((-250, -10), (200, -10), (270, -60), (220, 70), (-230, 70), filled=True)
    pen.rounded(-150, -70, 0, -10, 12, filled=True)
    pen.line((-80, -70), (-80, -160), width=6)
    pen.circle(-80, -168, 10, filled=True)
    for row, offset in ((110, 0), (160, 40)):
        points = [(x, row + 12 * math.sin((x + offset) / 40)) for x in range(-300, 301, 10)]
        pen.line(*points, width=6)


def radio(pen: Pen):
    pen.line((45, -90), (45, -190), width=14)
    pen.rounded(-90, -100, 90, 235, 28, filled=True)
    pen.rounded(-55, -65, 55, 5, 8)
    for y in (50, 85, 120, 155, 190):
        pen.line((-50, y), (50, y), width=7)
    for radius in (45, 85):
        pen.arc(45, -190, radius, 295, 350, width=7)
        pen.arc(45, -190, radius, 190, 245, width=7)


def binoculars(pen: Pen):
    for sx in (-1, 1):
        pen.rounded(sx * 135 - 55, -190, sx * 135 + 55, -110, 16, filled=True)
        pen.rounded(sx * 135 - 85, -120, sx * 135 + 85, 150, 36, filled=True)
        pen.ellipse(sx * 135 - 85, 115, sx * 135 + 85, 195, filled=True)
        pen.ellipse(sx * 135 - 50, 135, sx * 135 + 50, 175, width=6)
    pen.rounded(-50, -90, 50, 30, 16, filled=True)
    pen.circle(0, -125, 20)


def crate(pen: Pen):
    pen.rounded(-180, -140, 180, 180, 14, filled=True)
    pen.line((-180, -40), (180, -40))
    pen.line((-180, -140), (180, 180), width=6)
    pen.line((180, -140), (-180, 180), width=6)


PICTOGRAMS = {
    "quadcopter": quadcopter,
    "fixed-wing aircraft": fixed_wing,
    "antenna": antenna,
    "radar dish": radar_dish,
    "tracked vehicle": tracked_vehicle,
    "boat": boat,
    "radio": radio,
    "binoculars": binoculars,
    "crate": crate,
}
