"""Broker down during the real flow: approving a request succeeds, matching runs once later."""

from datetime import timedelta

import pytest
from django.db import transaction

from outbox.models import OutboxMessage
from outbox.relay import publish, relay_pending
from requests_app.models import DeploymentRequest, Invitation
from requests_app.services.requests import approve_request
from tests.reliability.conftest import needs_broker, needs_postgres
from tests.requests_app.factories import make_candidate, make_request

NOW = timedelta(0)


@needs_postgres
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_approving_with_the_broker_down_succeeds_and_matching_runs_once_later(
    broker_down, national_coordinator, organisation
):
    candidates = [make_candidate() for _ in range(3)]
    req = make_request(organisation, status="submitted")

    approve_request(req, actor=national_coordinator)  # no exception for the caller

    req.refresh_from_db()
    assert req.status == DeploymentRequest.Status.APPROVED
    pending = OutboxMessage.objects.pending().filter(task__endswith="match_request")
    assert pending.count() == 1
    assert not Invitation.objects.filter(shift__request=req).exists()

    # Redis is back; the relay runs the job (in-process here), and again: nothing twice.
    broker_down.restore()
    from nzr.celery import app

    app.conf.task_always_eager = True
    assert relay_pending(min_age=NOW) >= 1
    invited = Invitation.objects.filter(shift__request=req).count()
    assert invited >= 1
    assert invited <= len(candidates)
    message = OutboxMessage.objects.get(task__endswith="match_request")
    assert message.processed_at is not None
    with transaction.atomic():
        publish(message)  # a duplicate delivery
    assert Invitation.objects.filter(shift__request=req).count() == invited
