from datetime import timedelta

import pytest
from django.utils import timezone

from registry.models import Availability, Reservist

pytestmark = pytest.mark.django_db

FIXED = {
    "id", "email", "first_name", "last_name", "phone", "postcode", "municipality", "home_region",
    "regions", "sectors", "profession", "big_number", "big_valid_until", "level", "ring",
    "readiness", "profiles", "status", "deployable", "deployable_reasons",
}  # fmt: skip


def test_me_has_the_fixed_field_names(api_as, reservist, reservist_record):
    response = api_as(reservist).get("/api/v1/me/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) >= FIXED
    assert data["email"] == reservist.email
    assert data["postcode"] == "3511 AB"
    assert data["home_region"] == "VR09"
    assert data["ring"] == 1 and data["status"] == "active"
    assert data["readiness"] == "24h"
    assert data["profession"] == "verpleegkundige"
    assert isinstance(data["deployable"], bool)
    assert isinstance(data["deployable_reasons"], list)


def test_patch_me_normalises_and_derives(api_as, reservist, reservist_record):
    # Not yet vetted: profiles and BIG number (verified facts, issue 21) apply at once,
    # so the derivation of the ring shows here; a vetted reservist's change of them
    # waits for the coordinator (tests/registry/test_verified_facts.py).
    Reservist.objects.filter(pk=reservist_record.pk).update(status=Reservist.Status.VETTING)
    client = api_as(reservist)
    response = client.patch(
        "/api/v1/me/",
        {
            "postcode": "1011ab",
            "municipality": "GM0363",
            "regions": ["VR13", "VR09"],
            "profiles": ["verzorgende"],
            "readiness": "1w",
            "big_number": "",
            "ring": 4,
            "status": "left",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["postcode"] == "1011 AB"
    assert data["municipality"] == "GM0363" and data["home_region"] == "VR13"
    assert sorted(data["regions"]) == ["VR09", "VR13"]
    assert data["profiles"] == ["verzorgende"]
    assert data["readiness"] == "1w"
    assert data["ring"] == 2  # derived: nurse without BIG; the sent 4 is ignored
    assert data["status"] == "vetting"  # read-only: the sent "left" is ignored


def test_patch_me_bad_values_give_field_errors_and_change_nothing(
    api_as, reservist, reservist_record
):
    client = api_as(reservist)
    response = client.patch(
        "/api/v1/me/",
        {"postcode": "1234 SS", "first_name": "Nieuw", "municipality": "GM9999"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.json()
    assert "postcode" in body and "municipality" in body
    assert "SA, SD or SS" in body["postcode"][0]
    reservist_record.refresh_from_db()
    assert reservist_record.first_name != "Nieuw"


def test_patch_me_messages_in_dutch(api_as, reservist):
    response = api_as(reservist).patch(
        "/api/v1/me/", {"phone": "12"}, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    assert "telefoonnummer" in response.json()["phone"][0].lower()


def test_me_is_404_for_a_user_without_reservist_record(api_as, outsider):
    assert api_as(outsider).get("/api/v1/me/").status_code == 404


def test_availability_api(api_as, reservist, reservist_record, other_reservist):
    client = api_as(reservist)
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    url = "/api/v1/me/availability/"
    response = client.post(
        url,
        {"start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert set(response.json()) >= {"id", "start", "end", "kind"}
    assert response.json()["kind"] == "available"
    overlap = client.post(
        url,
        {
            "start": (start + timedelta(days=1)).isoformat(),
            "end": (start + timedelta(days=5)).isoformat(),
        },
        format="json",
    )
    assert overlap.status_code == 400 and "start" in overlap.json()
    inverted = client.post(
        url,
        {"start": start.isoformat(), "end": (start - timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert inverted.status_code == 400 and "end" in inverted.json()
    listing = client.get(url).json()
    assert listing["count"] == 1
    period_id = listing["results"][0]["id"]
    # someone else's period is 404
    theirs = Availability.objects.create(
        reservist=other_reservist.reservist, start=start, end=start + timedelta(hours=3)
    )
    assert client.delete(f"{url}{theirs.pk}/").status_code == 404
    assert client.delete(f"{url}{period_id}/").status_code == 204
    assert not Availability.objects.filter(reservist=reservist_record).exists()


def test_coordinator_has_no_me(api_as, regional_coordinator):
    assert api_as(regional_coordinator).get("/api/v1/me/").status_code == 404
    assert Reservist.objects.filter(user=regional_coordinator).count() == 0
