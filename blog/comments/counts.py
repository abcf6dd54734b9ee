"""Approved-comment counts for posts and listings, without a query per card.

The blog's "N views · M comments" uses these: `approved_count_expression()` as
a queryset annotation, or `approved_counts(page_ids)` for one grouped query.
Only approved comments count; pending, rejected, spam and hidden ones never do.
"""

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


def approved_count(page):
    """The approved comment count of one post."""
    return Comment.objects.filter(page_id=page.pk, status=moderation.APPROVED).count()
