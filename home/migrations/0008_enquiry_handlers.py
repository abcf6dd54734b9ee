"""The "Enquiry handlers" group: with superusers, the only people who read, download
and delete the messages sent through the contact and services-enquiry forms, and who
decide where those forms email them (home/staff_routing.py).

Also records downloads of those messages as their own kind of audit entry.
"""

from django.db import migrations, models

GROUP = "Enquiry handlers"


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    form_page_type, _ = ContentType.objects.get_or_create(app_label="home", model="formpage")
    handle, _ = Permission.objects.get_or_create(
        content_type=form_page_type,
        codename="handle_enquiries",
        defaults={
            "name": "Can read, download and delete messages sent through contact and enquiry forms"
        },
    )
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_type,
        codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set([handle, access_admin])


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0007_mailing_list_confirmation"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # These give "choose" permissions to every group with admin access; run them
        # first so that handlers do not get image and document choosers too.
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="formpage",
            options={
                "permissions": [
                    (
                        "handle_enquiries",
                        "Can read, download and delete messages sent through contact and "
                        "enquiry forms",
                    )
                ],
                "verbose_name": "Form page",
            },
        ),
        migrations.AlterField(
            model_name="privacyaction",
            name="kind",
            field=models.CharField(
                choices=[
                    ("export", "Subject access export"),
                    ("erasure", "Erasure"),
                    ("retention", "Retention run"),
                    ("registrations_export", "Registrations export"),
                    ("mailing_list_export", "Mailing list export"),
                    ("enquiries_export", "Form messages export"),
                ],
                max_length=30,
            ),
        ),
        migrations.RunPython(create_group, remove_group),
    ]
