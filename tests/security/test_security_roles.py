"""Roles with least privilege: what each group may do, as the data migrations leave
it in a freshly migrated database (the test database is built by migrating)."""

from django.contrib.auth.models import Group

from wagtail.models import GroupCollectionPermission, GroupPagePermission

import pytest

pytestmark = pytest.mark.django_db


def model_permissions(name):
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def page_permissions(name):
    rows = GroupPagePermission.objects.filter(group__name=name).select_related("page")
    return {(row.page.depth, row.permission.codename) for row in rows}


def collection_permissions(name):
    rows = GroupCollectionPermission.objects.filter(group__name=name)
    return {row.permission.codename for row in rows}


def test_editors_edit_and_publish_pages_from_the_root():
    assert page_permissions("Editors") == {
        (1, "add_page"),
        (1, "change_page"),
        (1, "publish_page"),
        (1, "lock_page"),
    }


def test_editors_manage_images_and_documents():
    assert collection_permissions("Editors") == {
        "add_image",
        "change_image",
        "delete_image",
        "choose_image",
        "add_document",
        "change_document",
        "delete_document",
        "choose_document",
    }


def test_editors_have_nothing_beyond_content():
    assert model_permissions("Editors") == {
        "wagtailadmin.access_admin",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
        "blog.add_author",
        "blog.change_author",
        "blog.view_author",
        "blog.add_blogcategory",
        "blog.change_blogcategory",
        "blog.view_blogcategory",
    }


def test_comment_moderators_only_moderate_comments():
    assert model_permissions("Comment moderators") == {
        "wagtailadmin.access_admin",
        "comments.view_comment",
        "comments.change_comment",
        "comments.delete_comment",
    }
    assert page_permissions("Comment moderators") == set()
    assert collection_permissions("Comment moderators") == set()


def test_event_organisers_only_manage_registrations():
    assert model_permissions("Event organisers") == {
        "wagtailadmin.access_admin",
        "events.manage_registrations",
    }
    assert page_permissions("Event organisers") == set()
    assert collection_permissions("Event organisers") == set()


def test_enquiry_handlers_only_handle_form_messages():
    assert model_permissions("Enquiry handlers") == {
        "wagtailadmin.access_admin",
        "home.handle_enquiries",
    }
    assert page_permissions("Enquiry handlers") == set()
    assert collection_permissions("Enquiry handlers") == set()


def test_no_group_can_manage_users_settings_or_consent_wording():
    forbidden = {
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "auth.add_group",
        "auth.change_group",
        "home.change_sitesettings",
        "home.add_consenttext",
        "comments.change_commentsettings",
        "axes.change_accessattempt",
        "axes.delete_accessattempt",
        "otp_totp.change_totpdevice",
    }
    for group in Group.objects.all():
        assert not forbidden & model_permissions(group.name), group.name
