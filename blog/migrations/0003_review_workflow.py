"""The "Review before publishing" workflow: Contributors submit posts, Editors approve.

Creates or finds the groups by name (Wagtail's own migrations and the security
set-up may have made "Editors" already) and assigns the workflow to the blog
index when one exists; the demo loader and the admin assign it to a blog index
created later.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from blog.workflow import setup_review_workflow

    setup_review_workflow(apps)


def backwards(apps, schema_editor):
    from blog.workflow import CONTRIBUTORS, TASK_NAME, WORKFLOW_NAME

    apps.get_model("wagtailcore", "Workflow").objects.filter(name=WORKFLOW_NAME).delete()
    apps.get_model("wagtailcore", "Task").objects.filter(name=TASK_NAME).delete()
    apps.get_model("auth", "Group").objects.filter(name=CONTRIBUTORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0002_author_user"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        # These grant "choose" to every group with admin access; run them first so the
        # grants here are the whole of what Contributors get.
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
