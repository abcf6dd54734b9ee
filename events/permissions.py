"""Who may manage event registrations: superusers and Event organisers.

Below both the admin views and the event page's admin form, so either can ask;
the model is named, not imported, so this module imports no events module.
"""

from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from home.privacy.admin_generic import OnePermissionPolicy

PERMISSION = "events.manage_registrations"

# Organisers see and export (view), book by phone (add), and cancel, promote and
# mark attendance (change). Deleting registrations stays with Wagtail's own
# submissions delete view, which the `filter_form_submissions_for_user` hook guards.
registrations_policy = OnePermissionPolicy(
    "events.EventRegistration", PERMISSION, actions={"view", "add", "change"}
)


def can_manage_registrations(user):
    """Superusers and Event organisers; nobody else, whatever their page permissions."""
    return registrations_policy.user_has_permission(user, "view")


class OrganisersOnlyMixin(PermissionCheckedMixin):
    """Wagtail's permission check against `registrations_policy` (403 when refused)."""

    permission_policy = registrations_policy
    permission_required = "view"
