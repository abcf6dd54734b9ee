"""Wagtail's content checker (axe-core), tuned for this site's editors.

It runs from the userbar on pages an editor views while signed in, and in the
"Checks" side panel of the page editor's preview. Wagtail's default set of
rules is kept and a few are added that catch what editors can cause and fix
themselves (missing alt text, unlabelled links, headings out of order,
duplicate link text). The checks look at the page's main content only: the
header and footer are the developers' responsibility and are tested in CI.
"""

from wagtail.admin.userbar import ContentCheckerItem

EXTRA_RULES = [
    "image-alt",
    "svg-img-alt",
    "role-img-alt",
    "object-alt",
    "link-in-text-block",
    "list",
    "listitem",
    "table-duplicate-name",
    "th-has-data-cells",
    "duplicate-id-aria",
    "identical-links-same-purpose",
]

EXTRA_MESSAGES = {
    "image-alt": {
        "error_name": "Image has no alt text",
        "help_text": "Describe the image for people who cannot see it",
    },
    "identical-links-same-purpose": {
        "error_name": "Links with the same text go to different places",
        "help_text": "Give each link text that says where it goes",
    },
    "link-in-text-block": {
        "error_name": "Link cannot be told apart from the text around it",
        "help_text": "Use the editor's link button rather than colour alone",
    },
}


class SiteContentChecker(ContentCheckerItem):
    """Wagtail's checker with the extra rules above, limited to <main>."""

    axe_include = ["main"]
    axe_run_only = [*ContentCheckerItem.axe_run_only, *EXTRA_RULES]
    axe_messages = {**ContentCheckerItem.axe_messages, **EXTRA_MESSAGES}


def use_site_content_checker(request, items, page):
    """The `construct_wagtail_userbar` hook: swap Wagtail's checker for ours, keeping
    where it runs (on the page or in the editor's preview panel)."""
    for position, item in enumerate(items):
        if isinstance(item, ContentCheckerItem) and not isinstance(item, SiteContentChecker):
            items[position] = SiteContentChecker(in_editor=getattr(item, "in_editor", False))
