"""Many people submitting for the last places at once never exceed the capacity.

Each thread is a separate visitor with its own test client and its own
PostgreSQL connection (Django connections are per thread), so the requests
really do race, as they would across several server processes.
"""

import threading
from collections import Counter

from django.db import connection

import pytest

from events.factories import create_event, create_event_index
from events.models import EventRegistration
from tests.test_events_support import registration_data

THREADS = 40
PLACES = 10


def _race(event, count):
    barrier = threading.Barrier(count)
    statuses, errors = [], []
    forms = [
        registration_data(name=f"Racer {number}", email=f"racer{number}@example.org")
        for number in range(count)
    ]

    def attempt(number):
        from django.test import Client

        client = Client()
        data = forms[number]
        try:
            barrier.wait(timeout=30)
            response = client.post(event.url, data, REMOTE_ADDR=f"198.51.100.{number + 1}")
            statuses.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 (the test reports every failure)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, errors


# serialized_rollback restores what migrations created (Wagtail's root page,
# groups) after the flush that ends every transactional test. Both races run
# in one test so that this file needs only one such restore.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_forty_at_once_for_ten_places(home_page):
    index = create_event_index(home_page)

    # With a waiting list: 10 confirmed, 30 waiting in a clean queue, none lost.
    event = create_event(index, title="With waiting list", capacity=PLACES, to_address="")
    statuses, errors = _race(event, THREADS)
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

    # Without a waiting list: 10 confirmed, 30 told "fully booked", nothing else stored.
    event = create_event(
        index,
        title="No waiting list",
        capacity=PLACES,
        waiting_list_enabled=False,
        to_address="",
    )
    statuses, errors = _race(event, THREADS)
    assert errors == []
    assert Counter(statuses) == {200: PLACES, 409: THREADS - PLACES}
    assert EventRegistration.objects.filter(page=event, status="confirmed").count() == PLACES
    assert EventRegistration.objects.filter(page=event).count() == PLACES
