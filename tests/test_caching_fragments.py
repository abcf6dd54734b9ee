"""Fragment caches (menus, footer, listings) keep their HTML until the content
version changes: a publish, an unpublish, a deletion, a settings save or an
author's new name shows on the next request; a preview neither reads nor leaves
a copy. Run with the caches the suite always has (Redis under `make test`)."""

import io

from django.db.models.signals import post_delete
from django.test import Client

from wagtail.models import Page

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(home_page):
    from home.demo.content import load_home_content

    load_home_content(home_page, io.StringIO())
    return home_page


def about():
    return Page.objects.get(slug="about").specific


def rename_silently(page, title):
    """Change a live page's title without publishing: no signal, so only an
    uncached render shows it."""
    Page.objects.filter(pk=page.pk).update(title=title)


def test_menu_is_cached_until_a_page_is_published(site):
    client = Client()
    page = about()
    assert f">{page.title}</a>" in client.get("/search/").content.decode()
    rename_silently(page, "Renamed quietly")
    assert "Renamed quietly" not in client.get("/search/").content.decode()

    page.refresh_from_db()
    page.title = "Renamed and published"
    page.save_revision().publish()
    assert "Renamed and published" in client.get("/search/").content.decode()


def test_unpublishing_or_deleting_a_page_takes_it_out_of_the_menu(site):
    client = Client()
    page = about()
    assert f'href="{page.url}"' in client.get("/search/").content.decode()
    page.unpublish()
    assert f'href="{page.url}"' not in client.get("/search/").content.decode()

    contact = Page.objects.get(slug="contact")
    assert f'href="{contact.url}"' in client.get("/search/").content.decode()
    contact.delete()
    assert f'href="{contact.url}"' not in client.get("/search/").content.decode()


def test_a_site_settings_save_refreshes_the_footer(site):
    from home.models import SiteSettings

    client = Client()
    assert "PO Box 0000" in client.get("/").content.decode()
    settings = SiteSettings.load()
    settings.contact_address = "1 Example Street (example address)"
    settings.save()
    assert "1 Example Street" in client.get("/").content.decode()


@pytest.fixture
def index(home_page):
    from blog.factories import BlogIndexPageFactory

    return BlogIndexPageFactory(parent=home_page)


def test_an_author_or_category_change_shows_on_the_cached_listing(index):
    from blog.factories import AuthorFactory, BlogCategoryFactory, make_post

    author = AuthorFactory(name="Original Author")
    category = BlogCategoryFactory(name="Original Category")
    make_post(index, "Post with an author", authors=[author], categories=[category])
    client = Client()
    assert "Original Author" in client.get(index.url).content.decode()
    author.name = "Renamed Author"
    author.save()
    category.name = "Renamed Category"
    category.save()
    html = client.get(index.url).content.decode()
    assert "Renamed Author" in html and "Original Author" not in html
    assert "Renamed Category" in html and "Original Category" not in html


def test_a_preview_neither_reads_nor_leaves_a_cached_menu(site):
    page = about()
    Client().get("/search/")  # the public menu is cached
    draft = page.get_latest_revision_as_object()
    draft.title = "A title still in draft"
    draft.save_revision()
    rename_silently(page, "Renamed quietly")
    # The preview renders its own menu (it shows the database as it is now)...
    assert "Renamed quietly" in draft.make_preview_request().content.decode()
    # ...and public readers still get the cached one, not the preview's.
    html = Client().get("/search/").content.decode()
    assert "Renamed quietly" not in html and "A title still in draft" not in html


def test_no_receiver_of_post_delete_lacks_a_sender():
    """A receiver without a sender turns off Django's fast delete for every model."""
    from django.dispatch.dispatcher import NONE_ID

    assert not [entry for entry in post_delete.receivers if entry[0][1] == NONE_ID]
