import pytest
from django.urls import reverse

from accounts.audit import history_of
from registry import services
from registry.errors import ActivationRefused, InvalidTransition
from registry.models import Reservist
from tests.factories import ReservistFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_own_guards(monkeypatch):
    monkeypatch.setattr(services, "ACTIVATION_GUARDS", [services._profile_complete_guard])


def test_status_change_records_history_and_audit(reservist_record, regional_coordinator):
    services.change_status(reservist_record, "paused", actor=regional_coordinator, reason="Op reis")
    reservist_record.refresh_from_db()
    assert reservist_record.status == "paused"
    change = reservist_record.status_changes.get()
    assert (change.from_status, change.to_status) == ("active", "paused")
    assert change.changed_by == regional_coordinator and change.reason == "Op reis"
    assert history_of(reservist_record).filter(action="reservist.status").exists()


def test_invalid_transition_is_refused(db, regional_coordinator):
    left = ReservistFactory(status="left")
    with pytest.raises(InvalidTransition):
        services.change_status(left, "active", actor=regional_coordinator)
    assert Reservist.objects.get(pk=left.pk).status == "left"


def test_activation_runs_every_guard(monkeypatch, regional_coordinator):
    applied = ReservistFactory(status="applied", consent_at=None)
    monkeypatch.setattr(
        services,
        "ACTIVATION_GUARDS",
        [services._profile_complete_guard, lambda r: ["Geen VOG ontvangen."]],
    )
    with pytest.raises(ActivationRefused) as exc:
        services.change_status(applied, "active", actor=regional_coordinator)
    assert exc.value.field == "status"
    assert "Geen VOG ontvangen." in exc.value.reasons
    assert len(exc.value.reasons) == 2  # consent missing + the added guard
    applied.refresh_from_db()
    assert applied.status == "applied" and not applied.status_changes.exists()


def test_activation_passes_when_guards_agree(only_own_guards, regional_coordinator):
    applied = ReservistFactory(status="vetting")
    services.change_status(applied, "active", actor=regional_coordinator, reason="Gescreend")
    assert Reservist.objects.get(pk=applied.pk).status == "active"


def test_coordinator_changes_status_on_the_web(client, regional_coordinator, reservist_record):
    client.force_login(regional_coordinator)
    url = reverse("registry:reservist_status", args=[reservist_record.pk])
    response = client.post(url, {"status": "paused", "reason": ""})
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.content.decode()
    response = client.post(url, {"status": "paused", "reason": "Tijdelijk niet beschikbaar"})
    assert response.status_code == 302
    reservist_record.refresh_from_db()
    assert reservist_record.status == "paused"


def test_activation_refusal_shown_next_to_status(client, regional_coordinator, monkeypatch):
    monkeypatch.setattr(services, "ACTIVATION_GUARDS", [lambda r: ["Screening nog niet klaar."]])
    applied = ReservistFactory(status="vetting")
    client.force_login(regional_coordinator)
    response = client.post(
        reverse("registry:reservist_status", args=[applied.pk]),
        {"status": "active", "reason": "Klaar"},
    )
    assert response.status_code == 200
    assert "Screening nog niet klaar." in response.content.decode()
    assert 'id="id_status_error"' in response.content.decode()


def test_other_region_cannot_change_status(client, other_region_coordinator, reservist_record):
    client.force_login(other_region_coordinator)
    response = client.post(
        reverse("registry:reservist_status", args=[reservist_record.pk]),
        {"status": "paused", "reason": "x"},
    )
    assert response.status_code == 404
    reservist_record.refresh_from_db()
    assert reservist_record.status == "active"


def test_deployable_reasons_name_the_status(reservist_record, regional_coordinator):
    from registry.deployability import reasons_not_deployable

    services.change_status(reservist_record, "paused", actor=regional_coordinator)
    reasons = reasons_not_deployable(reservist_record)
    assert any("active" in r or "actief" in r for r in reasons)


def test_reservist_sees_status_and_deployability(client, reservist):
    client.force_login(reservist)
    html = client.get(reverse("registry:me")).content.decode()
    assert 'id="deployable-heading"' in html


def test_api_status_change(api_as, national_coordinator, only_own_guards):
    applied = ReservistFactory(status="vetting", home_region=region("VR13"))
    response = api_as(national_coordinator).post(
        f"/api/v1/reservists/{applied.pk}/status/",
        {"status": "active", "reason": "ok"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    response = api_as(national_coordinator).post(
        f"/api/v1/reservists/{applied.pk}/status/", {"status": "applied"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()
