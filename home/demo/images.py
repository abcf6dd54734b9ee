"""Demo images drawn locally with Pillow (nothing is downloaded).

The motif is an eight-pointed star tessellation, a pattern common in Islamic
geometric art, in the site's red, ink and gold. Each image is made once and
found again by title, so loading the demo twice creates no duplicates.
"""

import io
import math

from django.core.files.images import ImageFile

from wagtail.images import get_image_model
from wagtail.models import Collection

from PIL import Image, ImageDraw, ImageFont

RED = (179, 0, 45)
RED_DARK = (140, 10, 38)
RED_DEEP = (107, 16, 32)
GOLD = (255, 210, 77)
INK = (29, 29, 38)
WHITE = (255, 255, 255)

COLLECTION_NAME = "Demo images"

FONT_FILES = [
    "DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
]


def _font(size):
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    # Pillow's own scalable font: always available, so the demo never fails here.
    return ImageFont.load_default(size=size)


def _star(draw, cx, cy, radius, fill):
    """An eight-pointed star: two overlapping squares, one turned 45 degrees."""
    half = radius / math.sqrt(2)
    square = [(cx - half, cy - half), (cx + half, cy - half), (cx + half, cy + half)]
    draw.polygon([*square, (cx - half, cy + half)], fill=fill)
    diamond = [(cx, cy - radius), (cx + radius, cy), (cx, cy + radius), (cx - radius, cy)]
    draw.polygon(diamond, fill=fill)


def _gradient(size, top, bottom):
    width, height = size
    image = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    return image


def pattern(size, background=(RED, RED_DEEP), star=RED_DARK, accent=GOLD, cell=120, seed=0):
    """A field of stars on a gradient, with every few stars picked out in the accent."""
    image = _gradient(size, *background)
    draw = ImageDraw.Draw(image)
    width, height = size
    rows = height // cell + 2
    cols = width // cell + 2
    for row in range(rows):
        for col in range(cols):
            cx = col * cell + (cell / 2 if row % 2 else 0)
            cy = row * cell * 0.87
            highlight = (row * 7 + col * 3 + seed) % 11 == 0
            _star(draw, cx, cy, cell * 0.42, accent if highlight else star)
            _star(draw, cx, cy, cell * 0.2, background[0] if not highlight else INK)
    return image


def _wrap(draw, text, font, max_width):
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= max_width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def share_card(title, kicker="Labour Muslim Network", seed=0):
    """A 1200×630 sharing image: the title in white on a red panel beside the pattern."""
    image = pattern((1200, 630), seed=seed, cell=150)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 760, 630], fill=INK)
    draw.rectangle([0, 0, 760, 14], fill=RED)
    kicker_font = _font(30)
    draw.text((64, 70), kicker.upper(), font=kicker_font, fill=GOLD)
    title_font = _font(64)
    y = 140
    for line in _wrap(draw, title, title_font, 640)[:5]:
        draw.text((64, y), line, font=title_font, fill=WHITE)
        y += 78
    return image


def hero_art():
    """The home page's hero picture: a tessellation on red with a gold centre star."""
    image = pattern((960, 720), background=(RED_DARK, RED_DEEP), star=RED, cell=140, seed=3)
    draw = ImageDraw.Draw(image)
    _star(draw, 480, 360, 210, WHITE)
    _star(draw, 480, 360, 150, RED)
    _star(draw, 480, 360, 70, GOLD)
    return image


def _collection():
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=COLLECTION_NAME).first()
    return existing or root.add_child(name=COLLECTION_NAME)


# Drawn PNGs by title, so that a process building the demo more than once (the
# test suite) draws each picture only once.
_drawn = {}


def get_or_create_image(title, draw_image, description=""):
    """The Wagtail image called `title`, drawing and saving it the first time."""
    Image_ = get_image_model()
    image = Image_.objects.filter(title=title, collection__name=COLLECTION_NAME).first()
    if image is not None:
        return image
    if title not in _drawn:
        buffer = io.BytesIO()
        draw_image().save(buffer, format="PNG")
        _drawn[title] = buffer.getvalue()
    buffer = io.BytesIO(_drawn[title])
    filename = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")[:60] + ".png"
    image = Image_(title=title, collection=_collection(), description=description)
    image.file = ImageFile(buffer, name=filename)
    image.save()
    return image
