"""/events/...: the calendar feed, per-event calendar downloads, confirm and cancel links.

Event pages themselves are Wagtail pages under the events index (/events/<slug>/).
"""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("feed.ics", views.events_feed, name="feed"),
    path("calendar/<int:page_id>.ics", views.event_ics, name="event_ics"),
    path("confirm/<str:code>/", views.confirm_registration, name="confirm"),
    path("cancel/<str:code>/", views.cancel_registration, name="cancel"),
    # Written contributions to a roundtable (the event page is /events/<slug>/).
    path("<slug:slug>/contribute/", views.contribute, name="contribute"),
]
