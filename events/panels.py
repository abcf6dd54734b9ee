"""Read-only admin panels on event pages."""

from wagtail.admin.panels import Panel

from .retention import retention_notice


class RetentionPanel(Panel):
    """Tells editors the date on which an event's registrations will be deleted.

    Read-only: the date follows from the event's end and "Delete registrations
    after", so it updates when either changes and the page is saved.
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "events/admin/retention_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["notice"] = retention_notice(self.instance)
            return context
