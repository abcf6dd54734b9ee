from django.apps import AppConfig


class BlogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        from home.web.caching import connect_content_models

        from . import demo  # noqa: F401  (registers the blog's demo loader)
        from .models import Author, BlogCategory

        # Authors and categories show on cached posts and cards: a change shows at once.
        connect_content_models(Author, BlogCategory)
        # What a post, the index or a comment shows on, for the front cache purge.
        from . import purge

        purge.connect()
