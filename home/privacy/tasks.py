"""Background work of the home app: the mailing-list confirmation email and the staff
email about a message sent through a contact or enquiry form.

Runs through django-tasks (at once in development and tests, in the database
worker in production). Each task receives only an id: no address or message is
written to the queue.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from wagtail.admin.mail import send_mail
from wagtail.contrib.forms.models import FormSubmission
from wagtail.models import Site

from django_tasks import task

from home.privacy.models import MailingListSubscriber


def site_root():
    site = Site.objects.filter(is_default_site=True).first()
    return (site.root_url if site else settings.WAGTAILADMIN_BASE_URL).rstrip("/")


@task()
def send_mailing_list_confirmation(subscriber_id):
    """Ask the person to confirm their subscription; nothing if it has gone (they
    unsubscribed or asked for erasure) or was confirmed since."""
    from home.privacy import mailing_list

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


def message_text(page, form_data):
    """The message as "Question: answer" lines, in the order of the form's questions."""
    lines = []
    for field in page.get_form_fields():
        value = form_data.get(field.clean_name, "")
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        lines.append(f"{field.label}: {value}")
    return "\n".join(lines)


@task()
def send_form_message_notification(submission_id):
    """Email a form page's notification addresses about one message.

    Nothing is sent if the message has gone (erasure, retention, deleted by a
    handler) or the page has no address at a staff domain (LMN_STAFF_EMAIL_DOMAINS)
    any more.
    """
    from home.privacy.staff_routing import staff_addresses

    submission = FormSubmission.objects.filter(pk=submission_id).select_related("page").first()
    if submission is None:
        return False
    page = submission.page.specific
    addresses = staff_addresses(getattr(page, "to_address", ""))
    if not addresses:
        return False
    send_mail(
        page.subject or f"New message: {page.title}",
        message_text(page, submission.form_data),
        addresses,
        page.from_address or None,
    )
    return True
