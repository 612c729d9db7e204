"""Synthetic catalogue data at scale, for `manage.py generate_catalogue`: the vocabulary (names, texts,
specification ranges, hubs, partner countries) and the functions that turn a seed and a number into rows.

Every generated item is numbered, and its randomness comes from its own random.Random seeded with the seed,
its kind and its number (never from one shared stream), so that item number i is the same whether it was
made in one run or in two. The functions here build unsaved model instances; the command writes them in bulk.

Manufacturers, partner organisations and the extra hubs depend on their number only, not on the seed, so that
a run with another seed grows the same firms and organisations instead of adding a second set.

Everything named here is invented: no real company, product, ministry or person. E-mail addresses and
websites use the reserved .example domain.
"""

import bisect
import datetime
import io
import itertools
import math
import random
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import slugify
from PIL import Image, ImageDraw

from hubs.models import Hub, Listing
from interests.models import (
    DECISION_FOR_STATUS,
    TRANSITIONS,
    ExpressionOfInterest,
    InterestLine,
    Reason,
    Status,
    StatusChange,
)
from products.management.commands import draw_product_images as drawing
from products.models import Category, Product, SpecAttribute, SpecValue, format_number

# --- Numbering and sizes ----------------------------------------------------------------------------------
# Generated products are told apart by their slug: "gen-0000042-zhaivir-7-fpv". The number has a fixed
# width, so that ordering the slugs orders the numbers, and growth continues after the last one.
PRODUCT_SLUG_PREFIX = "gen-"
PRODUCT_NUMBER_DIGITS = 7
PRODUCT_SLUG_REGEX = rf"^{PRODUCT_SLUG_PREFIX}[0-9]{{{PRODUCT_NUMBER_DIGITS}}}-"
MAX_PRODUCT_NUMBER = 10**PRODUCT_NUMBER_DIGITS - 1
PRODUCT_SLUG_AFTER_LAST = f"{PRODUCT_SLUG_PREFIX}:"  # ":" sorts right after "9"
_PRODUCT_SLUG = re.compile(rf"^{PRODUCT_SLUG_PREFIX}([0-9]{{{PRODUCT_NUMBER_DIGITS}}})-")

# An EOI's reference is normally made from its primary key (EOI-2026-00042) after the row is saved.
# Generated EOIs are written in bulk, so they get a ten-digit number starting with 9: interests/urls.py
# accepts it (EOI-<year>-<five or more digits>), and a key-made reference would reach it only after nine
# billion EOIs. 19 characters; the field holds 20.
EOI_REFERENCE_REGEX = r"^EOI-[0-9]{4}-9[0-9]{9}$"
_EOI_REFERENCE = re.compile(r"^EOI-[0-9]{4}-9([0-9]{9})$")
EOI_NAMESPACE = uuid.UUID("5b0c2a4e-7d1f-4c55-9a59-2f0e6f7c1d10")

# Users the command makes start so; no demo account (buyer, coordinator, admin, …) does.
USERNAME_PREFIX = "gen-"
_ORGANISATION_MARK = re.compile(r"\(synthetic #([0-9]+)\)$")

MIN_MANUFACTURERS = 10
PRODUCTS_PER_MANUFACTURER = 500
MIN_ORGANISATIONS, MAX_ORGANISATIONS, PRODUCTS_PER_EXTRA_ORGANISATION = 24, 60, 5000
MIN_INTERESTS_PER_STATE = 3
PRODUCTS_PER_INTEREST = 50


def product_slug(number: int, name: str) -> str:
    return f"{PRODUCT_SLUG_PREFIX}{number:0{PRODUCT_NUMBER_DIGITS}d}-{slugify(name)}"[:150]


def product_number(slug: str) -> int | None:
    match = _PRODUCT_SLUG.match(slug or "")
    return int(match.group(1)) if match else None


def eoi_reference(number: int, submitted_at: datetime.datetime) -> str:
    return f"EOI-{submitted_at.year}-9{number:09d}"


def eoi_number(reference: str | None) -> int | None:
    match = _EOI_REFERENCE.match(reference or "")
    return int(match.group(1)) if match else None


def organisation_number(name: str) -> int | None:
    match = _ORGANISATION_MARK.search(name or "")
    return int(match.group(1)) if match else None


def rng_for(seed, kind: str, number: int) -> random.Random:
    """The random stream of one item: the same for the same seed, kind and number, in any process (a
    string seed is hashed with SHA-512, not with Python's per-process hash())."""
    return random.Random(f"{seed}-{kind}-{number}")


def manufacturers_needed(last_product_number: int, top_levels: int) -> int:
    """One manufacturer per 500 products, at least ten and at least one per top-level category."""
    return max(MIN_MANUFACTURERS, top_levels, math.ceil(last_product_number / PRODUCTS_PER_MANUFACTURER))


def organisations_needed(products: int) -> int:
    if products <= 0:
        return 0
    return min(MAX_ORGANISATIONS, MIN_ORGANISATIONS + products // PRODUCTS_PER_EXTRA_ORGANISATION)


def interests_needed(products: int) -> int:
    """One EOI per fifty products, and every state at least three times."""
    if products <= 0:
        return 0
    return max(MIN_INTERESTS_PER_STATE * len(Status.values), products // PRODUCTS_PER_INTEREST)


def product_status(seed, number: int, always_published: int) -> str:
    """One generated product in a hundred is a draft and one is withdrawn; the rest are published. The
    first ones are always published, so that every category has one however small the catalogue."""
    if number <= always_published:
        return Product.Status.PUBLISHED
    roll = rng_for(seed, "status", number).random()
    if roll < 0.01:
        return Product.Status.DRAFT
    if roll < 0.02:
        return Product.Status.WITHDRAWN
    return Product.Status.PUBLISHED


def plan_products(seed, *, after: int, published_wanted: int, always_published: int) -> list[tuple[int, str]]:
    """The (number, status) of the products to make after number `after`, until `published_wanted` of
    them are published."""
    planned, published, number = [], 0, after
    while published < published_wanted:
        number += 1
        status = product_status(seed, number, always_published)
        planned.append((number, status))
        published += status == Product.Status.PUBLISHED
    return planned


# The vocabulary tables below are laid out by hand, one record per line or block.
# fmt: off

# --- Partner countries ------------------------------------------------------------------------------------
# The EU's member states, NATO's other members, the UK and Norway: partners with whom an intergovernmental
# agreement is plausible. Listings are offered to these only.
EU_MEMBERS = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]
OTHER_PARTNERS = ["GB", "NO", "IS", "CA", "US", "AL", "MK", "ME"]
PARTNER_COUNTRIES = sorted({*EU_MEMBERS, *OTHER_PARTNERS})
# Under an arms embargo (DOMAIN.md): never a destination, whatever the embargo table says (which the
# command checks as well).
EMBARGOED = frozenset({"RU", "BY", "IR", "KP", "SY", "MM", "VE", "LY", "SD", "SS", "ZW", "CF", "CN"})

# A hub's listings are often offered to its region; by the hub's country.
REGIONS = {
    "DE": ["NL", "BE", "LU", "FR", "AT", "DK", "PL", "CZ"],
    "DK": ["NO", "SE", "FI", "IS", "NL", "DE"],
    "GB": ["NO", "NL", "CA", "DK", "US", "IE"],
    "PL": ["CZ", "SK", "LT", "LV", "EE", "RO", "DE"],
    "LT": ["LV", "EE", "PL", "FI"],
    "CZ": ["SK", "PL", "DE", "AT", "SI", "HR"],
    "FI": ["SE", "NO", "EE", "DK"],
    "NL": ["BE", "LU", "DE", "GB"],
    "RO": ["BG", "HU", "SK", "PL", "GR"],
    "LV": ["LT", "EE", "PL", "FI"],
    "EE": ["LV", "LT", "FI", "SE"],
    "SE": ["NO", "FI", "DK", "EE"],
    "NO": ["SE", "DK", "FI", "IS", "GB"],
    "FR": ["BE", "LU", "DE", "ES", "IT", "NL"],
    "SK": ["CZ", "PL", "HU", "AT"],
    "IT": ["ES", "PT", "GR", "SI", "HR", "FR"],
}
# How likely a listing is offered to a country outside its hub's region: the large buyers more often.
DESTINATION_ODDS = {"DE": 0.18, "PL": 0.12, "GB": 0.16, "FR": 0.14, "NL": 0.12, "US": 0.08, "CA": 0.06}
OTHER_DESTINATION_ODDS = 0.035
# Where partner organisations sit (the other partner countries weigh 1).
ORGANISATION_COUNTRY_WEIGHTS = {"DE": 5, "PL": 5, "GB": 3, "FR": 3, "NL": 2, "LT": 2, "DK": 2, "CZ": 2}
DIAL_CODES = {
    "AL": "355", "AT": "43", "BE": "32", "BG": "359", "CA": "1", "CY": "357", "CZ": "420", "DE": "49",
    "DK": "45", "EE": "372", "ES": "34", "FI": "358", "FR": "33", "GB": "44", "GR": "30", "HR": "385",
    "HU": "36", "IE": "353", "IS": "354", "IT": "39", "LT": "370", "LU": "352", "LV": "371", "ME": "382",
    "MK": "389", "MT": "356", "NL": "31", "NO": "47", "PL": "48", "PT": "351", "RO": "40", "SE": "46",
    "SI": "386", "SK": "421", "US": "1",
}


# --- Hubs -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HubRecord:
    slug: str
    name: str
    country: str
    city: str
    address: str
    latitude: str
    longitude: str
    opened_on: datetime.date


# Added to whatever hubs the database has (the demo fixtures' eight, or none).
GENERATED_HUBS = [
    HubRecord("bucharest", "Bucharest Export Hub", "RO", "Bucharest",
              "Strada Atelierelor 14\n060821 Bucharest", "44.42680", "26.10250", datetime.date(2026, 7, 6)),
    HubRecord("riga", "Riga Export Hub", "LV", "Riga", "Krasta iela 52\nLV-1003 Riga",
              "56.94960", "24.10520", datetime.date(2026, 6, 22)),
    HubRecord("tallinn", "Tallinn Export Hub", "EE", "Tallinn", "Kalasadama 8\n10415 Tallinn",
              "59.43700", "24.75360", datetime.date(2026, 8, 3)),
    HubRecord("stockholm", "Stockholm Export Hub", "SE", "Stockholm", "Hamnvägen 21\n115 41 Stockholm",
              "59.32930", "18.06860", datetime.date(2026, 5, 11)),
    HubRecord("oslo", "Oslo Export Hub", "NO", "Oslo", "Kaiveien 6\n0150 Oslo",
              "59.91390", "10.75220", datetime.date(2026, 9, 14)),
    HubRecord("paris", "Paris Export Hub", "FR", "Paris", "18 rue des Ateliers\n75013 Paris",
              "48.85660", "2.35220", datetime.date(2026, 4, 27)),
    HubRecord("bratislava", "Bratislava Export Hub", "SK", "Bratislava", "Prístavná 9\n821 09 Bratislava",
              "48.14860", "17.10770", datetime.date(2026, 7, 20)),
    HubRecord("rome", "Rome Export Hub", "IT", "Rome", "Via dei Magazzini 33\n00154 Rome",
              "41.90280", "12.49640", datetime.date(2026, 10, 5)),
]


# --- The starter category tree, for a database that has none ----------------------------------------------
# The demo fixtures' slugs (so that the vocabulary below fits both trees), with fewer attributes.
# (slug, name, parent slug, position, [(slug, name, unit, type, direction, required, filterable, choices)])
NUMBER, RANGE, TEXT, CHOICE, BOOLEAN = "number", "range", "text", "choice", "boolean"
HIGHER, LOWER, NEUTRAL = "higher", "lower", "neutral"
DEPLOYMENT = ["Portable", "Vehicle", "Fixed"]
STARTER_TREE = [
    ("unmanned-aerial-systems", "Unmanned aerial systems", None, 10, [
        ("range", "Range", "km", NUMBER, HIGHER, True, True, []),
        ("endurance", "Endurance", "min", NUMBER, HIGHER, True, True, []),
        ("payload", "Payload", "kg", NUMBER, HIGHER, False, True, []),
        ("datalink-bands", "Datalink bands", "", TEXT, NEUTRAL, False, False, []),
        ("night-capability", "Night capability", "", BOOLEAN, NEUTRAL, False, False, []),
        ("operating-temperature", "Operating temperature", "°C", RANGE, NEUTRAL, False, False, []),
    ]),
    ("strike-and-fpv", "Strike and FPV", "unmanned-aerial-systems", 10, [
        ("control-link", "Control link", "", CHOICE, NEUTRAL, True, False,
         ["Radio", "Radio with airborne relay", "Fibre-optic"]),
        ("frame-size", "Frame size", "in", NUMBER, NEUTRAL, False, False, []),
    ]),
    ("reconnaissance", "Reconnaissance", "unmanned-aerial-systems", 20, [
        ("airframe", "Airframe", "", CHOICE, NEUTRAL, True, False,
         ["Multirotor", "Fixed-wing", "VTOL fixed-wing"]),
        ("optical-zoom", "Optical zoom", "×", NUMBER, HIGHER, False, True, []),
    ]),
    ("electronic-warfare", "Electronic warfare", None, 20, [
        ("frequency-coverage", "Frequency coverage", "MHz", RANGE, NEUTRAL, True, False, []),
        ("effective-radius", "Effective radius", "km", NUMBER, HIGHER, True, True, []),
        ("weight", "Weight", "kg", NUMBER, LOWER, False, True, []),
        ("deployment", "Deployment", "", CHOICE, NEUTRAL, True, False, DEPLOYMENT),
    ]),
    ("jamming", "Jamming", "electronic-warfare", 10, [
        ("output-power", "Total output power", "W", NUMBER, HIGHER, False, True, []),
    ]),
    ("detection-and-sigint", "Detection and SIGINT", "electronic-warfare", 20, [
        ("pilot-location", "Locates the pilot", "", BOOLEAN, NEUTRAL, False, False, []),
    ]),
    ("counter-uas", "Counter-UAS", None, 30, [
        ("detection-range", "Detection range", "km", NUMBER, HIGHER, True, True, []),
        ("defeat-range", "Defeat range", "km", NUMBER, HIGHER, True, True, []),
        ("full-circle-coverage", "360° coverage", "", BOOLEAN, NEUTRAL, False, False, []),
    ]),
    ("unmanned-ground-vehicles", "Unmanned ground vehicles", None, 40, [
        ("payload", "Payload", "kg", NUMBER, HIGHER, True, True, []),
        ("range", "Range", "km", NUMBER, HIGHER, True, True, []),
        ("drive", "Drive", "", CHOICE, NEUTRAL, False, False, ["Tracked", "Wheeled"]),
    ]),
    ("maritime-drones", "Maritime drones", None, 50, [
        ("range", "Range", "km", NUMBER, HIGHER, True, True, []),
        ("speed", "Maximum speed", "kn", NUMBER, HIGHER, True, True, []),
    ]),
    ("communications", "Communications", None, 60, [
        ("bands", "Frequency bands", "", TEXT, NEUTRAL, True, False, []),
        ("range", "Range", "km", NUMBER, HIGHER, True, True, []),
        ("mesh", "Mesh networking", "", BOOLEAN, NEUTRAL, False, False, []),
    ]),
    ("optics-and-sensors", "Optics and sensors", None, 70, [
        ("detection-range", "Detection range (person)", "m", NUMBER, HIGHER, True, True, []),
        ("sensor-type", "Sensor type", "", CHOICE, NEUTRAL, False, False,
         ["Thermal", "Digital night vision", "Thermal and day"]),
    ]),
]


# --- Specification values ---------------------------------------------------------------------------------
# Numbers: (low, high) by attribute slug, and within it by the slug of the product's category or of one above
# it (None: any other). A product has a size from 0 to 1, and its numbers sit near that point of each
# interval on a log scale, so that a large drone has both a long range and a heavy take-off weight.
NUMBER_SPECS = {
    "range": {"strike-and-fpv": (5, 35), "reconnaissance": (5, 180), "fixed-wing-long-range": (300, 2500),
              "unmanned-aerial-systems": (5, 300), "unmanned-ground-vehicles": (5, 60),
              "maritime-drones": (100, 1500), "communications": (1, 200), None: (5, 200)},
    "endurance": {"strike-and-fpv": (6, 35), "reconnaissance": (30, 600),
                  "fixed-wing-long-range": (240, 1440), "unmanned-aerial-systems": (10, 600),
                  "unmanned-ground-vehicles": (2, 24),
                  "maritime-drones": (10, 120), None: (2, 48)},
    "payload": {"strike-and-fpv": (0.3, 15), "reconnaissance": (0.2, 12), "fixed-wing-long-range": (5, 250),
                "unmanned-aerial-systems": (0.3, 50), "unmanned-ground-vehicles": (50, 1500),
                "maritime-drones": (50, 1000), None: (1, 500)},
    "cruise-speed": {"strike-and-fpv": (60, 220), "reconnaissance": (40, 140),
                     "fixed-wing-long-range": (100, 450), None: (40, 300)},
    "max-take-off-weight": {"strike-and-fpv": (1, 45), "reconnaissance": (1, 80),
                            "fixed-wing-long-range": (20, 800), None: (1, 200)},
    "service-ceiling": {"strike-and-fpv": (500, 3000), "reconnaissance": (1000, 5000),
                        "fixed-wing-long-range": (2000, 8000), None: (500, 5000)},
    "optical-zoom": {None: (3, 40)},
    "wingspan": {"fixed-wing-long-range": (3, 12), None: (1.5, 8)},
    "effective-radius": {"detection-and-sigint": (1, 40), None: (0.05, 30)},
    "channels": {None: (1, 32)},
    "weight": {"communications": (0.3, 30), "optics-and-sensors": (0.3, 15), None: (0.5, 400)},
    "power-consumption": {None: (20, 5000)},
    "output-power": {None: (10, 3000)},
    "bearing-accuracy": {None: (1, 10)},
    "signal-signatures": {None: (50, 5000)},
    "detection-range": {"optics-and-sensors": (300, 8000), None: (1, 40)},
    "defeat-range": {None: (0.3, 8)},
    "simultaneous-targets": {None: (1, 200)},
    "speed": {"maritime-drones": (20, 50), "unmanned-ground-vehicles": (6, 40), None: (5, 60)},
    "control-range": {None: (1, 30)},
    "unladen-weight": {None: (80, 3000)},
    "hull-length": {None: (3, 12)},
    "throughput": {None: (0.1, 200)},
    "field-of-view": {None: (2, 60)},
}
# Where a larger product has the smaller number (a big direction finder is the more accurate).
INVERSE_SPECS = {"bearing-accuracy", "field-of-view"}
# Choices listed from small systems to large ones: the product's size picks one (a small jammer is carried,
# a large one stands on a site).
SIZE_ORDERED_CHOICES = {"deployment", "airframe", "sensor-payload", "propulsion"}
WHOLE_NUMBER_SPECS = {"channels", "simultaneous-targets", "signal-signatures", "service-ceiling"}
FRAME_SIZES = [5, 7, 8, 10, 13, 15]  # inches, for the frame-size attribute
# Ranges: the possible lower and upper ends.
RANGE_SPECS = {
    "frequency-coverage": ([20, 70, 100, 300, 400, 700, 900, 1100], [2500, 3000, 4000, 6000, 6500, 8000]),
    "operating-temperature": ([-40, -30, -25, -20, -15, -10], [40, 45, 50, 55, 60]),
}
TEXT_SPECS = {
    "datalink-bands": [
        "720–1020 MHz control, 5.8 GHz analogue video", "900 MHz control, 5.1–5.9 GHz digital video",
        "433 MHz control, 3.3 GHz digital video", "2.4 GHz control, 5.8 GHz digital video",
        "868 MHz and 2.4 GHz control, encrypted digital video", "1.2–1.4 GHz mesh datalink, AES-256",
        "None in flight: control and video over optical fibre", "L-band and S-band, frequency hopping",
    ],
    "bands": [
        "VHF 30–88 MHz, UHF 225–512 MHz", "UHF 300–512 MHz", "1.3–1.45 GHz, 2.2–2.5 GHz",
        "S-band 2.2–2.5 GHz", "4.4–5.0 GHz", "VHF, UHF and L-band", "C-band 4.4–4.9 GHz troposcatter",
        "HF 2–30 MHz, VHF 30–88 MHz",
    ],
    "encryption": ["AES-256", "AES-256 with frequency hopping", "AES-128", "AES-256, partner-specific keys",
                   "AES-256 with over-the-air rekeying"],
    "resolution": ["384 × 288", "640 × 512", "1280 × 1024", "1280 × 960", "1024 × 768"],
}
BOOLEAN_ODDS = {"gnss-free-navigation": 0.45, "night-capability": 0.65, "pilot-location": 0.6,
                "full-circle-coverage": 0.55, "mesh": 0.6}


# --- Names and texts --------------------------------------------------------------------------------------
# Ukrainian words (birds, insects, weather, plants, landscape), transliterated; with a designation they name
# no real product.
FAMILIES = [
    "Zhaivir", "Kobchyk", "Synytsia", "Vilshanka", "Horlytsia", "Dzhmil", "Bdzhola", "Metelyk", "Babka",
    "Kazhan", "Pugach", "Sych", "Zoria", "Vatra", "Iskorka", "Zavirukha", "Tuman", "Inei", "Khmara",
    "Blyskavka", "Veselka", "Kalyna", "Verba", "Klen", "Osyka", "Yavir", "Smereka", "Chebrets", "Polyn",
    "Barvinok", "Voloshka", "Kurhan", "Porih", "Bystryna", "Khvylka", "Oberih", "Krylo", "Strilka", "Kremin",
    "Hranit", "Bazalt", "Ozon", "Promin", "Svitanok", "Sutinky", "Zhuk", "Kovyl", "Ternyk", "Pryliv",
    "Vidlyv", "Buryan", "Holub", "Lebid", "Zhuravka", "Chaika", "Drozd", "Ivolha", "Kulyk", "Shpychak",
    "Volynka", "Kozhukh", "Zatoka", "Lyman", "Kosa", "Plai", "Polonyna", "Bereh", "Vyr", "Zhyto",
]
VARIANTS = ["", "", "", "", " M", " Pro", " Lite", " Night", " ER", " Mk II", " NV", " S"]
# A short Ukrainian summary (summary_uk), so that a catalogue at scale is searched in Ukrainian too;
# {category} is the category's Ukrainian name (its English one where it has none).
UKRAINIAN_SUMMARIES = [
    "{category} {name} українського виробництва, серійні поставки партіями.",
    "{category} {name}: перевірено в бойових умовах, з навчанням операторів.",
    "{category} {name} для підрозділів на передовій, з постачанням запчастин.",
    "{category} {name} з документацією українською та англійською мовами.",
]
CLOSINGS = [
    "built in series for drone units", "made in series since 2024", "qualified for cold-weather operation",
    "delivered with operator training", "with a repair line in Ukraine", "designed with front-line crews",
    "maintained by the manufacturer's field teams", "shipped with spares for the first year",
]
# What a summary says of a specification, by attribute slug; {} is the value with its unit.
SPEC_PHRASES = {
    "range": "{} of range", "endurance": "{} of endurance", "payload": "a {} payload",
    "cruise-speed": "a cruise speed of {}", "frequency-coverage": "coverage of {}",
    "effective-radius": "an effective radius of {}", "output-power": "{} of output power",
    "detection-range": "detection out to {}", "defeat-range": "a defeat range of {}",
    "simultaneous-targets": "{} simultaneous targets", "speed": "a top speed of {}",
    "throughput": "{} of throughput", "optical-zoom": "{} optical zoom",
    "control-range": "a {} control range",
    "bearing-accuracy": "a bearing accuracy of {}", "channels": "{} channels",
}
# Sentences of descriptions, by the slug of the product's category or the nearest above it: the words partners
# search for.
DESCRIPTION_SENTENCES = {
    "strike-and-fpv": [
        "The carbon-fibre frame takes common munitions on a mount with an electronic safe-and-arm board.",
        "A frequency-agile control receiver lets the pilot move between bands when one is jammed.",
        "A fibre-optic variant carries control and video over a spool of optical fibre, immune to jamming.",
        "A terminal tracker holds the chosen target when the video link fades near the ground.",
        "A thermal camera option makes it a night strike drone.",
        "Delivered as kits with spare propellers, batteries and a pilot's ground station.",
    ],
    "reconnaissance": [
        "A stabilised gimbal carries a day camera with optical zoom and a thermal camera.",
        "Encrypted digital video goes to a rugged tablet with map overlays.",
        "Reconnaissance footage and target coordinates go straight to artillery fire control software.",
        "Visual-inertial navigation holds position when GNSS is jammed or spoofed.",
        "The drone returns automatically to the launch point when the link is lost.",
        "It packs into a backpack and is in the air within five minutes.",
    ],
    "fixed-wing-long-range": [
        "The composite airframe is launched from a catapult and recovered by parachute or on a runway.",
        "Inertial and visual navigation keep it on course hundreds of kilometres into GNSS jamming.",
        "A satellite link keeps the operator in contact beyond the radio horizon.",
        "Its mission planner routes around known air-defence positions.",
        "It carries reconnaissance sensors or a strike payload in interchangeable modules.",
    ],
    "jamming": [
        "The jammer covers the control, video and navigation bands that hostile drones use.",
        "Reactive jamming answers only the signals it detects, which saves power and spares friendly links.",
        "Directional antennas fit a vehicle, a mast or a trench parapet.",
        "GNSS protection keeps timing and positioning available to nearby friendly systems.",
        "Band plans are updated as new drone links appear at the front.",
    ],
    "detection-and-sigint": [
        "A passive receiver detects drones and locates their pilots by direction finding.",
        "Its library of signal signatures is updated monthly from the front.",
        "Signals intelligence is logged with time and bearing for later analysis.",
        "It emits nothing, so the enemy's own direction finders cannot find it.",
        "Several stations share bearings over a mesh radio to fix a position.",
    ],
    "unmanned-aerial-systems": [
        "The airframe is carbon fibre and folds into a case that fits a pick-up truck.",
        "A frequency-agile control receiver lets the pilot move between bands when one is jammed.",
        "A gimballed thermal camera finds targets at night and in fog.",
        "Visual-inertial navigation holds position when GNSS is jammed or spoofed.",
        "The drone returns automatically to the launch point when the link is lost.",
        "A fibre-optic variant carries control and video over a spool of optical fibre, immune to jamming.",
        "The ground station is a rugged tablet with encrypted digital video and map overlays.",
        "Reconnaissance footage and target coordinates go straight to artillery fire control software.",
    ],
    "electronic-warfare": [
        "The jammer covers the control, video and navigation bands that hostile drones use.",
        "Reactive jamming answers only the signals it detects, which saves power and spares friendly links.",
        "A passive receiver detects drones and locates their pilots by direction finding.",
        "Its library of signal signatures is updated monthly from the front.",
        "The antennas are directional and fit a vehicle, a mast or a trench parapet.",
        "Signals intelligence is logged with time and bearing for later analysis.",
        "GNSS protection keeps timing and positioning available to nearby friendly systems.",
    ],
    "counter-uas": [
        "Radar, radio detection and electro-optical tracking feed one picture of the air.",
        "Interceptor drones are launched from the same trailer to bring down reconnaissance drones.",
        "The counter-UAS system hands targets to jammers, guns or interceptors automatically.",
        "It detects small multirotors and fixed-wing drones, including those flying without radio.",
        "Operators see tracks on a tablet and confirm each engagement.",
    ],
    "unmanned-ground-vehicles": [
        "The robot carries ammunition, water and casualties over ground that trucks cannot cross.",
        "Tracked and wheeled versions share one control system and one set of spare parts.",
        "A mesh radio relay extends control beyond the line of sight.",
        "Modules for mine laying, obstacle clearing and a remote weapon station fit in the field.",
        "Thermal cameras front and rear let the operator drive at night.",
    ],
    "maritime-drones": [
        "The uncrewed surface vessel is controlled over encrypted satellite and radio links.",
        "A low hull and composite superstructure make it hard to see on radar.",
        "It carries reconnaissance sensors, cargo or a strike payload in interchangeable modules.",
        "The boat drone was designed and tested in the Black Sea in winter conditions.",
    ],
    "communications": [
        "The tactical radio forms a self-healing mesh network with up to 64 nodes.",
        "Encryption is AES-256 with keys loaded by the partner, never by the manufacturer.",
        "A relay on a mast or a drone extends the range of drone and infantry radios.",
        "Frequency hopping and low-probability-of-intercept modes resist jamming and direction finding.",
        "It carries voice, data and drone video on one link.",
    ],
    "optics-and-sensors": [
        "The thermal sensor detects people and vehicles at night and through smoke.",
        "A laser rangefinder sends target coordinates to fire control software.",
        "The housing is sealed to IP67 and works from arctic cold to desert heat.",
        "Digital night vision works in starlight and is not damaged by daylight.",
        "Images are recorded with time and position for reports.",
    ],
}
GENERIC_SENTENCES = [
    "Built and maintained in Ukraine, with spare parts held at the hubs.",
    "Documentation comes in English and Ukrainian; training can be given at the hub.",
    "The manufacturer keeps improving it with feedback from the units that use it.",
]
FIELD_NOTES = [
    "In service with drone units on the Zaporizhzhia and Donetsk axes since 2024.",
    "Used by assault brigades since early 2025, mostly at night.",
    "Fielded in numbers since spring 2025 where jamming is dense.",
    "In service with territorial defence units protecting critical infrastructure.",
    "Used by artillery observers and reconnaissance teams since 2024.",
    "Proven in winter operations on the Kharkiv axis.",
    "Deployed along the southern coast since 2024.",
]
LISTING_NOTES = [
    "Surplus from the current production run; a demonstration at the hub can be arranged.",
    "Delivered with operator training for up to six crews and a first set of spare parts.",
    "Price includes one ground control station per ten units and documentation in English.",
    "Available from the hub's warehouse; larger quantities from the factory on the stated lead time.",
    "Software updates for twelve months included; partner-specific band plans on request.",
    "",
    "",
]
# The choices' values once (an enum's .values builds a new list on every call).
AVAILABILITIES = list(Listing.Availability.values)  # available, reserved, exhausted
LICENCE_STATUSES = list(Listing.LicenceStatus.values)  # pre-cleared, required, pending
QUANTITIES = {"kits": (5, 120), "systems": (2, 60), "units": (10, 2500), "sets": (5, 300)}
# How often products fall in each category, by slug (any other category: 1).
CATEGORY_WEIGHTS = {
    "strike-and-fpv": 3.0, "reconnaissance": 2.0, "fixed-wing-long-range": 1.0, "jamming": 1.5,
    "detection-and-sigint": 1.0, "counter-uas": 1.2, "unmanned-ground-vehicles": 1.0, "maritime-drones": 0.6,
    "communications": 1.2, "optics-and-sensors": 1.5,
}
# fmt: on


@dataclass(frozen=True)
class Kind:
    """What products of a category are: how they are named and described, how they are controlled for
    export (EU Military List category, or dual-use for a share of them), their NSN supply class, and how
    hubs list them (units, indicative price range in EUR)."""

    designation: str
    nouns: tuple[str, ...]  # from the smallest kind of product to the largest
    military_list: str
    dual_use_share: float
    supply_class: str
    units: tuple[str, ...]
    price: tuple[int, int]


# By category slug; a product takes the kind of its category or of the nearest category above it that has one.
# Kind(designation, nouns, Military List category, dual-use share, NSN supply class, units, price range)
# fmt: off
KINDS = {
    "strike-and-fpv": Kind(
        "{family}-{frame}",
        ("FPV interceptor drone", "FPV strike drone", "first-person-view strike drone",
         "heavy strike multirotor"),
        "ML10", 0.0, "1550", ("kits", "units"), (450, 15000)),
    "reconnaissance": Kind(
        "{family} R-{n}",
        ("reconnaissance quadcopter", "artillery-spotting drone", "fixed-wing reconnaissance drone",
         "VTOL reconnaissance aircraft"),
        "ML10", 0.08, "1550", ("systems", "units"), (5000, 150000)),
    "fixed-wing-long-range": Kind(
        "{family} LR-{n}0",
        ("long-range reconnaissance aircraft", "long-range fixed-wing drone", "deep-strike fixed-wing drone"),
        "ML10", 0.0, "1550", ("systems", "units"), (40000, 600000)),
    "unmanned-aerial-systems": Kind(
        "{family} A-{n}", ("multirotor drone", "unmanned aerial system"),
        "ML10", 0.05, "1550", ("units", "systems"), (2000, 100000)),
    "jamming": Kind(
        "{family} EJ-{n}",
        ("portable drone jammer", "GNSS protection jammer", "vehicle-mounted jammer", "fixed-site jammer"),
        "ML11", 0.0, "5865", ("units", "systems"), (1500, 250000)),
    "detection-and-sigint": Kind(
        "{family} RD-{n}",
        ("passive drone detector", "SIGINT receiver", "direction-finding station",
         "radio monitoring station"),
        "ML11", 0.1, "5865", ("units", "systems"), (2500, 120000)),
    "electronic-warfare": Kind(
        "{family} EW-{n}", ("drone jammer", "electronic warfare system"),
        "ML11", 0.0, "5865", ("units", "systems"), (2000, 200000)),
    "counter-uas": Kind(
        "{family} CU-{n}",
        ("anti-drone gun mount", "interceptor drone system", "counter-drone radar", "counter-UAS system"),
        "ML5", 0.0, "5840", ("systems",), (40000, 2000000)),
    "unmanned-ground-vehicles": Kind(
        "{family} UGV-{n}",
        ("casualty evacuation robot", "mine-laying ground robot", "unmanned ground vehicle",
         "tracked logistics robot", "fire-support ground robot"),
        "ML6", 0.0, "2350", ("units",), (15000, 250000)),
    "maritime-drones": Kind(
        "{family} MD-{n}",
        ("naval reconnaissance drone", "maritime strike drone", "uncrewed surface vessel",
         "logistics boat drone"),
        "ML9", 0.0, "1940", ("units",), (90000, 450000)),
    "communications": Kind(
        "{family} TR-{n}",
        ("handheld tactical radio", "tactical mesh radio", "drone relay", "long-haul radio link",
         "troposcatter link"),
        "ML11", 0.35, "5820", ("units", "sets"), (400, 60000)),
    "optics-and-sensors": Kind(
        "{family} T{n}",
        ("digital night-vision monocular", "stabilised drone gimbal", "thermal weapon sight",
         "thermal binocular", "panoramic surveillance camera"),
        "ML15", 0.25, "1240", ("units",), (1200, 80000)),
}
# fmt: on
# For categories the vocabulary does not know: miscellaneous equipment (ML17).
DEFAULT_KIND = Kind("{family}-{n}", (), "ML17", 0.1, "1095", ("units",), (1000, 100000))


def sensible(value: float) -> Decimal:
    """A number rounded as a datasheet prints it: 1240, 35, 7.5, 0.35."""
    if value >= 1000:
        return Decimal(round(value, -1))
    if value >= 20:
        return Decimal(round(value))
    if value >= 1:
        return Decimal(str(round(value, 1)))
    return Decimal(str(round(value, 2)))


def scaled(rng: random.Random, low: float, high: float, size: float) -> float:
    """A point of [low, high] near `size` (0 to 1) on a log scale, with some noise."""
    position = min(1.0, max(0.0, size + rng.uniform(-0.18, 0.18)))
    return low * (high / low) ** position


def spec_fields(
    rng: random.Random, attribute: SpecAttribute, lineage_slugs: list[str], size: float
) -> dict | None:
    """The value columns of a SpecValue for this attribute, of the attribute's type. Attributes the
    vocabulary knows (by slug) get realistic values; any other a plausible value of its type. None for a
    choice without choices, which no value can satisfy."""
    slug, kind = attribute.slug, attribute.value_type
    if kind == NUMBER:
        if slug == "frame-size":
            return {"number": Decimal(FRAME_SIZES[min(len(FRAME_SIZES) - 1, int(size * len(FRAME_SIZES)))])}
        bounds = NUMBER_SPECS.get(slug, {})
        low, high = next((bounds[s] for s in lineage_slugs if s in bounds), bounds.get(None, (1, 1000)))
        value = scaled(rng, low, high, 1 - size if slug in INVERSE_SPECS else size)
        return {"number": Decimal(round(value)) if slug in WHOLE_NUMBER_SPECS else sensible(value)}
    if kind == RANGE:
        if slug in RANGE_SPECS:
            lows, highs = RANGE_SPECS[slug]
            return {"number": Decimal(rng.choice(lows)), "number_max": Decimal(rng.choice(highs))}
        low = scaled(rng, 1, 1000, size)
        return {"number": sensible(low), "number_max": sensible(low * rng.uniform(1.5, 10))}
    if kind == TEXT:
        texts = TEXT_SPECS.get(slug) or [f"Type {rng.choice('ABCDEKMS')}{rng.randint(1, 9)}"]
        return {"text": rng.choice(texts)}
    if kind == CHOICE:
        if not attribute.choices:
            return None
        if slug in SIZE_ORDERED_CHOICES:
            return {"text": by_size(rng, attribute.choices, size)}
        return {"text": rng.choice(attribute.choices)}
    return {"boolean": rng.random() < BOOLEAN_ODDS.get(slug, 0.5)}


def spec_phrase(attribute: SpecAttribute, fields: dict) -> str | None:
    phrase = SPEC_PHRASES.get(attribute.slug)
    if phrase is None or fields.get("number") is None:
        return None
    unit = f" {attribute.unit}" if attribute.unit else ""
    value = format_number(fields["number"])
    if fields.get("number_max") is not None:
        value = f"{value}–{format_number(fields['number_max'])}"
    return phrase.format(f"{value}{unit}")


def by_size(rng: random.Random, options, size: float):
    """The option at about `size` along a list ordered from small to large."""
    position = min(0.999, max(0.0, size + rng.uniform(-0.12, 0.12)))
    return options[int(position * len(options))]


def with_article(noun: str, *, capital: bool = False) -> str:
    article = "an" if noun[0].lower() in "aeiou" or noun.startswith("FPV") else "a"
    return f"{article.capitalize() if capital else article} {noun}"


def make_coherent(values: dict[str, SpecValue]):
    """Settle what independent draws can contradict: a drone flown over optical fibre sends its video over
    the fibre too, and has no radio datalink; a radio-controlled one has no fibre-optic video."""
    control, video, bands = values.get("control-link"), values.get("video-link"), values.get("datalink-bands")
    if control is None or "Fibre-optic" not in control.attribute.choices:
        return
    fibre = control.text == "Fibre-optic"
    if (
        video is not None
        and "Fibre-optic" in video.attribute.choices
        and (video.text == "Fibre-optic") != fibre
    ):
        others = [choice for choice in video.attribute.choices if choice != "Fibre-optic"]
        video.text = "Fibre-optic" if fibre else others[-1]
    if bands is not None and bands.attribute.value_type == TEXT and ("fibre" in bands.text) != fibre:
        texts = TEXT_SPECS["datalink-bands"]
        bands.text = next(text for text in texts if ("fibre" in text) == fibre)


def joined(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"


def destinations(rng: random.Random, hub_country: str, countries: list[str]) -> list[str]:
    """The partner countries a listing may be offered to: its hub's own, some of its region, a few more."""
    allowed = set(countries)
    chosen = {hub_country} & allowed
    for country in REGIONS.get(hub_country, []):
        if country in allowed and rng.random() < 0.5:
            chosen.add(country)
    for country in countries:
        if rng.random() < DESTINATION_ODDS.get(country, OTHER_DESTINATION_ODDS):
            chosen.add(country)
    if not chosen:
        chosen.add(rng.choice(countries))
    return sorted(chosen)


# --- Products ---------------------------------------------------------------------------------------------
@dataclass
class LeafCategory:
    """A category products are put in (one without children), with what the generator needs of it."""

    category: Category
    top_level: Category
    lineage_slugs: list[str]  # its slug and those of the categories above it, nearest first
    attributes: list[SpecAttribute]  # its specification schema, root first, as Category.spec_attributes()
    weight: float

    @property
    def kind(self) -> Kind:
        return next((KINDS[slug] for slug in self.lineage_slugs if slug in KINDS), DEFAULT_KIND)


@dataclass
class Vocabulary:
    """What generated rows refer to in this database: categories, manufacturers, hubs and countries."""

    leaves: list[LeafCategory]
    top_level_slugs: list[str]
    specialists: dict[str, list[int]]  # top-level slug → the numbers of the manufacturers specialised in it
    manufacturer_ids: dict[int, int]  # manufacturer number → primary key
    manufacturer_names: dict[int, str]
    hubs: list[Hub]  # the active hubs listings go to
    countries: list[str]  # the partner countries listings may be offered to
    now: datetime.datetime

    @property
    def today(self) -> datetime.date:
        return self.now.date()


@dataclass
class GeneratedProduct:
    """An unsaved product with its unsaved specification values and listings (their product not yet set)."""

    number: int
    product: Product
    spec_values: list[SpecValue]
    listings: list[Listing]
    leaf: LeafCategory


def choose_leaf(rng: random.Random, number: int, leaves: list[LeafCategory]) -> LeafCategory:
    # The first products go round the categories once, so that each has one however small the run.
    if number <= len(leaves):
        return leaves[number - 1]
    return rng.choices(leaves, weights=[leaf.weight for leaf in leaves])[0]


def choose_manufacturer(rng: random.Random, number: int, top_level: str, vocabulary: Vocabulary) -> int:
    """A manufacturer specialised in the product's top-level category, now and then any. Only those that
    exist once this product's number is reached are candidates, so product i's maker does not depend on how
    large the catalogue later grows (and older firms end up with more products)."""
    available = manufacturers_needed(number, len(vocabulary.top_level_slugs))
    specialists = vocabulary.specialists[top_level]
    candidates = specialists[: bisect.bisect_right(specialists, available)]
    if rng.random() < 0.92 and candidates:
        return rng.choice(candidates)
    return rng.randint(1, available)


def nato_stock_number(number: int, supply_class: str) -> str:
    """NNNN-NN-NNN-NNNN. The seven item digits are a one-to-one function of the product number (the
    multiplier is coprime with 10⁷), so no two generated products share one; country code 25 is not one the
    demo fixtures use."""
    item = f"{(number * 7_368_787 + 1_234_567) % 10_000_000:07d}"
    return f"{supply_class}-25-{item[:3]}-{item[3:]}"


def build_product(seed, number: int, status: str, vocabulary: Vocabulary) -> GeneratedProduct:
    """Product number `number`, with a value for every attribute of its category's schema, and listings."""
    rng = rng_for(seed, "product", number)
    leaf = choose_leaf(rng, number, vocabulary.leaves)
    kind = leaf.kind
    size = rng.random()
    manufacturer = choose_manufacturer(rng, number, leaf.top_level.slug, vocabulary)

    spec_values, phrases = [], []
    for attribute in leaf.attributes:
        fields = spec_fields(rng, attribute, leaf.lineage_slugs, size)
        if fields is None:
            continue  # if the attribute is required, check_sample() in the command says so
        spec_values.append(SpecValue(attribute=attribute, **fields))
        phrase = spec_phrase(attribute, fields)
        if phrase and (attribute.is_required or attribute.is_filterable):
            phrases.append(phrase)
    by_slug = {value.attribute.slug: value for value in spec_values}
    make_coherent(by_slug)
    frame = int(by_slug["frame-size"].number) if "frame-size" in by_slug else None

    family = rng.choice(FAMILIES)
    designation = kind.designation.format(
        family=family, frame=frame or rng.choice(FRAME_SIZES), n=rng.randint(2, 99)
    )
    name = f"{designation}{rng.choice(VARIANTS)}"
    noun = by_size(rng, kind.nouns, size) if kind.nouns else f"{str(leaf.category.name).lower()} system"
    highlights = rng.sample(phrases, min(len(phrases), rng.randint(2, 3)))
    summary = with_article(noun, capital=True)
    if highlights:
        summary += f" with {joined(highlights)}"
    summary = f"{summary}, {rng.choice(CLOSINGS)}."
    sentences = next(
        (DESCRIPTION_SENTENCES[slug] for slug in leaf.lineage_slugs if slug in DESCRIPTION_SENTENCES),
        GENERIC_SENTENCES,
    )
    description = " ".join(
        [
            f"The {name} is {with_article(noun)} by {vocabulary.manufacturer_names[manufacturer]}.",
            *rng.sample(sentences, min(len(sentences), rng.randint(2, 4))),
            rng.choice(GENERIC_SENTENCES),
        ]
    )

    # From a random stream of its own: every other value stays what it was for a seed.
    template = rng_for(seed, "summary-uk", number).choice(UKRAINIAN_SUMMARIES)
    category_uk = leaf.category.name_uk or leaf.category.name_en or leaf.category.name
    summary_uk = template.format(category=category_uk, name=name)[:300]

    readiness = rng.choices([9, 8, 7, 6], weights=[60, 25, 10, 5])[0]
    combat_proven = readiness == 9 and rng.random() < 0.85
    dual_use = rng.random() < kind.dual_use_share
    has_nsn = rng.random() < 0.3
    product = Product(
        name=name,
        slug=product_slug(number, name),
        manufacturer_id=vocabulary.manufacturer_ids[manufacturer],
        category=leaf.category,
        summary=summary[:300],
        summary_uk=summary_uk,
        description=description,
        status=status,
        military_list_category="" if dual_use else kind.military_list,
        is_dual_use=dual_use,
        nato_stock_number=nato_stock_number(number, kind.supply_class) if has_nsn else "",
        technology_readiness_level=readiness,
        is_combat_proven=combat_proven,
        field_notes=rng.choice(FIELD_NOTES) if combat_proven else "",
        is_authorised_for_use=readiness >= 8 and rng.random() < 0.8,
        is_codified=has_nsn and rng.random() < 0.9,
        published_at=(
            None
            if status == Product.Status.DRAFT
            else vocabulary.now - datetime.timedelta(days=rng.uniform(1, 720))
        ),
    )
    listings = build_listings(seed, number, kind, vocabulary) if status == Product.Status.PUBLISHED else []
    return GeneratedProduct(number, product, spec_values, listings, leaf)


def build_listings(seed, number: int, kind: Kind, vocabulary: Vocabulary) -> list[Listing]:
    """One to four listings at different active hubs, about two on average. Their own random stream, so
    that the product stays the same if the hubs change."""
    rng = rng_for(seed, "listings", number)
    count = min(len(vocabulary.hubs), rng.choices([1, 2, 3, 4], weights=[35, 40, 18, 7])[0])
    low_price, high_price = kind.price
    base_price = low_price * (high_price / low_price) ** rng.random()
    unit = rng.choice(kind.units)
    listings = []
    for hub in rng.sample(vocabulary.hubs, count):
        availability = rng.choices(AVAILABILITIES, weights=[80, 12, 8])[0]
        exhausted = availability == Listing.Availability.EXHAUSTED
        quantity = 0 if exhausted else round(scaled(rng, *QUANTITIES[unit], 0.5))
        price = None  # "on request"
        if rng.random() >= 0.15:
            raw = base_price * rng.uniform(0.9, 1.15)
            price = Decimal(round(raw, -2 if raw >= 10000 else -1)).quantize(Decimal("0.01"))
        validity = rng.random()
        valid_until = None
        if validity < 0.1:
            valid_until = vocabulary.today - datetime.timedelta(days=rng.randint(1, 200))
        elif validity < 0.8:
            valid_until = vocabulary.today + datetime.timedelta(days=rng.randint(14, 450))
        listings.append(
            Listing(
                hub=hub,
                quantity_available=quantity,
                quantity_unit=unit,
                lead_time_weeks=min(52, max(1, round(rng.lognormvariate(math.log(6), 0.75)))),
                unit_price_eur=price,
                availability=availability,
                licence_status=rng.choices(LICENCE_STATUSES, weights=[25, 55, 20])[0],
                destination_countries=destinations(rng, hub.country.code, vocabulary.countries),
                valid_until=valid_until,
                notes=rng.choice(LISTING_NOTES),
            )
        )
    return listings


# --- Manufacturers ----------------------------------------------------------------------------------------
# Ukrainian regions and landscapes, transliterated; with the suffix, no real company's name. The roots of
# the demo fixtures' names (Sokolyk, Zhuravel, Stepovyk, Khvylia, Tysa, Obrii, Khorta, Pryboi, Hrim, Zirka)
# are not used.
MANUFACTURER_ROOTS = [
    "Berehynia", "Chumak", "Polissia", "Podillia", "Sivershchyna", "Prykarpattia", "Slobozhan", "Bukovyna",
    "Volyn", "Pokuttia", "Nadsiannia", "Ponyzzia", "Zelenyi Hai", "Sribnyi Mist", "Zolota Nyva",
    "Stepovyi Viter", "Kryla Dnipra", "Bilyi Lebid", "Kalynovyi Mist", "Vyshnevyi Sad", "Tykhyi Dunai",
    "Yasna Zoria", "Synii Kamin", "Hirskyi Potik", "Lisova Pisnia", "Ternovyi Hai", "Kamianyi Brid",
    "Rosianyi Luh", "Zoriane Pole", "Hlybokyi Yar", "Vysokyi Val", "Bystra Richka", "Tykha Vatra",
    "Dalekyi Bereh", "Soniachna Dolyna", "Chysti Dzherela", "Shyroka Balka", "Staryi Mlyn", "Novyi Bereh",
    "Ridnyi Krai",
]  # fmt: skip
MANUFACTURER_TRADES = {
    "unmanned-aerial-systems": (["Aerosystems", "Avionika", "Drone Works", "Airframes"],
                                "strike and reconnaissance drones"),
    "electronic-warfare": (["Radiotekhnika", "Electronics", "Signal Systems", "RF Labs"],
                           "jammers, drone detectors and radio monitoring equipment"),
    "counter-uas": (["Air Shield", "Defence Systems", "Counter-Drone"],
                    "counter-drone systems combining radar, jamming and interceptor drones"),
    "unmanned-ground-vehicles": (["Robotics", "Mechatronics", "Ground Systems"],
                                 "tracked and wheeled ground robots"),
    "maritime-drones": (["Marine", "Shipworks", "Naval Drones"], "uncrewed surface vessels"),
    "communications": (["Communications", "Radio", "Networks"], "tactical mesh radios and relays"),
    "optics-and-sensors": (["Optics", "Optyka", "Thermal Vision"],
                           "thermal sights, night-vision devices and drone gimbals"),
}  # fmt: skip
GENERIC_TRADE = (["Engineering", "Industries", "Defence Works"], "defence equipment")
CITIES = [
    "Kyiv", "Kharkiv", "Lviv", "Dnipro", "Odesa", "Zaporizhzhia", "Vinnytsia", "Poltava", "Chernihiv",
    "Sumy", "Mykolaiv", "Ivano-Frankivsk", "Ternopil", "Lutsk", "Rivne", "Zhytomyr", "Cherkasy",
    "Khmelnytskyi", "Uzhhorod", "Chernivtsi", "Kropyvnytskyi",
]  # fmt: skip
STRENGTHS = ["its own test range", "a repair line close to the front", "a pilot school", "an export office"]


@dataclass(frozen=True)
class ManufacturerRecord:
    number: int
    specialty: str  # a top-level category slug
    name: str
    slug: str
    city: str
    description: str
    is_verified: bool


def manufacturer_specialties(count: int, top_levels: dict[str, float]) -> list[str]:
    """The top-level category each of manufacturers 1 to count specialises in: the first ones one each, the
    others drawn by how many products the category gets."""
    slugs = sorted(top_levels)
    specialties = []
    for number in range(1, count + 1):
        if number <= len(slugs):
            specialties.append(slugs[number - 1])
        else:
            rng = random.Random(f"manufacturer-specialty-{number}")
            specialties.append(rng.choices(slugs, weights=[top_levels[slug] for slug in slugs])[0])
    return specialties


def manufacturer_records(specialties: list[str]) -> list[ManufacturerRecord]:
    """Manufacturers 1 to len(specialties), named after their trade, all names different (the first forty
    have forty different roots)."""
    roots = MANUFACTURER_ROOTS[:]
    random.Random("manufacturer-roots").shuffle(roots)
    records, taken = [], set()
    for number, specialty in enumerate(specialties, start=1):
        rng = random.Random(f"manufacturer-{number}")
        suffixes, trade = MANUFACTURER_TRADES.get(specialty, GENERIC_TRADE)
        start = (number - 1) % len(roots)
        rotated = roots[start:] + roots[:start]
        candidates = (f"{root} {suffix}" for root in rotated for suffix in suffixes)
        name = next((c for c in candidates if c not in taken), f"{rotated[0]} {suffixes[0]} {number}")
        taken.add(name)
        city = rng.choice(CITIES)
        description = (
            f"Designs and builds {trade} in {city}, in series since {rng.randint(2015, 2024)}, "
            f"with {rng.choice(STRENGTHS)}."
        )
        verified = rng.random() < 0.85
        records.append(
            ManufacturerRecord(number, specialty, name, slugify(name), city, description, verified)
        )
    return records


# --- Partner organisations and buyers ---------------------------------------------------------------------
ORGANISATION_NAMES = {
    "ministry": ["Defence Materiel Office", "Armaments Directorate", "Defence Capabilities Office"],
    "armed_forces": ["Land Forces Logistics Command", "Air Defence Command", "Territorial Defence Command",
                     "Naval Forces Support Command", "Drone Systems Wing"],
    "procurement_agency": ["Joint Procurement Agency", "Defence Procurement Agency",
                           "Materiel Support Agency"],
    "defence_company": ["Northern Defence Integration", "Allied Systems Integration",
                        "Continental Drone Services", "Baltic Shield Engineering",
                        "Atlantic Defence Logistics"],
}  # fmt: skip
FIRST_NAMES = [
    "Anna", "Jonas", "Marta", "Piotr", "Sofie", "Lukas", "Eva", "Tomas", "Ingrid", "Marek", "Claire", "Jan",
    "Laura", "Mikkel", "Katarzyna", "Pieter", "Elena", "Henrik", "Agnes", "Matteo", "Ilona", "Rasmus",
]  # fmt: skip
LAST_NAMES = [
    "Schmidt", "Kowalski", "Jensen", "Novak", "Dubois", "Berg", "Janssen", "Rossi", "Kask", "Ozols",
    "Kazlauskas", "Horvath", "Lindqvist", "Nieminen", "Popescu", "Smith", "Hansen", "Vermeulen", "Wagner",
    "Zielinska", "Svoboda", "Moreau",
]  # fmt: skip
JOB_TITLES = [
    "Procurement officer", "Capability manager", "Contracting officer", "Programme manager",
    "Technical evaluator", "Logistics officer",
]  # fmt: skip


@dataclass(frozen=True)
class BuyerRecord:
    username: str
    first_name: str
    last_name: str
    job_title: str


@dataclass(frozen=True)
class OrganisationRecord:
    number: int
    name: str
    country: str
    kind: str
    vetting_status: str
    buyers: list[BuyerRecord]


def organisation_record(number: int) -> OrganisationRecord:
    """Organisation number k, recognisable by the "(synthetic #k)" that ends its name. The first three are
    approved, in Germany, Poland and the UK, so that even a small run has partners to make EOIs for."""
    rng = random.Random(f"organisation-{number}")
    weights = [ORGANISATION_COUNTRY_WEIGHTS.get(country, 1) for country in PARTNER_COUNTRIES]
    country = rng.choices(PARTNER_COUNTRIES, weights=weights)[0]
    status = rng.choices(["approved", "pending", "suspended"], weights=[83, 10, 7])[0]
    if number <= 3:
        country, status = ["DE", "PL", "GB"][number - 1], "approved"
    kind = rng.choice(list(ORGANISATION_NAMES))
    name = f"{rng.choice(ORGANISATION_NAMES[kind])} (synthetic #{number})"
    buyers = [
        BuyerRecord(
            f"{USERNAME_PREFIX}buyer-{number:03d}-{index}",
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
            rng.choice(JOB_TITLES),
        )
        for index in range(1, rng.randint(1, 3) + 1)
    ]
    return OrganisationRecord(number, name, country, kind, status, buyers)


# --- Expressions of interest ------------------------------------------------------------------------------
S, UR, IR, AN = Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED, Status.ANSWERED
AC, DC, WD = Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN
# Walks through interests.models.TRANSITIONS to each state (check_paths() proves them legal).
PATHS = {
    S: [[S]],
    UR: [[S, UR], [S, UR], [S, UR, IR, AN, UR]],
    IR: [[S, UR, IR], [S, UR, IR, AN, IR]],
    AN: [[S, UR, IR, AN]],
    AC: [[S, UR, AC], [S, UR, AC], [S, UR, IR, AN, AC]],
    DC: [[S, UR, DC], [S, UR, IR, AN, DC]],
    WD: [[S, WD], [S, UR, WD], [S, UR, IR, WD]],
}
STATE_WEIGHTS = {S: 25, UR: 20, IR: 10, AN: 8, AC: 15, DC: 12, WD: 10}
FINAL_STATES = frozenset(state for state, targets in TRANSITIONS.items() if not targets)
BUYER_STEPS = frozenset({S, AN, WD})
END_USERS = [
    "1st Air Defence Battalion", "Territorial Defence Brigade North", "Naval Base Security Unit",
    "Drone Training Centre", "Armoured Reconnaissance Company", "Joint Logistics Command",
    "Border Guard Aviation Wing", "Special Operations Support Group", "Artillery Regiment 12",
    "Engineer Battalion 3", "Coastal Defence Squadron",
]  # fmt: skip
MESSAGES = [
    "We would like to evaluate a first batch before a larger order.",
    "Delivery to our central depot; training for two crews would be welcome.",
    "Please confirm the export licence timeline for our country.",
    "Part of a joint procurement with two neighbouring partners.",
    "",
]
# What each step says to the buyer, and its coded reason where the workflow requires one.
STEP_WORDS = {
    IR: ("Please send the end-user details and the planned delivery window.", Reason.END_USER_DETAILS),
    AN: ("The end user is the unit named above; delivery is wanted in the second quarter.", ""),
    AC: ("Forwarded to the manufacturer, who will contact you about a contract and the export licence.", ""),
    DC: ("The surplus at this hub has been allocated; please ask again for the next batch.",
         Reason.SURPLUS_UNAVAILABLE),
    WD: ("Our requirement has changed.", ""),
}  # fmt: skip


def check_paths() -> list[str]:
    """The steps of PATHS that the workflow does not allow (empty when every walk is legal)."""
    problems = []
    for state, paths in PATHS.items():
        for path in paths:
            if path[0] != S or path[-1] != state:
                problems.append(f"{' → '.join(path)} does not lead from submitted to {state}")
            problems += [f"{a} → {b}" for a, b in itertools.pairwise(path) if b not in TRANSITIONS[a]]
    return problems


def interest_state(seed, number: int) -> str:
    """The first EOIs go round the states, so that each has at least three; the others are drawn."""
    states = list(Status.values)
    if number <= MIN_INTERESTS_PER_STATE * len(states):
        return states[(number - 1) % len(states)]
    weights = [STATE_WEIGHTS[state] for state in states]
    return rng_for(seed, "interest-state", number).choices(states, weights=weights)[0]


@dataclass
class GeneratedInterest:
    interest: ExpressionOfInterest
    lines: list[InterestLine]
    history: list[StatusChange]


def build_interest(
    seed,
    number: int,
    rng: random.Random,
    *,
    organisation,
    buyer_user,
    staff_user,
    listings: list[Listing],
    now: datetime.datetime,
    review_days: int,
) -> GeneratedInterest:
    """An EOI in its state, with a line per listing (snapshots taken as at submission) and the history that
    led there, every step one the workflow allows, staff steps by `staff_user`."""
    state = interest_state(seed, number)
    path = rng.choice(PATHS[state])
    gaps = [datetime.timedelta(days=rng.uniform(0.2, 9)) for _step in path[1:]]
    submitted_at = now - sum(gaps, datetime.timedelta()) - datetime.timedelta(days=rng.uniform(0.5, 120))
    intended_use = rng.choice(ExpressionOfInterest.IntendedUse.values)
    financing = rng.choice(ExpressionOfInterest.Financing.values)
    country = organisation.country.code
    interest = ExpressionOfInterest(
        reference=eoi_reference(number, submitted_at),
        status=state,
        organisation=organisation,
        submitted_by=buyer_user,
        end_user=rng.choice(END_USERS),
        intended_use=intended_use,
        intended_use_other="Trials with allied units" if intended_use == "other" else "",
        delivery_country=country,
        end_user_certificate=rng.choice(ExpressionOfInterest.CertificateStatus.values),
        financing=financing,
        financing_other="Joint procurement with partners" if financing == "other" else "",
        contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        contact_phone=f"+{DIAL_CODES.get(country, '00')} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
        message=rng.choice(MESSAGES),
        declaration_accepted=True,
        idempotency_key=uuid.uuid5(EOI_NAMESPACE, f"{seed}-interest-{number}"),
        submitted_at=submitted_at,
        review_due_on=(submitted_at + datetime.timedelta(days=review_days)).date(),
    )
    lines = []
    for listing in listings:
        start = submitted_at.date() + datetime.timedelta(days=rng.randint(30, 120))
        line = InterestLine(
            interest=interest,
            quantity=max(1, round(rng.uniform(0.05, 1.2) * max(listing.quantity_available, 5))),
            delivery_from=start,
            delivery_until=start + datetime.timedelta(days=rng.randint(30, 180)),
        )
        line.take_snapshot(listing)
        lines.append(line)

    history, at, previous = [], submitted_at, ""
    for step, gap in zip(path, [datetime.timedelta(), *gaps], strict=True):
        at += gap
        comment, reason = STEP_WORDS.get(step, ("", ""))
        actor = buyer_user if step in BUYER_STEPS else staff_user
        history.append(
            StatusChange(
                interest=interest,
                from_status=previous,
                to_status=step,
                actor=actor,
                at=at,
                reason=reason,
                comment=comment,
            )
        )
        previous = step
    if any(step not in BUYER_STEPS for step in path):
        interest.reviewer = staff_user
    # The model's constraint: a decision date exactly when the state is final, the date of the last step.
    interest.decided_at = at if state in FINAL_STATES else None
    if state in DECISION_FOR_STATUS:
        # Decided as a whole by the one staff user: every line has the EOI's outcome.
        for line in lines:
            line.decision, line.decided_at = DECISION_FOR_STATUS[state], at
    return GeneratedInterest(interest, lines, history)


# --- Pictures ---------------------------------------------------------------------------------------------
def picture_alt_text(top_level: Category) -> str:
    """The alternative text of a top-level category's shared picture, which is also how the command finds
    the picture again. Not draw_product_images' prefix, whose --replace would redraw every product."""
    _colour, pictogram = drawing.STYLES.get(top_level.slug, drawing.FALLBACK)
    return f"Illustration (not a photograph) for {top_level.name}: a {pictogram} pictogram"[:200]


def draw_category_picture(top_level: Category) -> bytes:
    """A JPEG in draw_product_images' style (its gradient and pictogram), captioned with the category rather
    than a product's name, since every generated product of the category shares it. JPEG rather than PNG:
    ProductImage.save() re-encodes it in its own format, and JPEG is the faster of the two."""
    colour, pictogram = drawing.STYLES.get(top_level.slug, drawing.FALLBACK)
    width, height, scale = drawing.WIDTH, drawing.HEIGHT, drawing.SCALE
    overlay = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    drawing.grid(draw, *overlay.size)
    drawing.PICTOGRAMS[pictogram](drawing.Pen(draw, centre=(width / 2, 320)))
    band_top = (height - 150) * scale
    draw.rectangle([(0, band_top), overlay.size], fill=(8, 12, 20, 150))
    title = str(top_level.name)
    draw.text(
        (60 * scale, band_top + 40 * scale),
        title,
        font=drawing.fitted_font(draw, title, 64, width - 120),
        fill=(*drawing.INK, 255),
    )
    overlay = overlay.resize((width, height), Image.Resampling.BOX)
    background = drawing.gradient(width, height, drawing.shade(colour, 0.35), colour)
    buffer = io.BytesIO()
    Image.alpha_composite(background, overlay).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


# Checked when the module loads: a partner country under embargo would be a bug in the tables above.
if EMBARGOED & set(PARTNER_COUNTRIES):  # pragma: no cover
    raise RuntimeError(f"Embargoed partner countries: {sorted(EMBARGOED & set(PARTNER_COUNTRIES))}")
