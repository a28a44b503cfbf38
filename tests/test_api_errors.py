"""API-wide answers found by fuzzing (tests/fuzz/): JSON only, every error documented."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _schema(client):
    return client.get(reverse("api:schema"), {"format": "json"}).json()


def test_unknown_api_url_answers_json_404(api):
    # An id that is not a number matches no route; it answered Django's HTML page.
    response = api.get("/api/v1/requests/0.5/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_unknown_page_keeps_the_html_404(client):
    response = client.get("/nergens/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_media_url_is_not_a_catch_all(settings):
    # Unset, DEBUG's media route matched every URL (a CSRF 403 on an unknown API URL).
    assert settings.MEDIA_URL == "/media/"


def test_api_reads_json_only(api_as, national_coordinator):
    response = api_as(national_coordinator).post(
        "/api/v1/crises/", {"name": "Hittegolf", "kind": "disaster"}, format="multipart"
    )
    assert response.status_code == 415


def test_nul_character_in_a_body_is_a_400_not_a_500(api_as, care_org_user, organisation):
    # A NUL in a looked-up code reached PostgreSQL ("text cannot contain NUL") as a 500.
    response = api_as(care_org_user).post(
        "/api/v1/requests/",
        {"organisation": organisation.pk, "category": "individual", "municipality": "\x00"},
    )
    assert response.status_code == 400
    assert "ongeldig teken" in response.json()["detail"]


def test_every_operation_documents_its_errors(api):
    schema = _schema(api)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "429"} <= codes, (method, path, codes)
            if method in ("post", "patch", "put", "delete"):
                assert "409" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "415"} <= codes, (method, path)
                assert set(operation["requestBody"]["content"]) == {"application/json"}


def test_error_bodies_are_in_the_schema(api):
    schema = _schema(api)
    accept = schema["paths"]["/api/v1/me/invitations/{id}/accept/"]["post"]["responses"]
    error = accept["403"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/Error")
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_optional_filters_may_be_empty(api):
    schema = _schema(api)
    params = schema["paths"]["/api/v1/reservists/"]["get"]["parameters"]
    deployable_on = next(p for p in params if p["name"] == "deployable_on")
    assert deployable_on["allowEmptyValue"] is True
