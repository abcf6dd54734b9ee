"""Background work of the home app: the staff email about a message sent through a
contact or enquiry form (the mailing list's confirmation email is in
home/privacy/mailing_list.py).

Runs through django-tasks (at once in development and tests, in the database
worker in production). Each task receives only an id: no address or message is
written to the queue.
"""

from wagtail.admin.mail import send_mail
from wagtail.contrib.forms.models import FormSubmission

from django_tasks import task


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
