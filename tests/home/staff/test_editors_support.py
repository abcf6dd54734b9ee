"""Fixtures shared by the editors' tests (dashboard, workflow, previews): people in
each role and a small site. No tests here."""

import pytest

PASSWORD = "a-long-test-password-1"


def make_user(django_user_model, username, *groups, **fields):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(
        username, email=f"{username}@example.org", password=PASSWORD, **fields
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def fresh(user):
    """The same account without cached permissions, as a new request would see it."""
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def blog_index(home_page):
    from blog.factories import BlogIndexPageFactory
    from blog.workflow import assign_to_blog_index

    index = BlogIndexPageFactory(parent=home_page)
    assign_to_blog_index(index)
    return index


@pytest.fixture
def event_index(home_page):
    from events.factories import create_event_index

    return create_event_index(home_page)


@pytest.fixture
def contributor(django_user_model, blog_index):
    return make_user(django_user_model, "contributor", "Contributors")


@pytest.fixture
def editor(django_user_model, blog_index):
    return make_user(django_user_model, "editor", "Editors")


@pytest.fixture
def moderator(django_user_model):
    return make_user(django_user_model, "moderator", "Comment moderators")


@pytest.fixture
def organiser(django_user_model):
    return make_user(django_user_model, "organiser", "Event organisers")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        "admin", email="admin@example.org", password=PASSWORD
    )


def register_people(event, confirmed=0, waiting=0):
    """Registrations made directly (the registration rules are the events tests' job)."""
    from django.utils import timezone

    from events.models import EventRegistration, registration_consent

    consent = registration_consent()
    rows = []
    for status, how_many in [
        (EventRegistration.CONFIRMED, confirmed),
        (EventRegistration.WAITING, waiting),
    ]:
        for n in range(how_many):
            rows.append(
                EventRegistration(
                    page=event,
                    form_data={},
                    status=status,
                    position=n + 1 if status == EventRegistration.WAITING else None,
                    name=f"Person {status} {n}",
                    email=f"{status}{n}@example.org",
                    consent=consent,
                    consented_at=timezone.now(),
                )
            )
    EventRegistration.objects.bulk_create(rows)


# ---------- What the page editor posts ----------


def _block_data(block, value, prefix, data):
    """Flatten a block value into the names Wagtail's block widgets post."""
    from django import forms

    from wagtail import blocks

    if isinstance(block, blocks.StreamBlock):
        children = list(value) if value is not None else []
        data[f"{prefix}-count"] = str(len(children))
        for i, child in enumerate(children):
            data[f"{prefix}-{i}-type"] = child.block_type
            data[f"{prefix}-{i}-deleted"] = ""
            data[f"{prefix}-{i}-order"] = str(i)
            data[f"{prefix}-{i}-id"] = child.id or ""
            _block_data(child.block, child.value, f"{prefix}-{i}-value", data)
    elif isinstance(block, blocks.ListBlock):
        items = list(value.bound_blocks) if hasattr(value, "bound_blocks") else list(value)
        data[f"{prefix}-count"] = str(len(items))
        for i, item in enumerate(items):
            item_value = getattr(item, "value", item)
            data[f"{prefix}-{i}-deleted"] = ""
            data[f"{prefix}-{i}-order"] = str(i)
            data[f"{prefix}-{i}-id"] = getattr(item, "id", "") or ""
            _block_data(block.child_block, item_value, f"{prefix}-{i}-value", data)
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            _block_data(child_block, value.get(name) if value else None, f"{prefix}-{name}", data)
    elif isinstance(block, blocks.ChooserBlock):
        pk = getattr(value, "pk", value)
        data[prefix] = "" if pk is None else str(pk)
    else:
        field = block.field
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[prefix] = "on"
            return
        widget_value = field.widget.format_value(block.value_for_form(value))
        if isinstance(widget_value, list):
            widget_value = widget_value[0] if widget_value else ""
        data[prefix] = "" if widget_value is None else str(widget_value)


def _field_data(bound_field, data):
    from django import forms

    from wagtail.blocks.base import BlockWidget

    widget = bound_field.field.widget
    name = bound_field.html_name
    value = bound_field.value()
    if isinstance(widget, BlockWidget):
        _block_data(widget.block_def, value, name, data)
    elif isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            data[name] = "on"
    elif getattr(widget, "allow_multiple_selected", False):
        data[name] = [str(item) for item in (value or [])]
    else:
        formatted = widget.format_value(value)
        if isinstance(formatted, list):
            formatted = formatted[0] if formatted else ""
        data[name] = "" if formatted is None else str(formatted)


def editor_form_data(page, user, **changes):
    """Everything the page editor would post for `page` (its latest draft) as `user`
    sees it, with `changes` applied: built from Wagtail's own edit form, formsets and
    block widgets, so it follows the page model."""
    page = page.specific.get_latest_revision_as_object()
    return _form_data(page, page.get_parent().specific, user, changes)


def new_page_form_data(model, parent, user, **changes):
    """What the editor posts for a new page of `model` under `parent`, as `user`
    first sees the form (the form's defaults included), with `changes` applied."""
    return _form_data(model(), parent.specific, user, changes)


def _form_data(page, parent, user, changes):
    form_class = page.get_edit_handler().get_form_class()
    form = form_class(instance=page, for_user=user, parent_page=parent)
    data = {}
    for bound_field in form:
        _field_data(bound_field, data)
    for formset in form.formsets.values():
        for bound_field in formset.management_form:
            data[bound_field.html_name] = str(bound_field.value())
        for child in formset.forms:
            for bound_field in child:
                _field_data(bound_field, data)
    data.update(changes)
    return data
