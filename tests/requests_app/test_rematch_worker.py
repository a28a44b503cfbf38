"""A real Celery worker against Redis: availability added -> outbox -> worker -> invitation."""

import uuid

import pytest
import redis
from django.conf import settings

from registry.services import add_availability
from requests_app import tasks
from requests_app.models import Invitation
from tests.factories import CareOrganisationFactory, region
from tests.requests_app.factories import at, make_candidate, make_request
from tests.test_celery_worker import worker  # noqa: F401  # the fixture

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs CELERY_BROKER_URL (Redis)"),
]


def test_availability_added_is_rematched_by_a_real_worker(worker, monkeypatch):  # noqa: F811
    if "postgres" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the worker shares the test database only on PostgreSQL")
    from django.core.management import call_command

    from accounts.tasks import ping

    call_command("load_reference_data", verbosity=0)
    organisation = CareOrganisationFactory(region=region("VR09"))
    req = make_request(organisation, shifts=[(at(3, 7), at(3, 15), 1, "verzorgende")])
    shift = req.shifts.get()
    r = make_candidate()
    r.availability.all().delete()
    from nzr.celery import app

    # The outbox row names the worker's private queue (enqueue reads the task's queue).
    monkeypatch.setattr(tasks.rematch_reservist, "queue", worker, raising=False)
    app.conf.task_always_eager = False
    reply = f"nzr:test:reply:{uuid.uuid4().hex}"
    try:
        add_availability(r, at(3, 0), at(4, 0), actor=r.user)  # commits: published
        # A solo worker takes its queue in order: when the ping answers, the rematch ran.
        ping.apply_async(args=[r.user.pk, reply], queue=worker)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=None)
    assert client.blpop([reply], timeout=60) is not None, "the worker did not answer in 60 s"
    assert Invitation.objects.filter(shift=shift, reservist=r, status="pending").exists()
