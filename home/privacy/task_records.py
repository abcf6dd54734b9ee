"""Background-task records (django-tasks' database backend) and personal data.

Tasks receive only record ids, but a failed task's stored traceback holds the
exception's text, and mail servers name the address they refused ("recipient
refused: someone@example.org"). So:

- every task result is passed through `home.privacy.registry.redact` as it is saved
  (`scrub_on_save`), so no email or IP address reaches the table;
- `apply_retention` redacts any older record that still holds one (records
  written before this rule, or by another route), and
- subject access lists, and erasure deletes, the records that mention an address
  (in their arguments or their error text), unless the task is running.
"""

from django.db.models import Q
from django.db.models.signals import pre_save

from home.privacy import registry as privacy


def _model():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult


def scrub_on_save(sender, instance, raw=False, **kwargs):
    """Redact addresses from a task result's error text before it is written."""
    if instance.traceback:
        instance.traceback = privacy.redact(instance.traceback)


def _mentioning(email):
    email = privacy.normalise_email(email)
    if not email:
        return _model().objects.none()
    # The arguments are JSON; searching their text finds an address at any depth.
    return _model().objects.filter(Q(traceback__icontains=email) | Q(args_kwargs__icontains=email))


def export(email):
    """The task records that mention `email`: which task, its state and when."""
    return [
        {
            "id": str(pk),
            "task": task_path.rsplit(".", 1)[-1],
            "status": status,
            "enqueued_at": enqueued.isoformat() if enqueued else None,
            "finished_at": finished.isoformat() if finished else None,
        }
        for pk, task_path, status, enqueued, finished in _mentioning(email)
        .order_by("enqueued_at")
        .values_list("id", "task_path", "status", "enqueued_at", "finished_at")
    ]


def erase(email):
    """Delete the task records that mention `email` (a queued task that would have
    written to them is not run either); a running task is left to finish, and its
    result is redacted as it is saved."""
    from django_tasks_db.compat import TaskResultStatus

    return _mentioning(email).exclude(status=TaskResultStatus.RUNNING).delete()[0]


def apply_retention(now, dry_run=False):
    """Redact the error text of any task record that still holds an address."""
    changed = []
    for record in _model().objects.filter(traceback__contains="@").only("pk", "traceback"):
        cleaned = privacy.redact(record.traceback)
        if cleaned != record.traceback:
            changed.append((record.pk, cleaned))
    if not changed:
        return []
    if not dry_run:
        for pk, cleaned in changed:
            _model().objects.filter(pk=pk).update(traceback=cleaned)
    verb = "Would remove" if dry_run else "Removed"
    return [f"{verb} addresses from the error text of {len(changed)} background-task record(s)."]


def register():
    pre_save.connect(scrub_on_save, sender=_model(), dispatch_uid="lmn_scrub_task_results")
    privacy.register_holder("task_records", export=export, erase=erase)
    privacy.register_retention_rule("task_records", apply=apply_retention)
