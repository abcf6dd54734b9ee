"""StreamField blocks used only by the report and the action plan."""

from wagtail import blocks

from home.pages.blocks import BaseStreamBlock


class FindingBlock(blocks.StructBlock):
    figure = blocks.DecimalBlock(
        min_value=0,
        max_value=100,
        decimal_places=1,
        help_text="Percentage of respondents, 0–100 (e.g. 29).",
    )
    label = blocks.CharBlock(
        max_length=200, help_text="What the figure measures, e.g. 'had experienced Islamophobia'."
    )
    source = blocks.CharBlock(max_length=250, help_text="Where the figure comes from.")
    source_url = blocks.URLBlock(required=False, label="Source URL")

    class Meta:
        icon = "table"
        label = "Finding"


class KeyFactsBlock(blocks.StructBlock):
    """Short label/value pairs, e.g. sample size and fieldwork dates in the methodology."""

    facts = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("label", blocks.CharBlock(max_length=80)),
                ("value", blocks.CharBlock(max_length=250)),
            ]
        )
    )

    class Meta:
        icon = "list-ul"
        label = "Key facts"
        template = "home/includes/report_key_facts_block.html"


class DefinitionBlock(blocks.StructBlock):
    term = blocks.CharBlock(max_length=120)
    definition = blocks.RichTextBlock(features=["bold", "italic", "link"])
    source = blocks.CharBlock(required=False, max_length=250)
    source_url = blocks.URLBlock(required=False, label="Source URL")

    class Meta:
        icon = "help"
        label = "Definition"
        template = "home/includes/report_definition_block.html"


class ReportStreamBlock(BaseStreamBlock):
    """The shared blocks plus the report's key facts and definitions."""

    key_facts = KeyFactsBlock()
    definition = DefinitionBlock()


class SourceBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=400, help_text="e.g. 'ITV News, 13 November 2020'.")
    url = blocks.URLBlock(required=False, label="URL")

    class Meta:
        icon = "link"
        label = "Source"


class EvidenceLinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    url = blocks.URLBlock(label="URL")

    class Meta:
        icon = "link"
        label = "Evidence link"
