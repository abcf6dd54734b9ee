import time

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe

from wagtail.models import Page

from home.abuse.antispam import issue_started_token
from home.abuse.ratelimit import hit
from home.abuse.visitor import network_hash

SEARCH_RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@require_safe
def search(request):
    """Site search over live, public pages, with Wagtail's database backend.

    Control characters are dropped from the query: PostgreSQL refuses a NUL in a
    string (a 500 before this), and none of them is ever part of a real search."""
    raw = request.GET.get("query") or ""
    query = "".join(ch for ch in raw if ch.isprintable() or ch == " ").strip()[:MAX_QUERY_LENGTH]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().public().specific().search(query)
    paginator = Paginator(results, SEARCH_RESULTS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return TemplateResponse(
        request,
        "search/search.html",
        {"search_query": query, "search_results": page, "paginator": paginator},
    )


@require_safe
@cache_control(max_age=60 * 60, public=True)
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /search/",
        "Disallow: /forms/",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def form_started(request):
    """A fresh "form started" token for the anti-spam check (home/abuse/antispam.py).

    Asked for by site.js when a form is first shown or focused, so that cached
    pages carry no time. Never cached by anyone (`private, no-store`), at most
    LMN_FORM_TOKENS_PER_NETWORK_PER_HOUR per IP address (or IPv6 /64), then 429;
    the form still works then, as it does without JavaScript. Nothing is logged
    and the token only ever travels in response and form bodies, never in a URL.
    """
    limit = settings.LMN_FORM_TOKENS_PER_NETWORK_PER_HOUR
    if hit(f"form-started-net:{network_hash(request)}", limit, 3600):
        response = JsonResponse({"token": issue_started_token()})
    else:
        response = JsonResponse(
            {"error": "Too many forms opened from your connection. Please try again later."},
            status=429,
        )
        response["Retry-After"] = str(3600 - int(time.time()) % 3600)
    patch_cache_control(response, private=True, no_store=True, max_age=0)
    response["X-Robots-Tag"] = "noindex"
    return response
