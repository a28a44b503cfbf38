"""Never more sign-ups than seats, also when many reservists sign up at the same moment
(real threads against PostgreSQL, each with its own connection)."""

import threading

import pytest
from django.db import connection, connections

from tests.factories import ReservistFactory, region
from tests.training.factories import make_session
from training import services
from training.errors import SessionFullError
from training.models import SessionSignup

pytestmark = pytest.mark.django_db(transaction=True)


def _race(session, reservists, sign_up):
    barrier = threading.Barrier(len(reservists))
    outcomes = []
    lock = threading.Lock()

    def worker(reservist):
        try:
            barrier.wait(timeout=30)
            sign_up(session, reservist)
            result = "ok"
        except SessionFullError:
            result = "full"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            result = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(r,)) for r in reservists]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_twenty_threads_five_seats_exactly_five_signups():
    session = make_session(region("VR09"), capacity=5)
    reservists = [ReservistFactory() for _ in range(20)]
    outcomes = _race(session, reservists, lambda s, r: services.sign_up(s, r, actor=r.user))
    assert outcomes.count("ok") == 5, outcomes
    assert outcomes.count("full") == 15, outcomes
    assert SessionSignup.objects.filter(session=session).count() == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_canary_without_the_lock_overbooks():
    """The same race against a naive check-then-insert: shows the test can fail."""
    from django.db import transaction

    session = make_session(region("VR09"), capacity=5)
    reservists = [ReservistFactory() for _ in range(20)]
    gate = threading.Barrier(20)

    def naive(s, r):
        with transaction.atomic():
            taken = services.seats_taken(s)
            gate.wait(timeout=30)  # everyone has counted before anyone inserts
            if taken >= s.capacity:
                raise SessionFullError("full")
            SessionSignup.objects.create(session=s, reservist=r)

    outcomes = _race(session, reservists, naive)
    assert SessionSignup.objects.filter(session=session).count() > 5, outcomes
