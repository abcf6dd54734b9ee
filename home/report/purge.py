"""What the front cache must purge when an action plan changes (home/web/frontend_cache.py)."""

from home.report.models import ActionPlanPage, Recommendation
from home.report.progress import STATUS_CHOICES
from home.web import frontend_cache


def action_plan_paths(plan):
    """The action plan's status feed, each recommendation's page and the plan
    filtered by each status."""
    numbers = Recommendation.objects.filter(page_id=plan.pk).values_list("number", flat=True)
    return [
        "feed/",
        *(f"recommendation/{number}/" for number in numbers),
        *(f"?status={value}" for value, _label in STATUS_CHOICES),
    ]


def connect():
    frontend_cache.register(ActionPlanPage, paths=action_plan_paths)
