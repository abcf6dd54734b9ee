"""The blog: an index of posts with category and tag archives and feeds, posts,
their authors and categories, and the honest per-day view counts behind
"N views".
"""

from collections import Counter

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models, transaction
from django.db.models import Count, OuterRef, Prefetch, Subquery, Sum, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property

from wagtail.admin.panels import (
    FieldPanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase

from home.models import BasePage, is_public
from home.pages.blocks import BaseStreamBlock

from .admin_forms import BlogPageForm
from .panels import ViewsChartPanel
from .reading_time import reading_minutes, stream_text

POSTS_PER_PAGE = 10
RELATED_POSTS = 3
CARD_IMAGE_SPEC = "fill-640x360"
# The renditions a post page shows: its hero (srcset), the sharing image, an
# author's photo, the cards' images.
POST_IMAGE_SPECS = (
    "fill-640x336",
    "fill-1200x630",
    "fill-1200x630|format-jpeg|jpegquality-80",
    "fill-160x160",
    CARD_IMAGE_SPEC,
)
RECENT_POSTS = 3  # cards in "Recent posts" under a post
HERO_IMAGE_SPEC = "fill-1200x630"
AUTHOR_PHOTO_SPEC = "fill-160x160"
RECENT_POSTS = 3  # cards in "Recent posts" under a post

# Slugs the index page routes itself; a post with one of these would be hidden.
RESERVED_SLUGS = {"category", "tag", "feed", "_count-view"}


@register_snippet
class Author(models.Model):
    """Someone who writes for the blog: shown on posts and in feeds."""

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, blank=True, help_text="E.g. Chair, Research lead.")
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bio = models.TextField("Short bio", max_length=500, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="blog_author",
        verbose_name="Admin account",
        help_text="The author's own admin account, if they have one: new posts they start "
        "then list them as the author.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("role"),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("user"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


@register_snippet
class BlogCategory(models.Model):
    """A section of the blog (News, Events, Research, Statements) with its own
    archive page and feeds."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name = "blog category"
        verbose_name_plural = "blog categories"

    def __str__(self):
        return self.name


class BlogPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.BlogPage", related_name="tagged_items", on_delete=models.CASCADE
    )


def people_and_categories():
    """The prefetches of a post's (or card's) authors and categories."""
    return (
        Prefetch("authors", queryset=Author.objects.order_by("name")),
        Prefetch("categories", queryset=BlogCategory.objects.order_by("name")),
    )


def views_not_rolled_up():
    """For `.annotate()` on posts: how many of a post's views are still visitor rows
    (today's, and any day `blog.views_count.roll_up_views` has not yet reached)."""
    rows = (
        PostViewVisitor.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def views_by(fields, start, end, post_id=None):
    """{values of `fields` (e.g. ("day",) or ("post_id", "post__title")): views} from
    `start` to `end` (London days, inclusive): the rolled-up daily totals and the
    visitor rows not yet rolled up, added together. One query (a UNION ALL of the
    two tables, each grouped), one or two rows per key."""
    parts = []
    for model, amount in ((PostViewDay, Sum("views")), (PostViewVisitor, Count("*"))):
        rows = model.objects.filter(day__gte=start, day__lte=end)
        if post_id is not None:
            rows = rows.filter(post_id=post_id)
        parts.append(rows.order_by().values_list(*fields).annotate(amount=amount))
    totals = Counter()
    for *key, views in parts[0].union(parts[1], all=True):
        totals[tuple(key)] += views
    return totals


def card_queryset(queryset, prefetch=True):
    """Posts ready for cards: live, public, newest first, with authors, categories
    and card images fetched in a fixed number of queries however many posts there are
    (`prefetch=False`: only the images joined, for a caller that prefetches the rest
    together with other rows, as the post page does)."""
    image_model = get_image_model()
    cards = (
        queryset.live()
        .filter(is_public())
        .defer_streamfields()
        .annotate(views_not_rolled_up=views_not_rolled_up())
        .order_by("-date", "-pk")
        .select_related("hero_image")
    )
    if not prefetch:
        return cards
    return cards.prefetch_related(
        *people_and_categories(),
        # As Wagtail's prefetch_renditions() does, through the joined image.
        Prefetch(
            "hero_image__renditions",
            queryset=image_model.get_rendition_model().objects.filter(filter_spec=CARD_IMAGE_SPEC),
            to_attr="prefetched_renditions",
        ),
    )


class BlogIndexPage(RoutablePageMixin, BasePage):
    """The blog's front page ("News"): every post, newest first, with category and
    tag archives and RSS/Atom feeds on their own URLs."""

    introduction = models.TextField(max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    search_fields = BasePage.search_fields + [index.SearchField("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["blog.BlogPage"]
    max_count = 1

    class Meta:
        verbose_name = "Blog index page"

    def route(self, request, path_components):
        """A post's address (/blog/<slug>/) finds the post, with its images, in one
        query, where Page.route reads the child page and then its post row;
        everything else (the index's own routes, which use reserved slugs, and any
        other child) is routed as usual."""
        if self.live and len(path_components) == 1 and path_components[0] not in RESERVED_SLUGS:
            post = (
                BlogPage.objects.child_of(self)
                .select_related("hero_image", "social_image")
                .annotate(views_not_rolled_up=views_not_rolled_up())
                .filter(slug=path_components[0])
                .first()
            )
            if post is not None:
                post.blog_index = self
                return post.route(request, [])
        return super().route(request, path_components)

    def posts(self):
        return card_queryset(BlogPage.objects.child_of(self))

    def paginate(self, request, posts):
        """The requested page of `posts`; a page number that is not a whole number,
        or is past the end, is a 404 rather than a silent jump to another page."""
        paginator = Paginator(posts, POSTS_PER_PAGE)
        try:
            return paginator.page(request.GET.get("page") or 1)
        except (PageNotAnInteger, EmptyPage) as exc:
            raise Http404("No such page of posts.") from exc

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        posts = kwargs.get("posts")
        if posts is None:
            posts = self.posts()
        context["posts"] = self.paginate(request, posts)
        context["categories"] = BlogCategory.objects.all()
        context["category"] = kwargs.get("category")
        context["tag"] = kwargs.get("tag")
        return context

    @path("")
    def index_route(self, request):
        return self._render_listing(request)

    @path("category/<slug:slug>/")
    def category_route(self, request, slug):
        category = get_object_or_404(BlogCategory, slug=slug)
        return self._render_listing(
            request, posts=self.posts().filter(categories=category), category=category
        )

    @path("tag/<slug:slug>/")
    def tag_route(self, request, slug):
        tag = get_object_or_404(Tag, slug=slug)
        return self._render_listing(
            request,
            # A subquery, not a join with DISTINCT: the newest posts are then read in
            # date order from the index and the scan stops after one page.
            posts=self.posts().filter(
                pk__in=BlogPageTag.objects.filter(tag__slug=slug).values("content_object_id")
            ),
            tag=tag,
        )

    @path("feed/", name="feed_rss")
    def feed_rss_route(self, request):
        from .feeds import BlogRssFeed

        return BlogRssFeed(self)(request)

    @path("feed/atom/", name="feed_atom")
    def feed_atom_route(self, request):
        from .feeds import BlogAtomFeed

        return BlogAtomFeed(self)(request)

    @path("category/<slug:slug>/feed/", name="category_feed_rss")
    def category_feed_rss_route(self, request, slug):
        from .feeds import BlogRssFeed

        category = get_object_or_404(BlogCategory, slug=slug)
        return BlogRssFeed(self, category)(request)

    @path("category/<slug:slug>/feed/atom/", name="category_feed_atom")
    def category_feed_atom_route(self, request, slug):
        from .feeds import BlogAtomFeed

        category = get_object_or_404(BlogCategory, slug=slug)
        return BlogAtomFeed(self, category)(request)

    def _render_listing(self, request, **kwargs):
        context = self.get_context(request, **kwargs)
        return TemplateResponse(request, self.get_template(request), context)


class BlogPage(BasePage):
    """A post: who wrote it and when, its categories and tags, a hero image, an
    intro and a body; with its reading time and its honest view count."""

    date = models.DateTimeField(
        "Post date", default=timezone.now, help_text="Shown on the post and used to order posts."
    )
    authors = ParentalManyToManyField(Author, blank=True, related_name="posts")
    categories = ParentalManyToManyField(BlogCategory, blank=True, related_name="posts")
    tags = ClusterTaggableManager(through=BlogPageTag, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_image_alt = models.CharField(
        "Hero image alt text",
        max_length=250,
        blank=True,
        help_text="Required with an image: describe it for people who cannot see it.",
    )
    intro = models.TextField(max_length=600, blank=True, help_text="A sentence or two.")
    body = StreamField(BaseStreamBlock(), blank=True, use_json_field=True)

    reading_time = models.PositiveSmallIntegerField(
        default=1, editable=False, help_text="Minutes, worked out when the post is saved."
    )
    # Counters are kept up to date by single-statement F() updates (see blog.views_count
    # and the comments feature); saving the page must never write a stale copy back.
    # view_count holds the views rolled up so far; `views` adds the rest.
    view_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Approved comments only."
    )
    # Where an imported post came from (the Wix feed's GUID and link), so that
    # importing the same feed again finds the post instead of copying it.
    source_guid = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    source_url = models.URLField(max_length=500, blank=True, db_index=True, editable=False)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel(
                    "authors",
                    widget=forms.CheckboxSelectMultiple,
                    help_text="Who wrote it. Your own name is ticked for you when your "
                    "account is linked to an author.",
                ),
                FieldPanel(
                    "categories",
                    widget=forms.CheckboxSelectMultiple,
                    help_text="The sections the post appears in.",
                ),
                FieldPanel("tags", help_text="A few words readers can follow, e.g. “roundtable”."),
            ],
            heading="About the post",
        ),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_image_alt")],
            heading="Image",
            help_text="Optional. Shown at the top of the post and on cards and when shared.",
        ),
        FieldPanel("intro", help_text="A sentence or two that makes people want to read on."),
        FieldPanel(
            "body",
            help_text="The post itself. Break long posts up with headings; add images, "
            "quotes and links from the + button.",
        ),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.RelatedFields("authors", [index.SearchField("name")]),
        index.FilterField("date"),
    ]

    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading="Content"),
            ObjectList(BasePage.promote_panels, heading="Promote"),
            ObjectList(Page.settings_panels, heading="Settings"),
            ObjectList([ViewsChartPanel()], heading="Views"),
        ]
    )

    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types = []
    base_form_class = BlogPageForm

    COUNTER_FIELDS = ("view_count", "comment_count")

    class Meta:
        verbose_name = "Blog post"
        # Every listing (index, archives, latest, recent and related posts) is
        # newest first: read from this index, it stops after one page of posts.
        indexes = [models.Index(fields=["date", "page_ptr"], name="blog_post_date_idx")]

    @property
    def views(self):
        """Every counted view: those rolled up into `view_count` and the visitor rows
        not yet rolled up, read with the post by `card_queryset` and the post's route
        (one subquery) or, for a post read another way, with one query."""
        pending = getattr(self, "views_not_rolled_up", None)
        if pending is None:
            pending = PostViewVisitor.objects.filter(post_id=self.pk).count() if self.pk else 0
        return self.view_count + pending

    def views_per_day(self, start, end):
        """{day: views} of this post from `start` to `end` (see `views_by`)."""
        return {day: n for (day,), n in views_by(("day",), start, end, self.pk).items()}

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": f"“{self.slug}” is used by the blog's own pages; choose another slug."}
            )

    def save(self, *args, **kwargs):
        """Work out the reading time, and keep the counters as the database has them.

        A publish writes every column from a revision taken earlier; without this,
        views counted in between would be lost. The row is locked first, so a view
        counted at the same moment waits and then adds to the saved value.
        """
        self.reading_time = reading_minutes(self.intro, stream_text(self.body))
        with transaction.atomic():
            if self.pk is not None:
                counters = (
                    BlogPage.objects.select_for_update()
                    .filter(pk=self.pk)
                    .values(*self.COUNTER_FIELDS)
                    .first()
                )
                for field, value in (counters or {}).items():
                    setattr(self, field, value)
            return super().save(*args, **kwargs)

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for field in self.COUNTER_FIELDS:
            setattr(obj, field, getattr(self, field))
        return obj

    @property
    def hero_alt(self):
        if self.hero_image_alt:
            return self.hero_image_alt
        return self.hero_image.default_alt_text if self.hero_image else ""

    @property
    def excerpt(self):
        return self.listing_summary or self.intro

    @cached_property
    def blog_index(self):
        # Routed through the index (BlogIndexPage.route), the post has it already.
        return BlogIndexPage.objects.ancestor_of(self).first()

    def related_posts(self):
        """Other live, public posts that share a category with this one, newest first."""
        category_ids = [category.pk for category in self.categories.all()]
        if not category_ids:
            return BlogPage.objects.none()
        # A subquery rather than a join with DISTINCT, so that PostgreSQL reads posts
        # newest first from the date index and stops after RELATED_POSTS matches.
        in_categories = BlogPage.categories.through.objects.filter(
            blogcategory_id__in=category_ids
        ).values("blogpage_id")
        return card_queryset(BlogPage.objects.exclude(pk=self.pk)).filter(pk__in=in_categories)[
            :RELATED_POSTS
        ]

    def prefetch_for_display(self):
        """Read everything the post page shows beside the post itself in a fixed
        number of queries: the related and recent cards, then the authors and
        categories of the post and the cards together, the post's tags and images,
        and the renditions of every image on the page in one query. The template,
        the meta tags and the JSON-LD then read the same rows. A preview's unsaved
        page keeps its in-memory values (this is not called for previews)."""
        if self.pk is None or hasattr(self, "recent_posts"):
            return
        others = BlogPage.objects.exclude(pk=self.pk)
        in_my_categories = BlogPage.categories.through.objects.filter(
            blogcategory_id__in=BlogPage.categories.through.objects.filter(
                blogpage_id=self.pk
            ).values("blogcategory_id")
        ).values("blogpage_id")
        self.related = list(
            card_queryset(others, prefetch=False).filter(pk__in=in_my_categories)[:RELATED_POSTS]
        )
        self.recent_posts = list(card_queryset(others, prefetch=False)[:RECENT_POSTS])
        cards = self.related + self.recent_posts
        authors, categories = people_and_categories()
        authors.queryset = authors.queryset.select_related("photo")
        prefetch_related_objects([self, *cards], authors, categories)
        prefetch_related_objects([self], "tags", "hero_image", "social_image")
        # Every instance shown (the same image can be on two cards, each its own
        # object); cards show their authors' names, only the post their photos.
        images = [self.hero_image, self.social_image, *(post.hero_image for post in cards)]
        images += [author.photo for author in self.authors.all()]
        images = [image for image in images if image is not None]
        if images:
            prefetch_related_objects(
                images,
                Prefetch(
                    "renditions",
                    queryset=get_image_model()
                    .get_rendition_model()
                    .objects.filter(filter_spec__in=POST_IMAGE_SPECS),
                    to_attr="prefetched_renditions",
                ),
            )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Authors, categories and tags are read by the template's {% prefetch_post %}.
        # Lazy: the related cards sit in a cached fragment, so on a cache hit these
        # queries are never run.
        context["related_posts"] = SimpleLazyObject(
            lambda: self.related if hasattr(self, "related") else list(self.related_posts())
        )
        return context


class PostViewVisitor(models.Model):
    """One visitor seen reading one post on one day: what makes a repeat visit count
    once, and the count of the views not yet rolled up. Only the day's anonymous visitor
    hash is kept, and rows are rolled up into the totals and deleted once the day is
    over (see `blog.views_count.roll_up_views`)."""

    post = models.ForeignKey(BlogPage, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visitor = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "day", "visitor"], name="unique_post_view_per_visitor_day"
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"View of post {self.post_id} on {self.day}"


class PostViewDay(models.Model):
    """How many distinct visitors read a post on a day (Europe/London), written when
    the day's visitor rows are rolled up: kept for the editors' chart."""

    post = models.ForeignKey(BlogPage, on_delete=models.CASCADE, related_name="daily_views")
    day = models.DateField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["post", "day"]
        constraints = [models.UniqueConstraint(fields=["post", "day"], name="unique_post_view_day")]

    def __str__(self):
        return f"{self.views} views of post {self.post_id} on {self.day}"
