"""The "Views" tab on a post in the admin: daily views over the last 90 days."""

from datetime import timedelta

from wagtail.admin.panels import Panel

from home.abuse.visitor import today

from . import charts

CHART_WIDTH = 720
CHART_HEIGHT = 200


class ViewsChartPanel(Panel):
    """An SVG bar chart of the post's daily views, with a sentence and a table as
    its text alternative."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "blog/admin/views_chart_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            post = self.instance
            end = today()
            totals = {}
            if post is not None and post.pk:
                start = end - timedelta(days=charts.CHART_DAYS - 1)
                totals = post.views_per_day(start, end)
            series = charts.daily_series(totals, end)
            bars, top = charts.bars(series, CHART_WIDTH, CHART_HEIGHT)
            context.update(
                {
                    "post": post,
                    "bars": bars,
                    "top": top,
                    "series": series,
                    "summary": charts.summary(series),
                    "width": CHART_WIDTH,
                    "height": CHART_HEIGHT,
                    "total_views": post.views if post is not None else 0,
                    "chart_id": f"views-chart-{getattr(post, 'pk', 'new')}",
                }
            )
            return context
