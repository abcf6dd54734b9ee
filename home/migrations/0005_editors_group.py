"""The "Editors" group with least privilege: the site's pages, images, documents,
redirects and the blog's author and category snippets, and nothing else.

Wagtail's own migrations create "Editors" with page add/edit rights and image and
document rights; this makes the set exact. Editors may also publish (the blog's
"Review before publishing" workflow makes them its approvers). They get no users,
groups, site settings, consent wording, comment moderation, event registrations or
personal-data requests: those belong to superusers, Comment moderators and Event
organisers (see README "Roles" and docs/security.md).

Content types and permissions are found or created by label, so this migration
needs no other app's code.
"""

from django.db import migrations

GROUP = "Editors"

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page"]
COLLECTION_PERMISSIONS = {
    ("wagtailimages", "image"): ["add_image", "change_image", "delete_image", "choose_image"],
    ("wagtaildocs", "document"): [
        "add_document",
        "change_document",
        "delete_document",
        "choose_document",
    ],
}
MODEL_PERMISSIONS = {
    ("wagtailadmin", "admin"): ["access_admin"],
    ("wagtailredirects", "redirect"): ["add_redirect", "change_redirect", "delete_redirect"],
    ("blog", "author"): ["add_author", "change_author", "view_author"],
    ("blog", "blogcategory"): ["add_blogcategory", "change_blogcategory", "view_blogcategory"],
}


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {codename.split('_')[0]} {model}"},
    )
    return permission


def set_up_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    editors, _ = Group.objects.get_or_create(name=GROUP)
    editors.permissions.set(
        [
            _permission(apps, app_label, model, codename)
            for (app_label, model), codenames in MODEL_PERMISSIONS.items()
            for codename in codenames
        ]
    )

    root_page = Page.objects.filter(depth=1).order_by("path").first()
    if root_page is not None:
        wanted = [_permission(apps, "wagtailcore", "page", c) for c in PAGE_PERMISSIONS]
        GroupPagePermission.objects.filter(group=editors).exclude(
            page=root_page, permission__in=wanted
        ).delete()
        for permission in wanted:
            GroupPagePermission.objects.get_or_create(
                group=editors, page=root_page, permission=permission
            )

    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        wanted = [
            _permission(apps, app_label, model, codename)
            for (app_label, model), codenames in COLLECTION_PERMISSIONS.items()
            for codename in codenames
        ]
        GroupCollectionPermission.objects.filter(group=editors).exclude(
            collection=root_collection, permission__in=wanted
        ).delete()
        for permission in wanted:
            GroupCollectionPermission.objects.get_or_create(
                group=editors, collection=root_collection, permission=permission
            )


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0004_privacyaction"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        # Wagtail's migrations create "Editors" and grant it rights (and "choose" to
        # every admin group); run after all of them so this set is the final one.
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
    ]

    # Going back leaves the group as it is: removing rights on the way down could
    # lock editors out of work they were doing.
    operations = [migrations.RunPython(set_up_editors, migrations.RunPython.noop)]
