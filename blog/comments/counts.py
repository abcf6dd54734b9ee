"""Approved-comment counts for posts and listings, without a query per card.

The blog's "N views · M comments" uses these: `approved_count_expression()` as
a queryset annotation, or `approved_counts(page_ids)` for one grouped query.
Only approved comments count; pending, rejected, spam and hidden ones never do.
"""

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from . import moderation
from .models import Comment


def approved_count_expression(page_ref="pk"):
    """An expression for `.annotate(comment_count=...)` on any Page queryset."""
    counts = (
        Comment.objects.filter(page_id=OuterRef(page_ref), status=moderation.APPROVED)
        .order_by()
        .values("page_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def approved_counts(page_ids):
    """{page id: approved comment count} for `page_ids` in one query (0 when none)."""
    page_ids = list(page_ids)
    counts = dict.fromkeys(page_ids, 0)
    rows = (
        Comment.objects.filter(page_id__in=page_ids, status=moderation.APPROVED)
        .order_by()
        .values_list("page_id")
        .annotate(n=Count("pk"))
    )
    counts.update(dict(rows))
    return counts


def refresh_comment_counts(page_ids):
    """Store the approved count on each blog post (`BlogPage.comment_count`).

    The count is recomputed from the comments rather than incremented, so it is
    always right after any change (approve, reject, report-hide, delete). The
    posts' rows are locked first, so that two moderators deciding comments on
    the same post at once queue up and the second recount sees the first's work.
    """
    from .services import blog_page_model

    model = blog_page_model()
    page_ids = sorted({pk for pk in page_ids if pk})
    if model is None or not page_ids or "comment_count" not in _field_names(model):
        return 0
    with transaction.atomic():
        locked = list(
            model.objects.select_for_update().filter(pk__in=page_ids).values_list("pk", flat=True)
        )
        if not locked:
            return 0
        # Page querysets can't .update() a subclass column with a subquery in one go
        # through the multi-table parent, so update the subclass table directly.
        return (
            model._base_manager.filter(pk__in=locked)
            .order_by()
            .update(comment_count=approved_count_expression("pk"))
        )


def _field_names(model):
    return {field.name for field in model._meta.concrete_fields}
