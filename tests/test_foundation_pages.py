"""The site's pages, chrome, search, sitemap, robots and error pages."""

import io
import re
from html.parser import HTMLParser

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import override_settings

from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, PageViewRestriction

import pytest

from home.demo.content import load_home_content
from home.models import FormPage, HomePage, StandardPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(home_page):
    """The home app's demo pages under the home page (no other app's content)."""
    load_home_content(home_page, io.StringIO())
    home_page.refresh_from_db()
    return home_page


def page_at(path):
    return Page.objects.get(url_path=f"/home{path}").specific


class Elements(HTMLParser):
    """Every start tag as (tag, attrs, text up to the next tag), for assertions on markup."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append([tag, dict(attrs), ""])

    def handle_data(self, data):
        if self.tags:
            self.tags[-1][2] += data

    def find(self, tag=None, **attrs):
        return [
            (t, a, text)
            for t, a, text in self.tags
            if (tag is None or t == tag)
            and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


# ---------------------------------------------------------------------------
# Page-type rules


def test_home_page_only_under_the_tree_root_and_only_once(home_page):
    root = Page.get_first_root_node()
    assert not HomePage.can_create_at(root)  # max_count = 1 and one exists
    assert not HomePage.can_exist_under(home_page)
    assert HomePage.can_exist_under(root)


def test_standard_pages_nest_under_home_and_each_other(home_page):
    assert StandardPage.can_exist_under(home_page)
    about = StandardPage(title="About", slug="about")
    home_page.add_child(instance=about)
    assert StandardPage.can_exist_under(about)
    assert FormPage.can_exist_under(about)
    assert not StandardPage.can_exist_under(Page.get_first_root_node())


def test_form_pages_are_leaves(home_page):
    form = FormPage(title="Contact", slug="contact")
    home_page.add_child(instance=form)
    assert FormPage.allowed_subpage_models() == []
    assert not StandardPage.can_exist_under(form)


# ---------------------------------------------------------------------------
# Every page type renders


DEMO_PAGES = {
    "/": "A strong Muslim voice in the Labour Party",
    "/about/": "About",
    "/islamophobia-hub/": "Islamophobia Hub",
    "/services/": "Services for CLPs",
    "/services/enquiry/": "Request training or a speaker",
    "/contact/": "Contact",
    "/privacy-notice/": "Privacy notice",
    "/accessibility-statement/": "Accessibility statement",
}


def test_every_demo_page_renders_with_its_one_heading(client, demo):
    for path, heading in DEMO_PAGES.items():
        response = client.get(path)
        assert response.status_code == 200, path
        h1s = Elements(response.content.decode()).find("h1")
        assert [text.strip() for _, _, text in h1s] == [heading], path


def test_standard_page_renders_every_block_type(client, home_page):
    image = Image.objects.create(title="Test picture", file=get_test_image_file())
    document = Document.objects.create(
        title="Briefing", file=ContentFile(b"%PDF-1.4 test", name="briefing.pdf")
    )
    page = StandardPage(
        title="Blocks",
        slug="blocks",
        body=[
            ("heading", {"heading_text": "A section", "size": "h2"}),
            ("paragraph", "<p>Some <b>rich</b> text.</p>"),
            ("image", {"image": image, "alt_text": "A test picture", "caption": "Cap"}),
            ("quote", {"text": "Words worth quoting.", "attribute_name": "Someone"}),
            ("document", {"document": document, "title": ""}),
            ("call_to_action", {"text": "Go home", "page": home_page, "style": "primary"}),
        ],
    )
    home_page.add_child(instance=page)
    html = client.get("/blocks/").content.decode()
    assert '<h2 id="a-section">A section</h2>' in html
    assert "<b>rich</b>" in html
    assert 'alt="A test picture"' in html and "<figcaption>Cap" in html
    assert "<blockquote><p>Words worth quoting.</p></blockquote>" in html
    assert f'href="{document.url}"' in html and ">Briefing<" in html
    assert re.search(r'<a class="button" href="/">Go home</a>', html)


# ---------------------------------------------------------------------------
# Navigation and breadcrumbs


def menu_links(html):
    nav = html.split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
    return Elements(nav).find("a")


def test_main_menu_lists_live_public_menu_pages_in_order(client, demo):
    html = client.get("/").content.decode()
    titles = [text.strip() for _, _, text in menu_links(html)]
    assert titles == ["About", "Islamophobia Hub", "Services for CLPs", "Contact"]


def test_main_menu_leaves_out_drafts_private_and_unmenued_pages(client, demo):
    page_at("/islamophobia-hub/").unpublish()
    PageViewRestriction.objects.create(
        page=page_at("/services/"), restriction_type="password", password="x"
    )
    titles = [text.strip() for _, _, text in menu_links(client.get("/").content.decode())]
    assert titles == ["About", "Contact"]


def test_menu_marks_the_current_page_and_section(client, demo):
    links = menu_links(client.get("/about/").content.decode())
    assert [(text.strip(), a.get("aria-current")) for _, a, text in links][:1] == [
        ("About", "page")
    ]
    links = menu_links(client.get("/services/enquiry/").content.decode())
    current = {text.strip(): a.get("aria-current") for _, a, text in links}
    assert current == {
        "About": None,
        "Islamophobia Hub": None,
        "Services for CLPs": "true",
        "Contact": None,
    }


def test_menu_uses_a_page_types_short_menu_title(client, demo, monkeypatch):
    monkeypatch.setattr(StandardPage, "menu_title", "Hub", raising=False)
    titles = [text.strip() for _, _, text in menu_links(client.get("/").content.decode())]
    assert titles == ["Hub", "Hub", "Hub", "Contact"]  # every standard page; not the form


def test_breadcrumbs_trail_from_home_to_the_current_page(client, demo):
    html = client.get("/services/enquiry/").content.decode()
    trail = html.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    links = Elements(trail).find("a")
    assert [(a["href"], text.strip()) for _, a, text in links] == [
        ("/", "Home"),
        ("/services/", "Services for CLPs"),
        ("/services/enquiry/", "Request training or a speaker"),
    ]
    assert links[-1][1].get("aria-current") == "page"


def test_home_page_has_no_breadcrumbs_but_a_skip_link(client, demo):
    html = client.get("/").content.decode()
    assert 'aria-label="Breadcrumb"' not in html
    assert '<a class="skip-link" href="#main-content">' in html
    assert '<main id="main-content"' in html


def test_footer_shows_site_settings(client, demo):
    html = client.get("/").content.decode()
    footer = html.split('<footer class="site-footer">', 1)[1]
    assert "PO Box 0000 (example address)" in footer
    assert 'href="https://x.com/LabourMuslims"' in footer
    assert '<a href="/privacy-notice/">Privacy notice</a>' in footer
    assert '<a href="/accessibility-statement/">Accessibility statement</a>' in footer
    assert 'href="mailto:info@labourmuslims.org"' in footer


def test_home_page_teaser_links_to_the_report_when_it_exists(client, demo):
    html = client.get("/").content.decode()
    assert "Islamophobia and the Muslim Experience" in html
    assert ">Read the report<" not in html  # no report page yet: no dead link
    report = StandardPage(title="The report", slug="report")
    demo.add_child(instance=report)
    html = client.get("/").content.decode()
    assert '<a class="button button--inverse" href="/report/">Read the report</a>' in html


def test_home_page_hides_news_and_events_sections_when_there_are_none(client, demo):
    html = client.get("/").content.decode()
    assert "Latest news" not in html
    assert "Upcoming events" not in html


# ---------------------------------------------------------------------------
# Meta


def test_meta_tags_give_canonical_open_graph_and_twitter_card(client, demo):
    html = client.get("/about/").content.decode()
    meta = Elements(html)
    canonical = meta.find("link", rel="canonical")[0][1]["href"]
    assert canonical == page_at("/about/").full_url
    assert meta.find("meta", property="og:url")[0][1]["content"] == canonical
    assert meta.find("meta", property="og:title")[0][1]["content"] == (
        "About the Labour Muslim Network"
    )
    image = meta.find("meta", property="og:image")[0][1]["content"]
    assert image.startswith("http://testserver/") and "fill-1200x630" in image
    assert meta.find("meta", name="twitter:card")[0][1]["content"] == "summary_large_image"
    assert meta.find("meta", name="twitter:site")[0][1]["content"] == "@LabourMuslims"
    description = meta.find("meta", name="description")[0][1]["content"]
    assert description == page_at("/about/").listing_summary


def test_favicon_and_stylesheet_are_linked(client, demo):
    meta = Elements(client.get("/").content.decode())
    assert meta.find("link", rel="icon", type="image/svg+xml")
    assert meta.find("link", rel="stylesheet", href="/static/css/site.css")


# ---------------------------------------------------------------------------
# Search


def test_search_finds_demo_content(client, demo):
    response = client.get("/search/", {"query": "councillors"})
    assert response.status_code == 200
    results = response.context["search_results"]
    assert page_at("/about/").pk in [page.pk for page in results]
    assert '<a href="/about/">About</a>' in response.content.decode()


def test_search_leaves_out_drafts_and_private_pages(client, demo):
    page_at("/about/").unpublish()
    PageViewRestriction.objects.create(
        page=page_at("/islamophobia-hub/"), restriction_type="password", password="x"
    )
    results = client.get("/search/", {"query": "Islamophobia councillors"}).context[
        "search_results"
    ]
    paths = {page.url_path for page in results}
    assert "/home/about/" not in paths
    assert "/home/islamophobia-hub/" not in paths


def test_search_paginates_and_survives_bad_page_numbers(client, home_page):
    for number in range(13):
        home_page.add_child(
            instance=StandardPage(title=f"Zebra crossing {number}", slug=f"zebra-{number}")
        )
    first = client.get("/search/", {"query": "zebra"})
    assert first.context["paginator"].count == 13
    assert len(first.context["search_results"]) == 10
    html = first.content.decode()
    assert 'aria-label="Search result pages"' in html
    assert 'href="?query=zebra&amp;page=2"' in html
    second = client.get("/search/", {"query": "zebra", "page": "2"})
    assert len(second.context["search_results"]) == 3
    assert client.get("/search/", {"query": "zebra", "page": "abc"}).status_code == 200
    assert (
        client.get("/search/", {"query": "zebra", "page": "999"}).context["search_results"].number
        == 2
    )


def test_search_without_a_query_shows_the_form_and_no_results(client, demo):
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="search-query">Search the site</label>' in html
    assert 'role="status"' not in html
    nothing = client.get("/search/", {"query": "xylophonequartz"}).content.decode()
    assert "No results for" in nothing


# ---------------------------------------------------------------------------
# Sitemap, robots, 404, 500


def test_sitemap_lists_live_public_pages_only(client, demo):
    page_at("/accessibility-statement/").unpublish()
    PageViewRestriction.objects.create(
        page=page_at("/contact/"), restriction_type="password", password="x"
    )
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = set(re.findall(r"<loc>(.*?)</loc>", response.content.decode()))
    assert page_at("/about/").full_url in locations
    assert page_at("/services/enquiry/").full_url in locations
    assert page_at("/accessibility-statement/").full_url not in locations
    assert page_at("/contact/").full_url not in locations


def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_unknown_address_gets_the_404_page(client, demo):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'action="/search/"' in html
    assert 'id="site-nav"' in html  # the normal chrome, so people can carry on


def test_500_page_renders_without_database_or_request(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Sorry, something went wrong" in html
    assert "/static/css/site.css" in html


@override_settings(DEBUG=False)
def test_a_crash_serves_the_500_page(client, home_page, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(HomePage, "serve", explode)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()
