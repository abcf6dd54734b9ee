"""Publishing safely: "Review before publishing" on the blog — contributors write and
submit, editors approve — set up by the data migration, the demo and the admin; and
the post editor's defaults and alt-text rule."""

import io

from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage

import pytest

from blog.factories import BlogIndexPageFactory, make_post
from blog.models import Author, BlogIndexPage, BlogPage
from blog.workflow import CONTRIBUTORS, EDITORS, WORKFLOW_NAME, setup_review_workflow
from tests.home.staff import test_editors_support as support
from tests.home.staff.test_editors_support import editor_form_data, fresh, new_page_form_data

pytestmark = pytest.mark.django_db

blog_index = support.blog_index
contributor = support.contributor
editor = support.editor
moderator = support.moderator
organiser = support.organiser
superuser = support.superuser


def add_post_url(index):
    return reverse("wagtailadmin_pages:add", args=["blog", "blogpage", index.pk])


def write_post(client, user, index, action=None, **changes):
    """The contributor's "new post" form, filled in and sent with `action`."""
    data = new_page_form_data(
        BlogPage,
        index,
        fresh(user),
        title="Our evidence to the inquiry",
        slug="our-evidence",
        intro="What we told the inquiry.",
        **changes,
    )
    if action:
        data[action] = "1"
    client.force_login(user)
    return client.post(add_post_url(index), data)


# ---------- Set-up ----------


def test_migration_made_the_workflow_with_editors_as_approvers(db):
    workflow = Workflow.objects.get(name=WORKFLOW_NAME)
    tasks = [task.specific for task in workflow.tasks]
    assert len(tasks) == 1
    assert isinstance(tasks[0], GroupApprovalTask)
    assert [group.name for group in tasks[0].groups.all()] == [EDITORS]
    contributors = Group.objects.get(name=CONTRIBUTORS)
    assert contributors.permissions.filter(codename="access_admin").exists()
    assert not contributors.page_permissions.filter(permission__codename="publish_page").exists()


def test_setup_assigns_the_blog_and_is_idempotent(home_page):
    index = BlogIndexPageFactory(parent=home_page)
    assert index.get_workflow().name != WORKFLOW_NAME  # Wagtail's default, from the root
    setup_review_workflow(apps)
    setup_review_workflow(apps)
    assert BlogIndexPage.objects.get(pk=index.pk).get_workflow().name == WORKFLOW_NAME
    assert WorkflowPage.objects.filter(page=index).count() == 1
    codenames = sorted(
        GroupPagePermission.objects.filter(group__name=CONTRIBUTORS, page=index).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == ["add_page", "change_page"]


def test_setup_in_an_empty_site_assigns_nothing_and_does_not_fail(home_page):
    assert not BlogIndexPage.objects.exists()
    workflow = setup_review_workflow(apps)
    assert not WorkflowPage.objects.filter(workflow=workflow).exists()


def test_demo_loader_assigns_the_workflow_to_the_blog(home_page):
    from blog.demo import assign_blog_review_workflow

    index = BlogIndexPageFactory(parent=home_page)
    assign_blog_review_workflow(home_page, io.StringIO())
    assert index.get_workflow().name == WORKFLOW_NAME


def test_a_blog_index_made_in_the_admin_gets_the_workflow(client, home_page, superuser):
    data = new_page_form_data(
        BlogIndexPage, home_page, superuser, title="News", slug="blog", introduction="News."
    )
    client.force_login(superuser)
    url = reverse("wagtailadmin_pages:add", args=["blog", "blogindexpage", home_page.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    index = BlogIndexPage.objects.get()
    assert index.get_workflow().name == WORKFLOW_NAME


# ---------- Contributors submit, editors approve ----------


def test_a_contributor_cannot_publish(client, contributor, blog_index):
    post_permissions = make_post(blog_index).permissions_for_user(fresh(contributor))
    assert post_permissions.can_edit()
    assert not post_permissions.can_publish()

    response = write_post(client, contributor, blog_index, action="action-publish")
    assert response.status_code == 302
    post = BlogPage.objects.get(slug="our-evidence")
    assert not post.live
    assert post.has_unpublished_changes


def test_a_contributor_submits_and_an_editor_approves(client, contributor, editor, blog_index):
    response = write_post(client, contributor, blog_index, action="action-submit")
    assert response.status_code == 302
    post = BlogPage.objects.get(slug="our-evidence")
    assert not post.live
    assert post.workflow_in_progress
    task_state = post.current_workflow_task_state
    assert task_state.task.name == "Editors approve"

    # A contributor cannot approve their own post.
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[post.pk, "approve", task_state.pk]
    )
    client.force_login(contributor)
    client.post(approve, {"comment": ""})
    post.refresh_from_db()
    assert not post.live

    client.force_login(editor)
    assert "Our evidence to the inquiry" in client.get("/admin/").content.decode()
    response = client.post(approve, {"comment": "Thank you."})
    assert response.status_code in (200, 302)
    post.refresh_from_db()
    assert post.live
    assert post.intro == "What we told the inquiry."
    assert not post.workflow_in_progress


def test_an_editor_can_send_a_post_back(client, contributor, editor, blog_index):
    write_post(client, contributor, blog_index, action="action-submit")
    post = BlogPage.objects.get(slug="our-evidence")
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=[post.pk, "reject", post.current_workflow_task_state.pk],
    )
    client.force_login(editor)
    client.post(url, {"comment": "Please add the date of the hearing."})
    post.refresh_from_db()
    assert not post.live
    assert post.current_workflow_state.status == "needs_changes"


def test_moderators_and_organisers_get_no_page_rights(client, moderator, organiser, blog_index):
    post = make_post(blog_index)
    for name in ("Comment moderators", "Event organisers"):
        assert not GroupPagePermission.objects.filter(group__name=name).exists()
    for user in (moderator, organiser):
        assert not post.permissions_for_user(fresh(user)).can_edit()
        client.force_login(user)
        response = client.get(reverse("wagtailadmin_pages:edit", args=[post.pk]))
        assert response.status_code in (302, 403)
        assert not GroupApprovalTask.objects.filter(groups__user=user).exists()


# ---------- The post editor ----------


def test_a_new_post_starts_today_with_the_writers_author_profile(client, contributor, blog_index):
    me = Author.objects.create(name="Amina Writer", user=contributor)
    Author.objects.create(name="Someone Else")
    client.force_login(contributor)
    form = client.get(add_post_url(blog_index)).context["form"]
    assert list(form.initial["authors"]) == [me.pk]
    # Shown in UK time, as the editor reads it.
    assert form["date"].value().date() == timezone.localdate()

    write_post(client, contributor, blog_index, action="action-submit")
    post = BlogPage.objects.get(slug="our-evidence").get_latest_revision_as_object()
    assert [author.name for author in post.authors.all()] == ["Amina Writer"]


def test_no_author_is_ticked_for_an_account_without_a_profile(client, editor, blog_index):
    Author.objects.create(name="Someone Else")
    client.force_login(editor)
    form = client.get(add_post_url(blog_index)).context["form"]
    assert not form.initial.get("authors")


def test_a_hero_image_needs_alt_text(client, contributor, blog_index):
    image = get_image_model().objects.create(title="IMG_0042.jpg", file=get_test_image_file())
    response = write_post(client, contributor, blog_index, hero_image=str(image.pk))
    assert response.status_code == 200
    assert "Every hero image needs this" in response.content.decode()
    assert not BlogPage.objects.filter(slug="our-evidence").exists()

    response = write_post(
        client,
        contributor,
        blog_index,
        hero_image=str(image.pk),
        hero_image_alt="Members listening at the roundtable",
    )
    assert response.status_code == 302
    assert BlogPage.objects.get(slug="our-evidence").hero_alt == (
        "Members listening at the roundtable"
    )


def test_editing_an_existing_post_keeps_its_authors(client, editor, blog_index):
    author = Author.objects.create(name="Original Author", user=editor)
    other = Author.objects.create(name="Guest Writer")
    post = make_post(blog_index, authors=[other])
    client.force_login(editor)
    form = client.get(reverse("wagtailadmin_pages:edit", args=[post.pk])).context["form"]
    assert list(form["authors"].value()) == [other.pk]
    assert author.pk not in form["authors"].value()
    data = editor_form_data(post, fresh(editor))
    assert data["authors"] == [str(other.pk)]
