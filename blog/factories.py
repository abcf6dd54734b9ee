"""Test and demo data builders for the blog (factory_boy, as in wagtail-factories)."""

import datetime

from django.utils import timezone

import factory
import wagtail_factories

from .models import Author, BlogCategory, BlogIndexPage, BlogPage


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    role = "Volunteer writer"
    bio = "Writes for the network's blog."


class BlogCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlogCategory
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"Test image {n}")
    description = "A test image"


class BlogIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = BlogIndexPage

    title = "News"
    slug = "blog"
    show_in_menus = True


def make_post(
    index,
    title="A post",
    *,
    date=None,
    authors=(),
    categories=(),
    tags=(),
    hero_image=None,
    live=True,
    body=None,
    **fields,
):
    """A post under `index`, published (or a draft when `live=False`) through a
    revision, exactly as the admin does it."""
    date = date or timezone.now() - datetime.timedelta(hours=1)
    post = BlogPage(
        title=title,
        date=date,
        hero_image=hero_image,
        body=body or [("paragraph", "<p>Some words for the post body.</p>")],
        live=False,
        **fields,
    )
    post.authors = list(authors)
    post.categories = list(categories)
    index.add_child(instance=post)
    if tags:
        post.tags.add(*tags)
    revision = post.save_revision()
    if live:
        revision.publish()
        post.refresh_from_db()
    return post


def ensure_wagtail_base():
    """Recreate the rows Wagtail's migrations make (content types, default locale,
    root page, root collection) when a transactional test finds them flushed.

    `serialized_rollback` should restore them before each transactional test, but
    after other transactional tests in the same run they are sometimes missing."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.contenttypes.management import create_contenttypes

    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    Locale.objects.get_or_create(language_code=language)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
