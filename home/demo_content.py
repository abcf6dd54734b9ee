"""Demo content for the home app: the home page, standard pages and forms.

Written in our own words from the public record (see docs/CONTENT.md for the
facts and their sources).
"""

from wagtail.models import Page, Site

from .models import HomePage


def build_home_tree(stdout):
    """Create (or find) the home page and make it the default site's root."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's migrations create a placeholder "Welcome" page; replace it.
        for child in root.get_children():
            if not isinstance(child.specific, HomePage):
                Site.objects.filter(root_page=child).delete()
                child.delete()
        root.refresh_from_db()
        home = HomePage(
            title="Labour Muslim Network",
            slug="home",
            hero_heading="A voice for Muslim members and supporters of the Labour Party",
            hero_intro=(
                "We organise, campaign and hold our party to its word on tackling Islamophobia."
            ),
            seo_title="Labour Muslim Network",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        stdout.write("Created the home page.")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Labour Muslim Network",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return home
