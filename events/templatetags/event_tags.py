from django import template

register = template.Library()


@register.inclusion_tag("events/includes/upcoming_events.html", takes_context=True)
def upcoming_events(context, count=3):
    """The next live, public events (placeholder until events land)."""
    return {"events": [], "request": context.get("request")}
