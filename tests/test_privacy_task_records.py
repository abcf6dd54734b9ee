"""Failed background tasks keep no email address in their stored error text, and
erasure and retention cover the task records: run through django-tasks' database
backend and its worker, as in production, against PostgreSQL."""

import io
import smtplib

from django.core.management import call_command
from django.test import override_settings

import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from home.privacy import task_records

# Transactional: the worker closes and reopens its database connection between
# tasks, as it does in production, which a test wrapped in a transaction forbids.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PERSON = "someone@example.org"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def refused_delivery(record_id):
    """Fails as Django's SMTP backend does when the server refuses the recipient."""
    raise smtplib.SMTPRecipientsRefused(
        {PERSON: (550, f"5.1.1 <{PERSON}>: Recipient address rejected".encode())}
    )


@task()
def address_in_arguments(email):
    return email


def run_worker():
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--interval", "0", stdout=io.StringIO()
    )


def command(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@override_settings(TASKS=DATABASE_TASKS)
def test_a_failed_task_is_stored_without_the_refused_address():
    result = refused_delivery.enqueue(7)
    run_worker()
    record = DBTaskResult.objects.get(pk=result.id)
    assert record.status == "FAILED"
    assert record.exception_class_path == "smtplib.SMTPRecipientsRefused"
    assert "Recipient address rejected" in record.traceback
    assert PERSON not in record.traceback
    assert "example.org" not in record.traceback
    # What the library reads back for the admin and for result lookups is clean too.
    [error] = refused_delivery.get_result(result.id).errors
    assert PERSON not in error.traceback


@override_settings(TASKS=DATABASE_TASKS)
def test_retention_redacts_an_older_record_that_still_holds_an_address():
    result = refused_delivery.enqueue(8)
    run_worker()
    # As written before this rule existed (an update skips the save hook).
    DBTaskResult.objects.filter(pk=result.id).update(traceback=f"SMTPRecipientsRefused: {PERSON}")
    assert "Would remove addresses from the error text of 1" in command(
        "apply_retention", "--dry-run"
    )
    assert PERSON in DBTaskResult.objects.get(pk=result.id).traceback
    assert "Removed addresses from the error text of 1 background-task record(s)." in command(
        "apply_retention"
    )
    assert PERSON not in DBTaskResult.objects.get(pk=result.id).traceback
    assert "background-task" not in command("apply_retention")


@override_settings(TASKS=DATABASE_TASKS)
def test_erasure_deletes_the_task_records_that_mention_the_address():
    queued = address_in_arguments.enqueue(PERSON.upper())
    failed = refused_delivery.enqueue(9)
    run_worker()
    DBTaskResult.objects.filter(pk=failed.id).update(traceback=f"refused: {PERSON}")
    other = address_in_arguments.enqueue("other@example.org")
    assert {row["task"] for row in task_records.export(PERSON)} == {
        "address_in_arguments",
        "refused_delivery",
    }
    output = command("privacy_erase", PERSON, "--yes")
    assert "2 task records" in output
    remaining = set(DBTaskResult.objects.values_list("id", flat=True))
    assert str(other.id) in {str(pk) for pk in remaining}
    assert not {str(queued.id), str(failed.id)} & {str(pk) for pk in remaining}
