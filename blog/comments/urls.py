from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("post/<int:page_id>/", views.post_comment, name="post"),
    path("<int:comment_id>/report/", views.report_comment, name="report"),
    path("publish/<str:code>/", views.publish_comment, name="publish"),
]
