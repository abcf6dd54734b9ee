"""Background work: tell the comment moderators that a comment is waiting.

Runs through django-tasks (immediately in dev and tests, in the database
worker in production). The email carries the post, the commenter's display
name, the reasons and the text (escaped in the HTML part) with a link to the
review page; never the commenter's email address or visitor hash.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from django_tasks import task

from home.web.links import site_root

from . import moderation
from .models import Comment

logger = logging.getLogger(__name__)

MODERATOR_GROUP = "Comment moderators"


def notification_recipients():
    """Active Comment moderators and superusers with an email address: the people who
    may review comments. Never the Editors group, who may not (the email carries the
    comment's text and the commenter's name)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    users = users.filter(Q(is_superuser=True) | Q(groups__name=MODERATOR_GROUP)).distinct()
    return sorted({user.email for user in users})


def review_url(comment):
    path = reverse("comment_queue:inspect", args=[comment.pk])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@task()
def send_held_comment_notification(comment_id):
    """Email the moderators about one held (or report-hidden) comment."""
    comment = Comment.objects.select_related("page").filter(pk=comment_id).first()
    if comment is None:
        return 0
    recipients = notification_recipients()
    if not recipients:
        return 0
    context = {
        "comment": comment,
        "post_title": comment.page.title,
        "review_url": review_url(comment),
        "reasons": comment.reasons,
    }
    subject = f"Comment awaiting moderation on “{comment.page.title}”"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:150],
        body=render_to_string("comments/email/held_comment.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        # Each person gets their own copy without seeing the others' addresses.
        bcc=recipients,
    )
    message.attach_alternative(
        render_to_string("comments/email/held_comment.html", context), "text/html"
    )
    message.send()
    # Counts and ids only: no names, addresses or comment text in the logs.
    logger.info("Sent held-comment notice for comment %s to %d people", comment.pk, len(recipients))
    return len(recipients)


@task()
def send_publish_link(comment_id):
    """Email the address a comment was sent from a link to publish it; nothing when
    the comment has gone or been decided meanwhile. Receives only an id."""
    comment = Comment.objects.select_related("page").filter(pk=comment_id).first()
    if comment is None or comment.status != moderation.PENDING or not comment.email:
        return False
    path = reverse("comments:publish", args=[moderation.make_publish_code(comment)])
    context = {
        "comment": comment,
        "post_title": comment.page.title,
        "publish_url": site_root() + path,
        "days": moderation.PUBLISH_LINK_MAX_AGE.days,
    }
    message = EmailMultiAlternatives(
        subject="Publish your comment: Labour Muslim Network",
        body=render_to_string("comments/email/publish_link.txt", context),
        to=[comment.email],
    )
    message.attach_alternative(
        render_to_string("comments/email/publish_link.html", context), "text/html"
    )
    message.send()
    logger.info("Sent a publish link for comment %s", comment.pk)
    return True
