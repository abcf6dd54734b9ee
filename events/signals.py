"""Keep the waiting list moving when an editor changes an event."""


def fill_places_after_publish(sender, instance, **kwargs):
    """Publishing an event with more places promotes people from its waiting list."""
    from .models import EventPage
    from .registration import fill_free_places

    if isinstance(instance, EventPage) and instance.pk:
        fill_free_places(instance)
