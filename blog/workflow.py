"""Who may publish posts: contributors write and submit, editors approve.

`setup_review_workflow` creates (or finds, by name) the "Contributors" and
"Editors" groups and the "Review before publishing" workflow, whose one task is
approval by the Editors group, and assigns it to the blog index when there is
one. It takes an app registry so that the data migration (historical models)
and the demo loader / admin hook (the live registry) share one definition; it is
idempotent and never removes anything another part of the site has granted.
"""

WORKFLOW_NAME = "Review before publishing"
TASK_NAME = "Editors approve"
EDITORS = "Editors"
CONTRIBUTORS = "Contributors"

# Contributors may write posts (add and edit pages under the blog), never publish.
CONTRIBUTOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
# ...and use the image library for hero images (upload and choose) and choose documents.
CONTRIBUTOR_IMAGE_PERMISSIONS = ["add_image", "choose_image"]
CONTRIBUTOR_DOCUMENT_PERMISSIONS = ["choose_document"]


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    action = codename.split("_")[0]
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {action} {model}"},
    )
    return permission


def _groups(apps):
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    editors, _ = Group.objects.get_or_create(name=EDITORS)
    contributors, _ = Group.objects.get_or_create(name=CONTRIBUTORS)
    contributors.permissions.add(_permission(apps, "wagtailadmin", "admin", "access_admin"))
    root_collection = Collection.objects.filter(depth=1).order_by("path").first()
    if root_collection is not None:
        for model, codenames in [
            ("image", CONTRIBUTOR_IMAGE_PERMISSIONS),
            ("document", CONTRIBUTOR_DOCUMENT_PERMISSIONS),
        ]:
            app_label = "wagtailimages" if model == "image" else "wagtaildocs"
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=contributors,
                    collection=root_collection,
                    permission=_permission(apps, app_label, model, codename),
                )
    return editors, contributors


def _workflow(apps, editors):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        # Historical models do not fill in the task's content type: do it here.
        content_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(
            name=TASK_NAME, active=True, content_type=content_type
        )
    task.groups.add(editors)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow


def _blog_indexes(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    content_type = ContentType.objects.filter(app_label="blog", model="blogindexpage").first()
    if content_type is None:
        return Page.objects.none()
    return Page.objects.filter(content_type=content_type)


def setup_review_workflow(apps, index_ids=None):
    """Groups, workflow and task, assigned to the blog index(es): the given page ids,
    or every blog index when none are given (none in an empty database).

    Rule: contributors get add/edit (never publish) on the blog index and what is
    below it; Editors are the approvers; a blog index that already has a workflow
    of its own keeps it."""
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    editors, contributors = _groups(apps)
    workflow = _workflow(apps, editors)
    indexes = _blog_indexes(apps)
    if index_ids is not None:
        indexes = indexes.filter(pk__in=list(index_ids))
    for index in indexes:
        if not WorkflowPage.objects.filter(page_id=index.pk).exists():
            WorkflowPage.objects.create(page_id=index.pk, workflow=workflow)
        for codename in CONTRIBUTOR_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=contributors,
                page_id=index.pk,
                permission=_permission(apps, "wagtailcore", "page", codename),
            )
    return workflow


def assign_to_blog_index(index):
    """Set up the workflow for one blog index (demo loader, admin after creating one)."""
    from django.apps import apps

    return setup_review_workflow(apps, index_ids=[index.pk])
