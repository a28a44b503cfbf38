"""/api/v1/crises/ refuses invalid filters and bodies (found by fuzzing)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["null", "-58800", "ja"])
def test_unknown_active_filter_is_a_400(api_as, reservist, value):
    response = api_as(reservist).get("/api/v1/crises/", {"active": value})
    assert response.status_code == 400
    assert response.json()["active"] == ["Gebruik true of false."]


@pytest.mark.parametrize("value,active", [("true", True), ("false", False), ("1", True)])
def test_active_filter_filters(api_as, reservist, value, active):
    from escalation.models import Crisis

    Crisis.objects.create(name="Actief", kind="pandemic", phase="warm", active=True)
    Crisis.objects.create(name="Koud", kind="disaster")
    response = api_as(reservist).get("/api/v1/crises/", {"active": value})
    assert response.status_code == 200
    assert {c["active"] for c in response.json()["results"]} == {active}


def test_regions_object_is_refused(api_as, national_coordinator):
    response = api_as(national_coordinator).post(
        "/api/v1/crises/", {"name": "Hittegolf", "kind": "disaster", "regions": {}}
    )
    assert response.status_code == 400
    assert "regions" in response.json()


def test_start_before_service_years_is_refused(api_as, national_coordinator):
    response = api_as(national_coordinator).post(
        "/api/v1/crises/",
        {"name": "Hittegolf", "kind": "disaster", "starts_at": "1911-01-01T00:00:00Z"},
    )
    assert response.status_code == 400
    assert "starts_at" in response.json()


def test_name_must_be_text(api_as, national_coordinator):
    response = api_as(national_coordinator).post("/api/v1/crises/", {"name": 0, "kind": "pandemic"})
    assert response.status_code == 400
    assert "name" in response.json()
