"""The report's outline: stable anchors, sections and the table of contents.

Plain functions over plain values (and over a StreamField's blocks, which only
need `block_type` and `value`), so the tests can call them directly.
"""

from dataclasses import dataclass, field

from django.utils.text import slugify

# Ids the report template uses for its own fixed parts: a heading in the body
# must never take one of them, or a table-of-contents link would jump to the
# wrong place.
RESERVED_ANCHORS = frozenset(
    {
        "main-content",
        "contents",
        "summary",
        "key-findings",
        "report-body",
        "sources",
        "citation",
        "download",
        "related",
    }
)

MAX_SLUG_LENGTH = 60


def unique_anchor(text, taken, fallback="section"):
    """Slugify `text` into an id not yet in `taken`, and add it there.

    Rule: the id is the slug of the text (cut to 60 characters); a text that
    slugifies to nothing (punctuation, emoji) uses `fallback`; a clash gets
    `-2`, `-3`... in order of appearance, so earlier headings keep their id
    when a later duplicate is added.
    """
    base = slugify(text)[:MAX_SLUG_LENGTH].strip("-") or fallback
    anchor = base
    suffix = 2
    while anchor in taken:
        anchor = f"{base}-{suffix}"
        suffix += 1
    taken.add(anchor)
    return anchor


def unique_anchors(texts, reserved=RESERVED_ANCHORS, fallback="section"):
    """One unique id per text, in order (see `unique_anchor`)."""
    taken = set(reserved)
    return [unique_anchor(text, taken, fallback) for text in texts]


@dataclass
class TocEntry:
    text: str
    anchor: str
    children: list = field(default_factory=list)


@dataclass
class Section:
    """A run of body blocks under one level-2 heading (or before the first one)."""

    heading: str = ""
    anchor: str = ""
    # (block, anchor) pairs; anchor is set for heading blocks only.
    blocks: list = field(default_factory=list)


@dataclass
class Outline:
    sections: list
    toc: list
    taken: set


def heading_of(block):
    """(text, level) for a heading block, None for any other block."""
    if block.block_type != "heading":
        return None
    value = block.value
    level = int(str(value.get("size") or "h2").lstrip("h") or 2)
    return value.get("heading_text") or "", level


def build_outline(blocks, reserved=RESERVED_ANCHORS):
    """Group body blocks into sections and build the table of contents.

    Rules: every heading block gets a unique id (`unique_anchor`); a level-2
    heading starts a new section and a top-level contents entry; a level-3
    heading is listed under the level-2 entry before it (or at the top level
    when there is none); level-4 headings get ids but stay out of the
    contents, which would otherwise grow too long to scan.
    """
    taken = set(reserved)
    sections = [Section()]
    toc = []
    for block in blocks:
        heading = heading_of(block)
        if heading is None:
            sections[-1].blocks.append((block, ""))
            continue
        text, level = heading
        anchor = unique_anchor(text, taken)
        if level <= 2:
            sections.append(Section(heading=text, anchor=anchor, blocks=[(block, anchor)]))
            toc.append(TocEntry(text=text, anchor=anchor))
            continue
        sections[-1].blocks.append((block, anchor))
        if level == 3:
            entry = TocEntry(text=text, anchor=anchor)
            if toc:
                toc[-1].children.append(entry)
            else:
                toc.append(entry)
    if not sections[0].blocks:
        sections.pop(0)
    return Outline(sections=sections, toc=toc, taken=taken)


def suggested_citation(organisation, year, title, url=""):
    """A Harvard-style citation: `Organisation (year) Title. Available at: url`."""
    text = f"{organisation} ({year}) {title}."
    if url:
        text += f" Available at: {url}"
    return text
