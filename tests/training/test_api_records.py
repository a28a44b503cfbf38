"""API: POST/GET /api/v1/reservists/{id}/training-records/."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from training.models import TrainingRecord

pytestmark = pytest.mark.django_db


def url(reservist):
    return f"/api/v1/reservists/{reservist.pk}/training-records/"


def test_coordinator_records_training(api_as, regional_coordinator, reservist_record):
    response = api_as(regional_coordinator).post(
        url(reservist_record), {"course": "bls", "completed_on": "2026-03-01"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["course"] == "bls"
    assert body["completed_on"] == "2026-03-01"
    assert body["expires_on"] == "2027-03-01"
    listing = api_as(regional_coordinator).get(url(reservist_record)).json()
    assert listing["count"] == 1 and listing["results"][0]["expires_on"] == "2027-03-01"


def test_course_without_expiry(api_as, national_coordinator, reservist_record):
    response = api_as(national_coordinator).post(
        url(reservist_record),
        {"course": "nzr-introductie", "completed_on": "2026-01-10"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["expires_on"] is None


def test_bad_input_is_400(api_as, regional_coordinator, reservist_record):
    client = api_as(regional_coordinator)
    response = client.post(
        url(reservist_record), {"course": "juggling", "completed_on": "gisteren"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"course", "completed_on"}
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        url(reservist_record), {"course": "bls", "completed_on": future}, format="json"
    )
    assert response.status_code == 400 and "completed_on" in response.json()
    assert not TrainingRecord.objects.exists()


def test_other_region_gets_404(api_as, other_region_coordinator, reservist_record):
    client = api_as(other_region_coordinator)
    response = client.post(
        url(reservist_record), {"course": "bls", "completed_on": "2026-03-01"}, format="json"
    )
    assert response.status_code == 404
    assert client.get(url(reservist_record)).status_code == 404


@pytest.mark.parametrize("persona_name", ["reservist", "care_org_user", "triangle_member"])
def test_non_coordinators_get_403(api_as, request, persona_name, reservist_record):
    client = api_as(request.getfixturevalue(persona_name))
    response = client.post(
        url(reservist_record),
        {"course": "bls", "completed_on": str(date(2026, 3, 1))},
        format="json",
    )
    assert response.status_code == 403


def test_schema_generates(api_as, national_coordinator):
    response = api_as(national_coordinator).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert (
        "/api/v1/reservists/{id}/training-records/" in paths
        or "/api/v1/reservists/{pk}/training-records/" in paths
    )
    assert any(p.endswith("/vetting/") for p in paths)
