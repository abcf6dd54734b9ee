"""What an event page does with a request: GET shows it (with the registration form
while registration is open), POST asks for a place.

`EventPage.serve` hands the request here. Like the services it uses
(`events.pending`, `events.contributions`, `events.what_we_heard`), this module
reaches the page and its rows through the page object and `events.records`, and
never imports `events.models`.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control

from home.abuse.ratelimit import hit
from home.abuse.visitor import network_hash, visitor_hash

from . import contributions, pending, what_we_heard
from .capacity import Window

RATE_LIMIT_MESSAGE = (
    "We have had a lot of registrations from your connection in the last hour. "
    "Please wait a while and try again, or contact us."
)


def registrations_per_hour():
    return settings.LMN_EVENT_REGISTRATIONS_PER_HOUR


def registrations_per_network_per_hour():
    """Per IP address, whatever the user agent: generous, as a whole office or a
    mobile network can share one address."""
    return settings.LMN_EVENT_REGISTRATIONS_PER_NETWORK_PER_HOUR


def _form_is_offered(page, window):
    if window != Window.OPEN:
        return False
    # Fully booked with no waiting list: say so instead of collecting details.
    return page.waiting_list_enabled or page.places_left != 0


def _render_page(page, request, form=None, status=200, notice=""):
    window = page.registration_window()
    if form is None and _form_is_offered(page, window):
        form = page.get_form(page=page, user=request.user)
    context = page.get_context(request)
    context.update(
        form=form,
        window=window,
        notice=notice,
        themes=what_we_heard.themes(page, request),
        contributions_window=str(contributions.window(page)),
        contributions_close=contributions.closes_at(page),
    )
    response = TemplateResponse(request, page.get_template(request), context, status=status)
    if form is not None and form.is_bound:
        # A form shown again carries its own anti-spam token: for this reader only.
        patch_cache_control(response, private=True, no_store=True)
    return response


# The "check your inbox" page is the event page's address with this query string.
SENT_QUERY = "sent=1"


def _redirect_to_landing_page(page, request):
    """Post/Redirect/Get: an accepted form is answered with a redirect (303) to the
    "check your inbox" page. It is one page for everyone, whatever the address's
    state, so the front cache keeps it like any other page, and reloading it never
    sends the form again."""
    response = HttpResponseRedirect(f"{page.get_url(request)}?{SENT_QUERY}")
    response.status_code = 303
    return response


def serve_event_page(page, request, *args, **kwargs):
    """GET shows the page (with the form while registration is open), or with
    `?sent=1` the "check your inbox" page; POST asks for a place: a pending request
    and an emailed confirm link, then the same redirect to "check your inbox"
    whatever the address's state.

    Spam: a filled honeypot looks like success but stores and sends nothing;
    a too-quick or expired form is shown again; more than
    LMN_EVENT_REGISTRATIONS_PER_HOUR attempts per visitor hash, or more than
    LMN_EVENT_REGISTRATIONS_PER_NETWORK_PER_HOUR per IP address, get a 429.
    """
    if not getattr(request, "is_preview", False):
        page.use_published_form_fields(request)
    if request.method != "POST":
        if request.META.get("QUERY_STRING") == SENT_QUERY:
            return page.render_landing_page(request, None)
        return _render_page(page, request)

    window = page.registration_window()
    if not _form_is_offered(page, window):
        return _render_page(page, request, status=409)

    # Both limits are counted on every attempt: a new user agent makes a new visitor
    # hash but not a new network hash.
    visitor_ok = hit(f"event-register:{visitor_hash(request)}", registrations_per_hour(), 3600)
    network_ok = hit(
        f"event-register-net:{network_hash(request)}", registrations_per_network_per_hour(), 3600
    )
    if not (visitor_ok and network_ok):
        return _render_page(page, request, status=429, notice=RATE_LIMIT_MESSAGE)

    form = page.get_form(request.POST, request.FILES, page=page, user=request.user)
    if not form.is_valid():
        return _render_page(page, request, form=form, status=400)
    if form.is_spam:
        # The same answer as everyone else gets; nothing is stored or sent.
        return _redirect_to_landing_page(page, request)

    # Never registers at once: a pending request and an emailed confirm link, and the
    # same answer whatever state the address is in (see events/pending.py).
    outcome = pending.request_registration(
        page,
        name=form.cleaned_data["full_name"],
        email=form.cleaned_data["email"],
        answers=form.answers(),
        consent=form.consent_text,
        mailing_list_consent=form.mailing_list_text
        if form.cleaned_data.get("mailing_list")
        else None,
        wants_summary=bool(form.cleaned_data.get("wants_summary")),
    )
    if outcome.kind == pending.CLOSED:
        return _render_page(page, request, status=409)
    return _redirect_to_landing_page(page, request)
