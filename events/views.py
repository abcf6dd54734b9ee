"""Public views beside the event page: calendar files and the emailed confirm and cancel
links (the page's own GET and form are `events.serving`)."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from home.abuse.ratelimit import hit
from home.abuse.visitor import network_hash, visitor_hash

from . import contributions
from . import registration as service
from .emails import answer_rows
from .ics import build_calendar
from .models import EventPage, EventRegistration
from .serving import registrations_per_network_per_hour
from .tokens import ExpiredLink, InvalidLink, read_cancel_code, read_confirm_code


def _calendar_response(body, filename, attachment):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=300)
    return response


@require_safe
def events_feed(request):
    """/events/feed.ics: every live, public event, to subscribe to in a calendar app."""
    events = EventPage.objects.live().public().order_by("start")
    body = build_calendar([event.calendar_entry() for event in events])
    return _calendar_response(body, "labour-muslim-network-events.ics", attachment=False)


@require_safe
def event_ics(request, page_id):
    """The "Add to calendar" download of one live, public event (no joining link)."""
    event = EventPage.objects.live().public().filter(pk=page_id).first()
    if event is None:
        raise Http404("No such event")
    body = build_calendar([event.calendar_entry()], name=event.title)
    return _calendar_response(body, f"{event.slug}.ics", attachment=True)


def _private(response):
    # The code in the URL is a key to someone's place: keep it out of caches,
    # search engines and the Referer header sent to other sites. ("no-referrer"
    # would also make the browser send "Origin: null" with the form, which
    # Django's CSRF check rightly refuses.)
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def cancel_registration(request, code):
    """Cancel a place from the emailed link: GET asks to confirm, POST cancels (idempotent)."""
    try:
        token = read_cancel_code(code)
    except ExpiredLink:
        return _private(
            TemplateResponse(request, "events/cancel_invalid.html", {"expired": True}, status=410)
        )
    except InvalidLink:
        return _private(
            TemplateResponse(request, "events/cancel_invalid.html", {"expired": False}, status=404)
        )
    registration = (
        EventRegistration.objects.filter(cancel_token=token)
        .exclude(status=EventRegistration.PENDING)
        .first()
    )
    if registration is None:
        return _private(
            TemplateResponse(request, "events/cancel_invalid.html", {"expired": False}, status=404)
        )
    event = get_object_or_404(EventPage, pk=registration.page_id)
    context = {"event": event, "registration": registration}
    if request.method == "POST":
        outcome = service.cancel(registration)
        context.update(registration=outcome.registration, already=outcome.already_cancelled)
        return _private(TemplateResponse(request, "events/cancel_done.html", context))
    return _private(TemplateResponse(request, "events/cancel_confirm.html", context))


def _confirm_invalid(request, expired=False):
    return _private(
        TemplateResponse(
            request,
            "events/confirm_invalid.html",
            {"expired": expired},
            status=410 if expired else 404,
        )
    )


def _confirm_context(event, pending):
    """What the confirm step shows: the event, and the name and answers that would be
    kept in this person's name, sensitive ones included (they are the person's own,
    behind a link sent only to their inbox), so that someone who did not send them
    can see so and not confirm. The email address is not repeated."""
    row = EventRegistration.objects.only("name", "form_data", "mailing_list_consent").get(
        pk=pending.pk
    )
    return {
        "event": event,
        "name": row.name,
        "answers": answer_rows(row, event, include_sensitive=True),
        "mailing_list": row.mailing_list_consent_id is not None,
    }


# What a confirm POST can end in, and the status code of its page.
CONFIRM_STATUS = {
    service.CONFIRMED: 200,
    service.WAITING: 200,
    service.DUPLICATE: 200,
    service.FULL: 409,
    service.CLOSED: 409,
}


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_registration(request, code):
    """The emailed confirm link: GET shows one button and changes nothing; POST
    decides the place under the event lock (once: a used link is gone)."""
    try:
        token = read_confirm_code(code)
    except ExpiredLink:
        return _confirm_invalid(request, expired=True)
    except InvalidLink:
        return _confirm_invalid(request)
    pending = service.pending_for_token(token)
    if pending is None:
        return _confirm_invalid(request)
    event = get_object_or_404(EventPage, pk=pending.page_id)
    if request.method != "POST":
        return _private(
            TemplateResponse(request, "events/confirm.html", _confirm_context(event, pending))
        )
    outcome = service.confirm(token, pending=pending)
    if outcome.kind == service.INVALID:
        return _confirm_invalid(request)
    if outcome.kind == service.EXPIRED:
        return _confirm_invalid(request, expired=True)
    context = {"event": event, "outcome": outcome, "registration": outcome.registration}
    return _private(
        TemplateResponse(
            request, "events/confirm_done.html", context, status=CONFIRM_STATUS[outcome.kind]
        )
    )


# Written contributions -----------------------------------------------------------

CONTRIBUTION_LIMIT_MESSAGE = (
    "We have had a lot of contributions from your connection in the last hour. "
    "Please wait a while and try again, or email us."
)


def _contribution_page(request, event, form=None, status=200, notice=""):
    window = contributions.window(event)
    if form is None and window == contributions.Window.OPEN:
        form = contributions.make_form(event)
    context = {
        "page": event,
        "event": event,
        "form": form,
        "window": str(window),
        "notice": notice,
        "closes": contributions.closes_at(event),
        "opens": event.contributions_open,
    }
    return TemplateResponse(request, "events/contribute.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def contribute(request, slug):
    """/events/<slug>/contribute/: the written-contribution form of a live, public event
    that accepts contributions (404 otherwise).

    The same spam defences as registration (honeypot, fill time, per-visitor and
    per-network limits with a 429), and the same "thank you" page whatever the
    address given, whether it was stored or held back by the per-address limit.
    """
    event = EventPage.objects.live().public().filter(slug=slug).first()
    if event is None or contributions.window(event) == contributions.Window.OFF:
        raise Http404("This event does not accept written contributions.")
    if request.method != "POST":
        return _contribution_page(request, event)
    window = contributions.window(event)
    if window != contributions.Window.OPEN:
        return _contribution_page(request, event, status=409)
    visitor_ok = hit(
        f"event-contribute:{visitor_hash(request)}", settings.LMN_EVENT_CONTRIBUTIONS_PER_HOUR, 3600
    )
    network_ok = hit(
        f"event-contribute-net:{network_hash(request)}",
        registrations_per_network_per_hour(),
        3600,
    )
    if not (visitor_ok and network_ok):
        return _contribution_page(request, event, status=429, notice=CONTRIBUTION_LIMIT_MESSAGE)
    form = contributions.make_form(event, request.POST)
    if not form.is_valid():
        return _contribution_page(request, event, form=form, status=400)
    if not form.is_spam:
        contributions.submit(event, form)
    return TemplateResponse(request, "events/contribute_done.html", {"page": event, "event": event})
