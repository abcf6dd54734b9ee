"""Reading time of a post: plain functions, no database."""

import math
import re

from django.utils.html import strip_tags

WORDS_PER_MINUTE = 200
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def count_words(text):
    """Words in `text` after removing any HTML tags."""
    return len(_WORD.findall(strip_tags(text or "")))


def minutes_for(words, words_per_minute=WORDS_PER_MINUTE):
    """Whole minutes to read `words` words, rounded up; never less than one minute."""
    if words <= 0:
        return 1
    return max(1, math.ceil(words / words_per_minute))


def stream_text(stream_value):
    """The readable text of a StreamField value: headings, paragraphs, quotes and captions.

    Images, embeds and buttons take a moment to look at but are not words to read, so
    they are left out.
    """
    parts = []
    for block in stream_value or []:
        value = block.value
        if block.block_type == "paragraph":
            parts.append(getattr(value, "source", str(value)))
        elif block.block_type == "heading":
            parts.append(value.get("heading_text", ""))
        elif block.block_type == "quote":
            parts.append(value.get("text", ""))
            parts.append(value.get("attribute_name", ""))
        elif block.block_type == "image":
            parts.append(value.get("caption", ""))
    return " ".join(part for part in parts if part)


def reading_minutes(*texts):
    """Minutes to read all of `texts` (plain text or HTML) together."""
    return minutes_for(sum(count_words(text) for text in texts))
