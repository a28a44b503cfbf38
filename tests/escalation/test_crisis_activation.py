"""Crisis activation: declare (cold), activate (warm) calls reservists in scope, 24 h first,
answers are stored, deactivation reports what was deployed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from escalation import services, tasks
from escalation.errors import CrisisAlreadyActiveError, CrisisNotActiveError, CrisisNotAllowedError
from escalation.models import Crisis, CrisisAvailabilityCall, CrisisResponse
from tests.escalation.factories import assign, make_request
from tests.factories import ReservistFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(db):
    """Reservists in VR09 (24 h and 1 week), one willing to work in VR09, one elsewhere, one paused."""
    return {
        "fast": ReservistFactory(readiness="24h", home_region=region("VR09")),
        "slow": ReservistFactory(readiness="1w", home_region=region("VR09")),
        "willing": ReservistFactory(readiness="24h", home_region=region("VR13")),
        "elsewhere": ReservistFactory(readiness="24h", home_region=region("VR13")),
        "paused": ReservistFactory(readiness="24h", home_region=region("VR09"), status="paused"),
    }


@pytest.fixture
def regional_crisis(national_coordinator, pool):
    pool["willing"].regions.add(region("VR09"))
    return services.declare_crisis(
        name="Overstroming Utrecht", kind="disaster", regions=["VR09"], actor=national_coordinator
    )


def recipients():
    return sorted(to for m in mail.outbox for to in m.to)


def test_declare_starts_cold_and_logged(regional_crisis, national_coordinator):
    assert regional_crisis.phase == Crisis.Phase.COLD
    assert not regional_crisis.active
    assert regional_crisis.region_codes() == ["VR09"]
    assert AuditEntry.objects.filter(
        action="crisis.declared", object_id=str(regional_crisis.pk), actor=national_coordinator
    ).exists()


def test_only_national_declares(regional_coordinator):
    with pytest.raises(CrisisNotAllowedError):
        services.declare_crisis(name="x", kind="other", actor=regional_coordinator)


def test_activation_calls_24h_reservists_in_scope_first(
    regional_crisis, national_coordinator, pool, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        crisis = services.activate_crisis(regional_crisis, actor=national_coordinator)
    assert crisis.active and crisis.phase == Crisis.Phase.WARM
    expected = sorted([pool["fast"].user.email, pool["willing"].user.email])
    assert recipients() == expected
    message = mail.outbox[0]
    assert "Overstroming Utrecht" in message.subject
    assert "/escalation/answer/" in message.body
    first = crisis.calls.get(wave=1)
    assert first.sent_at is not None and first.recipients == 2
    second = crisis.calls.get(wave=2)
    assert second.sent_at is None and second.due_at > timezone.now()


def test_second_wave_goes_when_due_and_only_once(
    regional_crisis, national_coordinator, pool, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_crisis(regional_crisis, actor=national_coordinator)
    mail.outbox.clear()
    assert tasks.send_due_calls() == 0  # not due yet
    assert mail.outbox == []
    CrisisAvailabilityCall.objects.filter(crisis=regional_crisis, wave=2).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    assert tasks.send_due_calls() == 1
    assert recipients() == [pool["slow"].user.email]
    # Idempotent: the beat task and a retried task send nothing twice.
    call = CrisisAvailabilityCall.objects.get(crisis=regional_crisis, wave=2)
    assert tasks.send_due_calls() == 0
    assert tasks.send_availability_call(call.pk) == 0
    assert len(mail.outbox) == 1
    # A task lost after the rows were made: the beat task mails whoever was not mailed.
    CrisisResponse.objects.filter(call=call).update(notified_at=None)
    assert tasks.send_due_calls() == 1
    assert len(mail.outbox) == 2 and mail.outbox[1].to == [pool["slow"].user.email]
    assert tasks.send_due_calls() == 0
    assert CrisisResponse.objects.filter(crisis=regional_crisis).count() == 3


def test_national_crisis_calls_everyone_active(
    national_coordinator, pool, django_capture_on_commit_callbacks
):
    crisis = services.declare_crisis(name="Pandemie", kind="pandemic", actor=national_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_crisis(crisis, actor=national_coordinator)
    emails = set(recipients())
    assert {
        pool["fast"].user.email,
        pool["willing"].user.email,
        pool["elsewhere"].user.email,
    } <= emails
    assert pool["slow"].user.email not in emails
    assert pool["paused"].user.email not in emails


def test_activating_twice_is_a_conflict(regional_crisis, national_coordinator):
    services.activate_crisis(regional_crisis, actor=national_coordinator)
    with pytest.raises(CrisisAlreadyActiveError):
        services.activate_crisis(regional_crisis, actor=national_coordinator)


def test_answer_via_signed_link_is_stored(
    client, regional_crisis, national_coordinator, pool, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.activate_crisis(regional_crisis, actor=national_coordinator)
    message = next(m for m in mail.outbox if pool["fast"].user.email in m.to)
    url = next(w for w in message.body.split() if "/escalation/answer/" in w)
    path = url[url.index("/escalation/") :]
    page = client.get(path)
    assert page.status_code == 200
    assert b'value="available"' in page.content and b'value="unavailable"' in page.content
    response = client.post(path, {"answer": "available"})
    assert response.status_code == 200
    assert services.crisis_available_reservist_ids(regional_crisis) == {pool["fast"].pk}
    # Changing the answer is allowed while the crisis is active.
    client.post(path, {"answer": "unavailable"})
    assert services.crisis_available_reservist_ids(regional_crisis) == set()
    stored = CrisisResponse.objects.get(crisis=regional_crisis, reservist=pool["fast"])
    assert stored.answer == "unavailable" and stored.answered_at is not None


def test_tampered_link_is_refused(client):
    assert client.get(reverse("escalation:answer", args=["nonsense:abc"])).status_code == 404


def test_signed_in_reservist_answers_on_own_page(
    client, regional_crisis, national_coordinator, pool
):
    services.activate_crisis(regional_crisis, actor=national_coordinator)
    tasks.send_availability_call(regional_crisis.calls.get(wave=1).pk)
    user = pool["fast"].user
    client.force_login(user)
    page = client.get(reverse("escalation:my_calls"))
    assert "Overstroming Utrecht" in page.content.decode()
    own = CrisisResponse.objects.get(reservist=pool["fast"])
    client.post(reverse("escalation:my_call_answer", args=[own.pk]), {"answer": "available"})
    assert services.crisis_available_reservist_ids(regional_crisis) == {pool["fast"].pk}
    # Someone else's answer row is not reachable.
    other = CrisisResponse.objects.get(reservist=pool["willing"])
    denied = client.post(
        reverse("escalation:my_call_answer", args=[other.pk]), {"answer": "available"}
    )
    assert denied.status_code == 404
    assert services.crisis_available_reservist_ids(regional_crisis) == {pool["fast"].pk}


def test_deactivation_closes_and_reports_deployments(
    regional_crisis, national_coordinator, pool, organisation
):
    services.activate_crisis(regional_crisis, actor=national_coordinator)
    req = make_request(organisation, crisis=regional_crisis, status="approved", shifts=2)
    first, second = req.shifts.all()
    assign(first, pool["fast"])
    assign(second, pool["fast"], status="completed")
    assign(second, pool["willing"], status="cancelled")
    make_request(organisation, status="approved")  # another request, no crisis
    crisis = services.deactivate_crisis(
        regional_crisis, actor=national_coordinator, reason="Water gezakt"
    )
    assert not crisis.active and crisis.phase == Crisis.Phase.COLD and crisis.ends_at
    assert crisis.report["assignments"] == 2
    assert crisis.report["completed"] == 1
    assert crisis.report["requests"] == 1
    assert AuditEntry.objects.filter(action="crisis.deactivated", object_id=str(crisis.pk)).exists()
    with pytest.raises(CrisisNotActiveError):
        services.deactivate_crisis(crisis, actor=national_coordinator)


def test_active_crisis_for_region(national_coordinator, regional_crisis):
    assert services.active_crisis_for_region(region("VR09")) is None
    services.activate_crisis(regional_crisis, actor=national_coordinator)
    assert services.active_crisis_for_region(region("VR09")) == regional_crisis
    assert services.active_crisis_for_region(region("VR13")) is None
