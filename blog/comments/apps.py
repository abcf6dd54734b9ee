from django.apps import AppConfig


class CommentsConfig(AppConfig):
    """Reader comments on blog posts, pre-moderated in the Wagtail admin.

    Its own app (label `comments`) inside the blog package, so its tables and
    migrations stay separate from the blog's page models.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "blog.comments"
    label = "comments"
    verbose_name = "Reader comments"

    def ready(self):
        from . import signals  # noqa: F401  (connects the comments' signal handlers)
