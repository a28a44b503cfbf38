"""Organisations and the queue: answers as documented, invalid input refused (fuzzing)."""

import pytest

pytestmark = pytest.mark.django_db

NEW_ORG = {
    "name": "Thuiszorg De Brug",
    "kvk": "87654321",
    "agb": "12345678",
    "sector": "vvt",
    "address": "Brugstraat 2",
    "postcode": "3511AB",
}


def _schema(api):
    return api.get("/api/v1/schema/", {"format": "json"}).json()


def test_organisation_without_municipality_matches_the_schema(api, api_as, care_org_user):
    # Organisations registered before the municipality was asked answer null.
    body = api_as(care_org_user).get("/api/v1/organisations/").json()
    assert body["results"][0]["municipality"] is None
    prop = _schema(api)["components"]["schemas"]["Organisation"]["properties"]["municipality"]
    assert prop.get("nullable") is True


@pytest.mark.parametrize("municipality", [None, ""])
def test_new_organisation_needs_a_municipality(api_as, outsider, municipality):
    response = api_as(outsider).post(
        "/api/v1/organisations/", {**NEW_ORG, "municipality": municipality}
    )
    assert response.status_code == 400
    assert "municipality" in response.json()


def test_queue_documents_no_filters_it_ignores(api):
    operation = _schema(api)["paths"]["/api/v1/requests/queue/"]["get"]
    assert {p["name"] for p in operation.get("parameters", [])} <= {"page"}


def test_reason_must_be_text(api_as, national_coordinator, organisation):
    from tests.requests_app.factories import make_request

    req = make_request(organisation, status="submitted")
    response = api_as(national_coordinator).post(
        f"/api/v1/requests/{req.pk}/reject/", {"reason": 5}
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    req.refresh_from_db()
    assert req.status == "submitted"
