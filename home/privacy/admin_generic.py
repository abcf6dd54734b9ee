"""Building blocks shared by the admin screens that show personal data.

Every such screen (event registrations and written contributions, form messages,
personal data requests, the mailing list, action-plan statuses) is one of Wagtail's
generic views (`wagtail.admin.views.generic`: IndexView, InspectView, FormView with
`PermissionCheckedMixin`...) given a permission policy from here, and checks access
only through that policy's `permission_required` / `any_permission_required`. No
screen writes its own check in `dispatch`, and the menu items ask the same policy.

Tables use `Column` below, so an empty cell reads "—" rather than a blank or "None".
May import Django and Wagtail only.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from wagtail.admin.ui import tables
from wagtail.permission_policies.base import BasePermissionPolicy

EMPTY = "—"


def _active_users():
    return get_user_model().objects.filter(is_active=True)


class OnePermissionPolicy(BasePermissionPolicy):
    """The listed actions need one Django permission (for instance
    `events.manage_registrations`), held through a group, directly or by being an
    active superuser. Any other action is refused to everyone, superusers included,
    so a screen offers exactly the actions listed."""

    def __init__(self, model, permission, actions):
        super().__init__(model)
        self.permission = permission
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return (
            action in self.actions
            and bool(user and user.is_active)
            and user.has_perm(self.permission)
        )

    def users_with_any_permission(self, actions):
        if not self.actions & set(actions):
            return _active_users().none()
        app_label, codename = self.permission.split(".")
        granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        return (
            _active_users()
            .filter(
                Q(is_superuser=True)
                | Q(user_permissions__in=granted)
                | Q(groups__permissions__in=granted)
            )
            .distinct()
        )


class SuperusersOnlyPolicy(BasePermissionPolicy):
    """The listed actions for active superusers, whatever permissions groups are given;
    nothing for anyone else (for data no group may be trusted with)."""

    def __init__(self, model, actions):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and bool(user and user.is_active and user.is_superuser)

    def users_with_any_permission(self, actions):
        users = _active_users().filter(is_superuser=True)
        return users if self.actions & set(actions) else users.none()


class Column(tables.Column):
    """Wagtail's column, with "—" for an empty value (None or blank)."""

    empty_value_display = EMPTY

    def get_value(self, instance):
        value = super().get_value(instance)
        return "" if value is None else value


class LinkColumn(Column):
    """A column whose value links to `get_url(instance)` (no link when that is None)."""

    cell_template_name = "home/admin/link_cell.html"

    def __init__(self, name, get_url, **kwargs):
        super().__init__(name, **kwargs)
        self.get_url = get_url

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["link_url"] = self.get_url(instance)
        return context


class EmptyDashInspectMixin:
    """For an InspectView: a field with no value reads "—", not "None" or a blank."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return EMPTY if value is None or value == "" else value
