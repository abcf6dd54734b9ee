from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home.pages import views as home_views
from home.privacy import mailing_list_views
from home.web.twofactor import SiteTwoFactorLoginView

# A database outage gets a friendly 503 rather than the 500 page (home/web/outage.py).
handler500 = "home.web.outage.server_error"

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # wagtail-2fa's code page, with a form that works with current django-otp
    # (see home/web/twofactor.py); it shadows the one the wagtail-2fa hook registers.
    path("admin/2fa/auth", SiteTwoFactorLoginView.as_view(), name="wagtail_2fa_auth"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", home_views.search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("forms/started/", home_views.form_started, name="form_started"),
    path("blog/", include("blog.urls")),
    path("comments/", include("blog.comments.urls")),
    path("events/", include("events.urls")),
    path(
        "mailing-list/unsubscribe/<str:code>/",
        mailing_list_views.unsubscribe,
        name="mailing_list_unsubscribe",
    ),
    path(
        "mailing-list/confirm/<str:code>/",
        mailing_list_views.confirm,
        name="mailing_list_confirm",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # Everything else is a Wagtail page.
    path("", include(wagtail_urls)),
]
