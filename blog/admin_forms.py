"""The post editor's form: sensible defaults for a new post and required alt text."""

from django.core.exceptions import ObjectDoesNotExist

from wagtail.admin.forms import WagtailAdminPageForm

ALT_TEXT_REQUIRED = (
    "Describe the image for people who cannot see it (for example “Members at the "
    "roundtable in Birmingham”). Every hero image needs this."
)


def author_for_user(user):
    """The author profile linked to this admin account, or None."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.blog_author
    except ObjectDoesNotExist:
        return None


class BlogPageForm(WagtailAdminPageForm):
    """A new post starts with today's date (the model's default) and the writer's own
    author profile ticked, when their account has one.

    Rule: a post with a hero image cannot be saved without alt text written for it;
    the image library's own title is usually a file name, not a description."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and not self.is_bound and "authors" in self.fields:
            author = author_for_user(self.for_user)
            if author is not None and not self.initial.get("authors"):
                self.initial["authors"] = [author.pk]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("hero_image") and not (cleaned.get("hero_image_alt") or "").strip():
            self.add_error("hero_image_alt", ALT_TEXT_REQUIRED)
        return cleaned
