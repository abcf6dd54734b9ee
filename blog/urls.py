"""Non-page URLs under /blog/. The index page routes its own archives and feeds
(see `BlogIndexPage`); only the beacon lives here, under a name no slug can take
by accident."""

from django.urls import path

from . import views

urlpatterns = [
    path("_count-view/", views.view_beacon, name="blog_view_beacon"),
]
