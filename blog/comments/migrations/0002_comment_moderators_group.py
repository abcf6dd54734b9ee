"""Create the "Comment moderators" group: moderate reader comments and nothing else."""

from django.db import migrations

GROUP = "Comment moderators"
# View, change (approve/reject/spam) and delete comments; no add (readers write them).
CODENAMES = ["view_comment", "change_comment", "delete_comment"]


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    comment_type, _ = ContentType.objects.get_or_create(app_label="comments", model="comment")
    permissions = []
    for codename in CODENAMES:
        action = codename.split("_")[0]
        permission, _ = Permission.objects.get_or_create(
            content_type=comment_type,
            codename=codename,
            defaults={"name": f"Can {action} comment"},
        )
        permissions.append(permission)
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    permissions.append(access_admin)

    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        # These give "choose" permissions to every group with admin access; run them
        # first so that moderators do not get image and document choosers too.
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("wagtailimages", "0023_add_choose_permissions"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
