"""Background work of the home app: the mailing-list confirmation email.

Runs through django-tasks (at once in development and tests, in the database
worker in production). The task receives only an id: no address is written to
the queue.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from wagtail.models import Site

from django_tasks import task

from .models import MailingListSubscriber


def site_root():
    site = Site.objects.filter(is_default_site=True).first()
    return (site.root_url if site else settings.WAGTAILADMIN_BASE_URL).rstrip("/")


@task()
def send_mailing_list_confirmation(subscriber_id):
    """Ask the person to confirm their subscription; nothing if it has gone (they
    unsubscribed or asked for erasure) or was confirmed since."""
    from . import mailing_list

    subscriber = MailingListSubscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.confirmed_at is not None:
        return False
    root = site_root()
    context = {
        "confirm_url": root + mailing_list.confirm_path(subscriber),
        "unsubscribe_url": root + mailing_list.unsubscribe_path(subscriber),
        "days": mailing_list.unconfirmed_days(),
    }
    message = EmailMultiAlternatives(
        subject="Please confirm you want our emails: Labour Muslim Network",
        body=render_to_string("home/mailing_list/emails/confirm.txt", context),
        to=[subscriber.email],
    )
    message.attach_alternative(
        render_to_string("home/mailing_list/emails/confirm.html", context), "text/html"
    )
    message.send()
    return True
