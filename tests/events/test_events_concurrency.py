"""Many people confirming for the last places at once never exceed the capacity.

Each thread is a separate visitor with its own test client and its own
PostgreSQL connection (Django connections are per thread), so the requests
really do race, as they would across several server processes. Everyone first
asks for a place through the form; the race is on the emailed confirm links,
where the place is decided.
"""

import threading
from collections import Counter

from django.core import mail
from django.db import connection

import pytest

from events.factories import create_event, create_event_index
from events.models import EventRegistration
from tests.events.test_events_support import confirm_emails_to, confirm_path, registration_data

THREADS = 40
PLACES = 10


def _ask(event, count):
    """`count` people fill in the form (each from their own address); their confirm links."""
    from django.test import Client

    client = Client()
    mail.outbox.clear()
    paths = []
    for number in range(count):
        email = f"racer{number}@example.org"
        response = client.post(
            event.url,
            registration_data(name=f"Racer {number}", email=email),
            REMOTE_ADDR=f"198.51.100.{number + 1}",
        )
        assert response.status_code == 303
        (message,) = confirm_emails_to(email)
        paths.append(confirm_path(message))
    return paths


def _race(paths):
    """POST every path at once, one thread and client each; (status codes, errors)."""
    barrier = threading.Barrier(len(paths))
    statuses, errors = [], []

    def attempt(path):
        from django.test import Client

        client = Client()
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(path).status_code)
        except Exception as exc:  # noqa: BLE001 (the test reports every failure)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, errors


# serialized_rollback restores what migrations created (Wagtail's root page,
# groups) after the flush that ends every transactional test. All races run in
# one test so that this file needs only one such restore.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_confirmations_never_exceed_the_places(home_page):
    index = create_event_index(home_page)

    # With a waiting list: 10 confirmed, 30 waiting in a clean queue, none lost.
    event = create_event(index, title="With waiting list", capacity=PLACES, to_address="")
    statuses, errors = _race(_ask(event, THREADS))
    assert errors == []
    assert Counter(statuses) == {200: THREADS}
    counts = Counter(EventRegistration.objects.filter(page=event).values_list("status", flat=True))
    assert counts == {"confirmed": PLACES, "waiting": THREADS - PLACES}
    positions = sorted(
        EventRegistration.objects.filter(page=event, status="waiting").values_list(
            "position", flat=True
        )
    )
    assert positions == list(range(1, THREADS - PLACES + 1))

    # Without a waiting list: 10 confirmed, 30 told "fully booked", nothing else kept.
    event = create_event(
        index,
        title="No waiting list",
        capacity=PLACES,
        waiting_list_enabled=False,
        to_address="",
    )
    statuses, errors = _race(_ask(event, THREADS))
    assert errors == []
    assert Counter(statuses) == {200: PLACES, 409: THREADS - PLACES}
    assert EventRegistration.objects.filter(page=event, status="confirmed").count() == PLACES
    assert EventRegistration.objects.filter(page=event).count() == PLACES

    # One link used twice at once confirms once; the other use finds it gone.
    event = create_event(index, title="One link twice", capacity=PLACES, to_address="")
    (path,) = _ask(event, 1)
    statuses, errors = _race([path, path])
    assert errors == []
    assert sorted(statuses) == [200, 404]
    assert list(EventRegistration.objects.filter(page=event).values_list("status", flat=True)) == [
        "confirmed"
    ]
    confirmations = [m for m in mail.outbox if m.subject.startswith("Your place is confirmed")]
    assert len(confirmations) == 1

    # Two requests for one address, both confirmed at once: one registration.
    event = create_event(index, title="One address twice", capacity=PLACES, to_address="")
    mail.outbox.clear()
    from django.test import Client

    client = Client()
    for _ in range(2):
        client.post(
            event.url, registration_data(email="twice@example.org"), REMOTE_ADDR="192.0.2.9"
        )
    paths = [confirm_path(m) for m in confirm_emails_to("twice@example.org")]
    assert len(paths) == 2
    statuses, errors = _race(paths)
    assert errors == []
    assert statuses == [200, 200]
    assert list(EventRegistration.objects.filter(page=event).values_list("status", flat=True)) == [
        "confirmed"
    ]
