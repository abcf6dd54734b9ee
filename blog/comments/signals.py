"""Keep each post's stored comment count in step with its approved comments."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .counts import refresh_comment_counts
from .models import Comment


@receiver(post_save, sender=Comment, dispatch_uid="comments_count_on_save")
def count_after_save(sender, instance, raw=False, **kwargs):
    if not raw:
        refresh_comment_counts([instance.page_id])


@receiver(post_delete, sender=Comment, dispatch_uid="comments_count_on_delete")
def count_after_delete(sender, instance, **kwargs):
    refresh_comment_counts([instance.page_id])
