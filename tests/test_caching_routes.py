"""What keeps an uncached render cheap and still correct (docs/performance.md):
remembered routes, view restrictions, settings, consent wording and event questions
are read from the cache under the content version, the post page is assembled from
fragments, and none of it ever shows a draft or outlives a publish."""

import time
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from blog.comments import moderation
from blog.comments.models import Comment, CommentSettings
from blog.factories import BlogIndexPageFactory, make_post
from events.factories import create_event, create_event_index
from events.models import EventFormField
from home.consent import publish_consent
from home.models import ConsentText, SiteSettings

pytestmark = pytest.mark.django_db

FRAGMENTS_ON = {"LMN_CHROME_CACHE_SECONDS": 300, "LMN_LISTING_CACHE_SECONDS": 300}


@pytest.fixture(autouse=True)
def fragments_on():
    cache.clear()
    with override_settings(**FRAGMENTS_ON):
        yield
    cache.clear()


@pytest.fixture
def index(home_page):
    return BlogIndexPageFactory(parent=home_page)


@pytest.fixture
def post(index):
    return make_post(index, "A post worth reading")


def sql_of(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries]


# ----- remembered routes ---------------------------------------------------------------


def test_a_remembered_route_skips_the_site_and_tree_lookups(post):
    client = Client()
    first, cold = sql_of(client, post.url)
    assert first.status_code == 200
    assert any('FROM "wagtailcore_site"' in q for q in cold)
    second, warm = sql_of(client, post.url)
    assert second.status_code == 200
    assert second.content == first.content
    assert not any('FROM "wagtailcore_site"' in q for q in warm)
    assert not any('"wagtailcore_page"."slug" =' in q for q in warm)


def test_an_unpublished_page_is_not_served_from_a_remembered_route(post):
    client = Client()
    assert client.get(post.url).status_code == 200
    assert client.get(post.url).status_code == 200
    post.unpublish()
    assert client.get(post.url).status_code == 404


def test_a_new_slug_moves_the_page_and_the_old_route_is_forgotten(post):
    client = Client()
    old_url = post.url
    assert client.get(old_url).status_code == 200
    post.slug = "a-new-address"
    post.save_revision().publish()
    post.refresh_from_db()
    assert client.get(old_url).status_code == 404
    response = client.get(post.url)
    assert response.status_code == 200
    assert "A post worth reading" in response.content.decode()


@override_settings(LMN_LISTING_CACHE_SECONDS=0)
def test_a_remembered_route_never_outlives_a_silent_unpublish(post):
    """Even without a signal (a direct database change), the page is read by id and
    must still be live: the route is not the page."""
    client = Client()
    assert client.get(post.url).status_code == 200
    type(post).objects.filter(pk=post.pk).update(live=False)
    assert client.get(post.url).status_code == 404


def test_the_page_itself_is_kept_for_the_listing_lifetime(post):
    with override_settings(LMN_LISTING_CACHE_SECONDS=1):
        client = Client()
        client.get(post.url)  # routed: the route is remembered
        client.get(post.url)  # by the remembered route: the page is kept
        response, warm = sql_of(client, post.url)
        assert warm == []  # route, page, fragments and settings all from the cache
        type(post).objects.filter(pk=post.pk).update(view_count=1234)
        assert "1234 views" not in client.get(post.url).content.decode()
        time.sleep(1.1)
        assert "1234 views" in client.get(post.url).content.decode()


def test_whoever_just_acted_gets_the_page_read_afresh(post):
    from home.caching import FRESH_COOKIE, make_fresh_cookie_value

    client = Client()
    client.get(post.url)  # routed: the route is remembered
    client.get(post.url)  # by the remembered route: the page is kept
    type(post).objects.filter(pk=post.pk).update(comment_count=7)
    assert "7 comments" not in Client().get(post.url).content.decode()  # the kept copy
    client.cookies[FRESH_COOKIE] = make_fresh_cookie_value()
    assert "7 comments" in client.get(post.url).content.decode()


def test_a_page_made_private_after_its_restrictions_were_cached_is_refused(post):
    client = Client()
    assert client.get(post.url).status_code == 200
    assert client.get(post.url).status_code == 200  # no restriction, remembered
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)
    response = Client().get(post.url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_restriction_on_an_ancestor_protects_the_remembered_page(index, post):
    assert Client().get(post.url).status_code == 200
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    assert Client().get(post.url).status_code == 302


# ----- previews never touch the public copies ----------------------------------------


def draft_of(post, title, words):
    post.title = title
    post.body = [("paragraph", f"<p>{words}</p>")]
    post.save_revision()
    return post.get_latest_revision_as_object()


def test_a_preview_shows_the_draft_and_leaves_the_public_fragments_alone(post):
    public = Client().get(post.url).content.decode()
    assert "Some words for the post body." in public

    draft = draft_of(post, "A draft title", "Unpublished draft words.")
    preview = draft.make_preview_request().content.decode()
    assert "Unpublished draft words." in preview
    assert "Some words for the post body." not in preview

    again = Client().get(post.url).content.decode()
    assert "Unpublished draft words." not in again
    assert "Some words for the post body." in again


def test_a_preview_before_any_public_view_leaves_nothing_behind(post):
    cache.clear()
    draft = draft_of(post, "A draft title", "Unpublished draft words.")
    assert "Unpublished draft words." in draft.make_preview_request().content.decode()
    public = Client().get(post.url).content.decode()
    assert "Unpublished draft words." not in public
    assert "A draft title" not in public


def test_publishing_the_draft_shows_it_at_once(post):
    Client().get(post.url)
    post.title = "Now published"
    post.body = [("paragraph", "<p>Freshly published words.</p>")]
    post.save_revision().publish()
    page = Client().get(post.url).content.decode()
    assert "Freshly published words." in page
    assert "Now published" in page


# ----- settings, consent wording and event questions --------------------------------


def test_site_settings_are_read_from_the_cache_and_refreshed_by_a_save(post):
    client = Client()
    client.get(post.url)
    _, warm = sql_of(client, post.url)
    assert not any('FROM "home_sitesettings"' in q for q in warm)

    settings = SiteSettings.load()
    settings.organisation_name = "A renamed network"
    settings.save()
    assert "A renamed network" in Client().get(post.url).content.decode()


def test_comment_settings_saved_in_the_admin_apply_at_once(post):
    type(post).objects.filter(pk=post.pk).update(
        first_published_at=timezone.now() - timedelta(days=5)
    )
    client = Client()
    assert 'id="comment-form"' in client.get(post.url).content.decode()  # open for 60 days
    settings = CommentSettings.load()
    settings.close_after_days = 1
    settings.save()
    page = Client().get(post.url).content.decode()
    assert "Comments are closed on this post." in page
    assert 'id="comment-form"' not in page


def test_closing_one_thread_applies_at_once(post, django_user_model):
    from blog.comments.services import set_thread_closed

    assert 'id="comment-form"' in Client().get(post.url).content.decode()
    editor = django_user_model.objects.create_user("editor", password="x" * 12)
    set_thread_closed(post, True, editor)
    assert "Comments are closed on this post." in Client().get(post.url).content.decode()


def test_the_admin_always_reads_settings_from_the_database(post):
    Client().get(post.url)  # the public copy of the settings is cached
    SiteSettings.objects.update(organisation_name="Changed without a save")
    request = RequestFactory().get("/admin/settings/home/sitesettings/1/")
    assert SiteSettings.load(request_or_site=request).organisation_name == (
        "Changed without a save"
    )
    public = RequestFactory().get(post.url)
    assert SiteSettings.load(request_or_site=public).organisation_name != ("Changed without a save")


def test_new_consent_wording_replaces_the_cached_one_on_forms(post):
    assert ConsentText.objects.filter(purpose=ConsentText.COMMENT).count() == 0
    first = Client().get(post.url).content.decode()
    assert "moderate and publish it" in first  # version 1, the default wording
    publish_consent(ConsentText.COMMENT, "New wording readers agree to before commenting.")
    page = Client().get(post.url).content.decode()
    assert "New wording readers agree to before commenting." in page


@pytest.fixture
def event(home_page):
    index = create_event_index(home_page)
    return create_event(
        index, capacity=10, questions=[{"label": "Your constituency", "field_type": "singleline"}]
    )


def test_event_questions_are_cached_until_a_publish(event):
    client = Client()
    assert "Your constituency" in client.get(event.url).content.decode()
    _, warm = sql_of(client, event.url)
    assert not any('FROM "events_eventformfield"' in q for q in warm)

    page = type(event).objects.get(pk=event.pk)
    page.form_fields.add(
        EventFormField(label="Your local party", field_type="singleline", sort_order=5)
    )
    page.save_revision().publish()
    html = Client().get(event.url).content.decode()
    assert "Your local party" in html and "Your constituency" in html


def test_an_event_preview_shows_its_draft_questions_not_the_cached_ones(event):
    Client().get(event.url)  # the public questions are cached
    page = type(event).objects.get(pk=event.pk)
    page.form_fields.add(
        EventFormField(label="A question still in draft", field_type="singleline", sort_order=5)
    )
    page.save_revision()
    draft = page.get_latest_revision_as_object()
    assert "A question still in draft" in draft.make_preview_request().content.decode()


# ----- what pages show beside their own fields ----------------------------------------


def test_an_author_or_category_change_shows_at_once_on_a_cached_post(index):
    from blog.factories import AuthorFactory, BlogCategoryFactory

    author = AuthorFactory(name="Original Author")
    category = BlogCategoryFactory(name="Original Category")
    post = make_post(index, "Post with an author", authors=[author], categories=[category])
    client = Client()
    client.get(post.url)
    assert "Original Author" in client.get(post.url).content.decode()
    author.name = "Renamed Author"
    author.save()
    category.name = "Renamed Category"
    category.save()
    page = client.get(post.url).content.decode()
    assert "Renamed Author" in page and "Original Author" not in page
    assert "Renamed Category" in page and "Original Category" not in page


def test_a_bump_inside_a_transaction_is_repeated_when_it_commits(
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    from home.caching import bump_content_version, content_version

    before = content_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        bump_content_version()
        during = content_version()
    assert before != during
    assert len(callbacks) == 1
    assert content_version() != during  # bumped again once the data was visible


def test_deleting_a_site_forgets_its_routes(post):
    from wagtail.models import Site

    from home.caching import content_version

    before = content_version()
    Site.objects.create(hostname="other.example", root_page=post, is_default_site=False).delete()
    assert content_version() != before


# ----- local copies (production with Redis keeps them in each process) -----------------


@pytest.fixture
def local_copies_on(monkeypatch):
    from home.caching import LocalCopies, local_copies

    local_copies.clear()
    monkeypatch.setattr(LocalCopies, "enabled", staticmethod(lambda: True))
    yield local_copies
    local_copies.clear()


def test_local_copies_serve_the_page_and_give_way_to_a_publish(post, local_copies_on):
    client = Client()
    client.get(post.url)
    client.get(post.url)
    assert local_copies_on._items  # fragments, route, page, settings
    _, warm = sql_of(client, post.url)
    assert warm == []
    post.title = "Published a moment ago"
    post.save_revision().publish()
    assert "Published a moment ago" in client.get(post.url).content.decode()


def test_local_copies_give_way_to_whoever_just_acted(post, local_copies_on):
    from home.caching import FRESH_COOKIE, make_fresh_cookie_value

    client = Client()
    client.get(post.url)
    client.get(post.url)
    type(post).objects.filter(pk=post.pk).update(comment_count=7)
    assert "7 comments" not in Client().get(post.url).content.decode()
    client.cookies[FRESH_COOKIE] = make_fresh_cookie_value()
    assert "7 comments" in client.get(post.url).content.decode()


def test_local_copies_are_copies(post, local_copies_on):
    from django.test import RequestFactory

    request = RequestFactory().get(post.url)
    first = SiteSettings.load(request_or_site=request)
    first.organisation_name = "Changed on one request only"
    second = SiteSettings.load(request_or_site=RequestFactory().get(post.url))
    assert second.organisation_name != "Changed on one request only"


# ----- the comments section ---------------------------------------------------------


def test_the_comments_section_is_cached_but_not_a_reply_form_or_a_notice(post):
    parent = Comment.objects.create(
        page_id=post.pk,
        name="First reader",
        email="first@example.org",
        text="An approved comment.",
        status=moderation.APPROVED,
    )
    client = Client()
    client.get(post.url)
    _, warm = sql_of(client, post.url)
    assert not any('FROM "comments_comment"' in q for q in warm)

    reply = client.get(f"{post.url}?reply_to={parent.pk}").content.decode()
    assert "You are replying to" in reply
    assert "You are replying to" not in client.get(post.url).content.decode()

    notice = client.get(f"{post.url}?comment=received").content.decode()
    assert "awaiting moderation" in notice
    assert "awaiting moderation" not in client.get(post.url).content.decode()
