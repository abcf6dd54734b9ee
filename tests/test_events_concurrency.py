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


def _race(event, count, waiting_list):
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


@pytest.fixture
def site_home(transactional_db):
    """The home page, recreating Wagtail's root page if an earlier transactional
    test flushed the tables that migrations had filled."""
    from wagtail.models import Locale, Page

    if not Page.objects.filter(depth=1).exists():
        Locale.objects.get_or_create(language_code="en")
        Page.add_root(title="Root", slug="root")
    import io

    from home.demo_content import build_home_tree

    return build_home_tree(io.StringIO())


# serialized_rollback puts back what migrations created (Wagtail's root page,
# groups) for the tests that run after these.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_forty_at_once_for_ten_places_with_waiting_list(site_home):
    event = create_event(create_event_index(site_home), capacity=PLACES, to_address="")
    statuses, errors = _race(event, THREADS, waiting_list=True)

    assert errors == []
    assert Counter(statuses) == {200: THREADS}
    counts = Counter(EventRegistration.objects.filter(page=event).values_list("status", flat=True))
    assert counts == {"confirmed": PLACES, "waiting": THREADS - PLACES}  # none lost
    positions = sorted(
        EventRegistration.objects.filter(page=event, status="waiting").values_list(
            "position", flat=True
        )
    )
    assert positions == list(range(1, THREADS - PLACES + 1))  # a clean queue, no ties


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_forty_at_once_for_ten_places_without_waiting_list(site_home):
    event = create_event(
        create_event_index(site_home),
        capacity=PLACES,
        waiting_list_enabled=False,
        to_address="",
    )
    statuses, errors = _race(event, THREADS, waiting_list=False)

    assert errors == []
    assert Counter(statuses) == {200: PLACES, 409: THREADS - PLACES}
    assert EventRegistration.objects.filter(page=event, status="confirmed").count() == PLACES
    assert EventRegistration.objects.filter(page=event).count() == PLACES
