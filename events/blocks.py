"""The "What we heard" StreamField of an event page: themes, each with a summary,
optional short quotes and the action-plan recommendations it informed."""

from django import forms
from django.utils.encoding import force_str

from wagtail import blocks


def recommendation_choices():
    """Every recommendation of every action plan, as ("id", "Plan: 3. Title").

    Read each time the editor's form is built, so new recommendations appear
    without a restart. Events build on home, never the other way round.
    """
    from home.models import Recommendation

    rows = Recommendation.objects.select_related("page").order_by("page__title", "number")
    return [(str(rec.pk), f"{rec.page.title}: {rec.number}. {rec.title}") for rec in rows]


class RecommendationsBlock(blocks.MultipleChoiceBlock):
    """Recommendation ids, kept as the strings the form sends.

    Wagtail would look every stored value up in the choices (a query each time a
    page is read); the editor's form still checks them against the choices, and
    `events.what_we_heard` skips any that no longer exist.
    """

    def normalize_choice(self, value):
        return None if value is None else force_str(value)


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(
        max_length=400,
        help_text="A short quote chosen from what people said or wrote. Take out anything that "
        "could identify them.",
    )
    credit = blocks.CharBlock(
        required=False,
        max_length=150,
        help_text="Leave blank (the quote is anonymous) unless the person asked to be credited: "
        "only the name of a contributor who ticked that box is accepted.",
    )

    class Meta:
        icon = "openquote"
        label = "Quote"


class ThemeBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, help_text="The theme, in a few words.")
    summary = blocks.RichTextBlock(features=["bold", "italic", "link", "ul"])
    quotes = blocks.ListBlock(QuoteBlock(), default=[], label="Quotes (optional)")
    recommendations = RecommendationsBlock(
        choices=recommendation_choices,
        required=False,
        search_index=False,
        widget=forms.CheckboxSelectMultiple,
        label="Action-plan recommendations this theme informed",
    )

    class Meta:
        icon = "list-ul"
        label = "Theme"


class WhatWeHeardBlock(blocks.StreamBlock):
    theme = ThemeBlock()

    class Meta:
        block_counts = {}
