"""`import_wix_blog`: fields, sanitising, idempotence, redirects and bad items, on a
realistic Wix feed served over real HTTP from a local server."""

import datetime
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.core.management import CommandError, call_command

from wagtail.contrib.redirects.models import Redirect

import pytest

from blog.factories import BlogIndexPageFactory
from blog.importer import clean_html
from blog.models import Author, BlogCategory, BlogPage

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def wix_server():
    """A stand-in for Wix: the feed at /blog-feed.xml, one image, and 404 for the rest."""
    image = (FIXTURES / "wix-hero.jpg").read_bytes()
    feed_text = (FIXTURES / "wix-blog-feed.xml").read_text()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if self.path == "/blog-feed.xml":
                body, kind = self.server.feed, "application/rss+xml"
            elif "a1b2c3_4d5e6f" in self.path:
                body, kind = image, "image/jpeg"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    server.feed = feed_text.replace("https://static.wixstatic.com", base).encode()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


@pytest.fixture
def blog_index(home_page):
    return BlogIndexPageFactory(parent=home_page)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_wix_blog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_creates_drafts_with_every_field(blog_index, wix_server):
    out, err = run(f"{wix_server}/blog-feed.xml")
    assert "3 created, 0 already there, 3 redirects added, 3 skipped." in out
    report = BlogPage.objects.get(source_guid="5fafd6a2c2c1a40017b2e9a1")
    assert report.title == "Our report on Islamophobia in the Labour Party"
    assert not report.live
    assert report.get_parent().pk == blog_index.pk
    assert report.slug == "our-report-on-islamophobia-in-the-labour-party"
    assert report.date == datetime.datetime(2020, 11, 14, 9, 0, tzinfo=datetime.UTC)
    assert [a.name for a in report.authors.all()] == ["Labour Muslim Network"]
    assert sorted(c.name for c in report.categories.all()) == ["News", "Research"]
    assert report.intro.startswith("Today we publish the findings")
    assert report.hero_image is not None and report.hero_image.width == 800
    assert report.source_url.endswith("/post/our-report-on-islamophobia-in-the-labour-party")
    body = report.body[0].value.source
    assert "<h2>Findings</h2>" in body
    assert "<b>422</b>" in body and "<i>29%</i>" in body
    assert '<a href="https://www.labourmuslims.org/report">the full report</a>' in body
    for bad in ("script", "style", "iframe", "onclick", "onerror", "javascript:", "<img", "span"):
        assert bad not in body
    # Without content:encoded, the description becomes the body.
    statement = BlogPage.objects.get(source_guid="5fc0e1b7d4a1f20017c3d4e2")
    assert "met us to discuss" in statement.body[0].value.source
    assert statement.hero_image is None


@pytest.mark.django_db
def test_bad_items_are_reported_and_skipped(blog_index, wix_server):
    out, err = run(f"{wix_server}/blog-feed.xml")
    assert "no title; skipped." in err
    assert "A post with a broken date" in err and "no readable date" in err
    assert "A post with no address" in err and "no link or GUID" in err
    # A missing image is a warning, not a lost post.
    assert "Roundtables on the action plan" in out and "imported without it" in out
    assert BlogPage.objects.filter(title="Roundtables on the action plan").exists()


@pytest.mark.django_db
def test_import_is_idempotent(blog_index, wix_server):
    run(f"{wix_server}/blog-feed.xml")
    counts = (
        BlogPage.objects.count(),
        Redirect.objects.count(),
        Author.objects.count(),
        BlogCategory.objects.count(),
    )
    out, _ = run(f"{wix_server}/blog-feed.xml", "--publish")
    assert "0 created, 3 already there, 0 redirects added" in out
    assert counts == (
        BlogPage.objects.count(),
        Redirect.objects.count(),
        Author.objects.count(),
        BlogCategory.objects.count(),
    )


@pytest.mark.django_db
def test_publish_keeps_the_original_date_and_old_links_redirect(client, blog_index, wix_server):
    run(f"{wix_server}/blog-feed.xml", "--publish")
    post = BlogPage.objects.get(source_guid="5ffd7c21e3b2a10017d4e5f3")
    assert post.live
    assert post.first_published_at == datetime.datetime(2021, 1, 14, 18, 15, tzinfo=datetime.UTC)
    response = client.get("/post/roundtables-on-the-action-plan")
    assert response.status_code == 301
    assert response["Location"].endswith(post.url)
    assert client.get(post.url).status_code == 200
    # Listed on the blog, newest first, once published.
    titles = [p.title for p in client.get("/blog/").context["posts"]]
    assert titles[0] == "Roundtables on the action plan"


@pytest.mark.django_db
def test_import_from_a_file_path_without_images(blog_index):
    out, _ = run(str(FIXTURES / "wix-blog-feed.xml"), "--no-images")
    assert "3 created" in out
    assert not BlogPage.objects.exclude(hero_image=None).exists()


@pytest.mark.django_db
def test_unreadable_feed_is_a_clear_error(blog_index, tmp_path):
    junk = tmp_path / "junk.xml"
    junk.write_text("<html><body>Not a feed at all")
    with pytest.raises(CommandError, match="not a readable RSS feed"):
        run(str(junk))
    with pytest.raises(CommandError, match="Could not read the feed"):
        run(str(tmp_path / "missing.xml"))


@pytest.mark.django_db
def test_no_blog_index_is_a_clear_error(home_page):
    with pytest.raises(CommandError, match="no blog index page"):
        run(str(FIXTURES / "wix-blog-feed.xml"))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("plain words", "<p>plain words</p>"),
        ("<h1>Title</h1>", "<h2>Title</h2>"),
        ("<p><strong>b</strong> <em>i</em></p>", "<p><b>b</b> <i>i</i></p>"),
        (
            '<p><a href="mailto:a@example.org" rel="x">mail</a></p>',
            '<p><a href="mailto:a@example.org">mail</a></p>',
        ),
        ("<p>&nbsp;</p><p>kept</p>", "<p>kept</p>"),
        ("<svg onload=alert(1)><p>x</p></svg>", "<p>x</p>"),
    ],
)
def test_clean_html(html, expected):
    assert clean_html(html) == expected
