"""Reference-data endpoints, token auth, the api_token command and the schema."""

from io import StringIO

import pytest
from django.core.management import call_command


def test_regions_lists_the_25_veiligheidsregios(api_as, reservist):
    response = api_as(reservist).get("/api/v1/regions/")
    assert response.status_code == 200
    codes = [r["code"] for r in response.json()]
    assert codes == [f"VR{n:02d}" for n in range(1, 26)]


def test_profiles_name_rings_and_courses(api_as, reservist):
    response = api_as(reservist).get("/api/v1/profiles/")
    assert response.status_code == 200
    profiles = {p["code"]: p for p in response.json()}
    assert profiles["vpk-ic-ondersteuning"]["rings"] == [1]
    assert "ic-basis" in profiles["vpk-ic-ondersteuning"]["courses"]


def test_courses_have_validity(api_as, reservist):
    courses = {c["code"]: c for c in api_as(reservist).get("/api/v1/courses/").json()}
    assert courses["bls"]["validity_months"] == 12
    assert courses["nzr-introductie"]["validity_months"] is None


def test_ladder_in_order_with_before_reserve(api_as, care_org_user):
    steps = api_as(care_org_user).get("/api/v1/ladder/").json()
    assert [s["order"] for s in steps] == sorted(s["order"] for s in steps)
    assert steps[0]["before_reserve"] is True
    assert {s["code"]: s["before_reserve"] for s in steps}["defensie-msob"] is False


@pytest.mark.parametrize(
    "path", ["/api/v1/regions/", "/api/v1/profiles/", "/api/v1/courses/", "/api/v1/ladder/"]
)
def test_reference_data_needs_a_signed_in_user(api, db, path):
    assert api.get(path).status_code in (401, 403)


def test_bad_token_is_refused(api, db):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/regions/").status_code == 401


def test_api_token_command_prints_a_working_token(api, reservist):
    out = StringIO()
    call_command("api_token", reservist.email, stdout=out)
    token = out.getvalue().strip()
    assert len(token) == 40
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/regions/").status_code == 200


def test_api_token_command_refuses_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "nobody@example.org")


def test_schema_and_docs(client, reservist):
    client.force_login(reservist)
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert "/api/v1/regions/" in response.json()["paths"]
    assert client.get("/api/v1/docs/").status_code == 200


def test_session_api_write_requires_csrf(reservist):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reservist)
    assert client.post("/api/v1/regions/", {}).status_code == 403
