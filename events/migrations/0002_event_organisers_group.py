"""The "Event organisers" group: the only people (with superusers) who may see,
export, cancel and promote event registrations."""

from django.db import migrations

GROUP = "Event organisers"


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    registration_type, _ = ContentType.objects.get_or_create(
        app_label="events", model="eventregistration"
    )
    manage, _ = Permission.objects.get_or_create(
        content_type=registration_type,
        codename="manage_registrations",
        defaults={"name": "Can see, export, cancel and promote event registrations"},
    )
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(manage, access_admin)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
