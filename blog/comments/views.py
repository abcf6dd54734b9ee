"""Public endpoints: post a comment, report a comment, publish one's own comment.

Posting and reporting are POST-only and answer with a redirect back to the post
(post/redirect/get). A form with errors is shown again on the post itself with a
4xx status. The publish page is opened from an emailed link: GET asks, POST acts.
"""

from urllib.parse import urlencode

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_POST

from wagtail.models import Page

from home.abuse.ratelimit import hit
from home.abuse.visitor import network_hash, visitor_hash
from home.privacy import mailing_list

from . import moderation, services
from .forms import CommentForm, ReportForm
from .models import Comment, CommentSettings

COMMENTS_PER_HOUR = 5
# Per email address, whoever sends them; over it, comments are dropped in silence.
COMMENTS_PER_EMAIL_PER_HOUR = 5
REPORTS_PER_HOUR = 10
# Per IP address, whatever the user agent (which the client chooses freely):
# higher, as an office or a mobile network shares one address.
COMMENTS_PER_NETWORK_PER_HOUR = 20
REPORTS_PER_NETWORK_PER_HOUR = 20


def _post_or_404(page_id):
    page = get_object_or_404(Page.objects.live().public(), pk=page_id).specific
    if not services.is_commentable(page):
        raise Http404("Comments are only taken on blog posts.")
    return page


def _back_to_post(request, page, notice):
    query = urlencode({"comment": notice})
    return HttpResponseRedirect(f"{page.get_url(request)}?{query}#comment-status")


def render_post(request, page, status, form=None, report_error=""):
    """The post page again, with the bound form (and its errors) in the comments section."""
    request.comment_form = form
    request.comment_report_error = report_error
    context = page.get_context(request)
    response = TemplateResponse(request, page.get_template(request), context, status=status)
    # The form shown again carries its own anti-spam token: for this reader only.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
def post_comment(request, page_id):
    """Take a comment: spam and abuse checks, rate limits, then the moderation rules."""
    page = _post_or_404(page_id)
    settings = CommentSettings.load(request_or_site=request)
    if services.thread_closed(page, settings):
        return render_post(request, page, status=403)

    form = CommentForm(request.POST, page=page)
    if not form.is_valid():
        return render_post(request, page, status=400, form=form)

    visitor = visitor_hash(request)
    network = network_hash(request)
    cleaned = form.cleaned_data
    if form.is_spam:
        # Bots are told their comment arrived; it is kept, flagged, and never
        # shown. The visitor and network limits still apply so a bot cannot fill the table.
        visitor_ok = hit(f"comment-visitor:{visitor}", COMMENTS_PER_HOUR, 3600)
        network_ok = hit(f"comment-network:{network}", COMMENTS_PER_NETWORK_PER_HOUR, 3600)
        if visitor_ok and network_ok:
            services.store_spam(page, cleaned, visitor, "Hidden trap field was filled in")
        return _back_to_post(request, page, "received")

    # Both limits are counted on every attempt so neither can be used to dodge the
    # other. They describe the sender (their browser, their network), so saying
    # "too many" tells them nothing about anyone else.
    visitor_ok = hit(f"comment-visitor:{visitor}", COMMENTS_PER_HOUR, 3600)
    network_ok = hit(f"comment-network:{network}", COMMENTS_PER_NETWORK_PER_HOUR, 3600)
    if not (visitor_ok and network_ok):
        form.add_error(None, moderation.RATE_LIMIT_MESSAGE)
        return render_post(request, page, status=429, form=form)

    # The per-address limit is counted by `submit`, after every refusal, and a
    # comment over it is dropped in silence: the email typed may be someone else's.
    comment, decision = services.submit(
        page, cleaned, visitor, settings.rules(), address_limit=(COMMENTS_PER_EMAIL_PER_HOUR, 3600)
    )
    if decision.status == moderation.REFUSED:
        form.add_error(None, decision.message)
        return render_post(request, page, status=400, form=form)
    if comment is not None and cleaned.get("mailing_list"):
        # Its own record: moderating the comment, or retention clearing its email,
        # leaves the subscription alone.
        mailing_list.opt_in(cleaned["email"], mailing_list.COMMENT, consent=form.mailing_list_text)
    # The same answer whatever happened to the comment (waiting for a moderator,
    # for its author's emailed link, or dropped because of the address's history):
    # it must not tell the sender anything about the address they typed.
    return _back_to_post(request, page, "received")


@require_POST
def report_comment(request, comment_id):
    """A reader reports an approved comment; enough reports hide it for review."""
    comment = get_object_or_404(
        Comment.objects.only("pk", "page_id", "status", "reasons"),
        pk=comment_id,
        status=moderation.APPROVED,
    )
    page = _post_or_404(comment.page_id)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render_post(
            request, page, status=400, report_error="Please keep the reason to 300 characters."
        )
    visitor = visitor_hash(request)
    network = network_hash(request)
    visitor_ok = hit(f"comment-report:{visitor}", REPORTS_PER_HOUR, 3600)
    network_ok = hit(f"comment-report-net:{network}", REPORTS_PER_NETWORK_PER_HOUR, 3600)
    if not (visitor_ok and network_ok):
        return render_post(
            request,
            page,
            status=429,
            report_error="You have sent several reports in a short time. Please try again later.",
        )
    settings = CommentSettings.load(request_or_site=request)
    services.report(
        comment, form.cleaned_data["reason"], visitor, settings.reports_to_hide, network=network
    )
    return _back_to_post(request, page, "reported")


def _private_page(request, context, status=200):
    response = TemplateResponse(request, "comments/publish.html", context, status=status)
    # The code in the URL publishes someone's comment: keep it out of caches,
    # search engines and the Referer header.
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def publish_comment(request, code):
    """The author publishes their held comment from the link emailed to them.

    A GET changes nothing (mail scanners open links on their own); a POST
    publishes the comment if it is still waiting. A forged, broken or expired
    link gets a 404 page.
    """
    try:
        comment = services.find_by_publish_code(code)
    except services.InvalidPublishLink:
        return _private_page(request, {"state": "invalid"}, status=404)
    if comment is None:
        return _private_page(request, {"state": "gone"})
    if request.method == "POST":
        status = services.publish_by_author(comment.pk)
        state = "published" if status == moderation.APPROVED else "decided"
        return _private_page(request, {"state": state, "comment": comment, "just_now": True})
    if comment.status == moderation.APPROVED:
        state = "published"
    elif comment.status == moderation.PENDING:
        state = "ask"
    else:
        state = "decided"
    return _private_page(request, {"state": state, "comment": comment})
