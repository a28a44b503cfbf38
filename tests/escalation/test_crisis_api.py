"""/api/v1/crises/: national coordinators declare and (de)activate; others read or get 403."""

import pytest

from escalation.models import Crisis

pytestmark = pytest.mark.django_db


def declare(client, **extra):
    data = {"name": "Hittegolf", "kind": "disaster", "regions": ["VR09", "VR13"], **extra}
    return client.post("/api/v1/crises/", data, format="json")


def test_national_declares_activates_deactivates(
    api_as, national_coordinator, django_capture_on_commit_callbacks
):
    client = api_as(national_coordinator)
    created = declare(client)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["phase"] == "cold" and body["active"] is False
    assert sorted(body["regions"]) == ["VR09", "VR13"] and body["kind"] == "disaster"
    url = f"/api/v1/crises/{body['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        activated = client.post(url + "activate/")
    assert activated.status_code == 200
    assert activated.json()["phase"] == "warm" and activated.json()["active"] is True
    assert client.post(url + "activate/").status_code == 409
    closed = client.post(url + "deactivate/", {"reason": "voorbij"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["active"] is False and "assignments" in closed.json()["report"]
    assert client.post(url + "deactivate/").status_code == 409
    listed = client.get("/api/v1/crises/").json()
    assert listed["count"] >= 1 and {"id", "name", "kind", "regions", "phase", "active"} <= set(
        listed["results"][0]
    )


def test_national_crisis_has_empty_regions(api_as, national_coordinator):
    body = declare(api_as(national_coordinator), regions=[]).json()
    assert body["regions"] == []


def test_unknown_region_and_kind_are_field_errors(api_as, national_coordinator):
    response = declare(api_as(national_coordinator), regions=["VR99"], kind="alien")
    assert response.status_code == 400
    assert "regions" in response.json() and "kind" in response.json()


@pytest.mark.parametrize(
    "persona_name",
    ["reservist", "care_org_user", "regional_coordinator", "triangle_member"],
)
def test_other_roles_read_but_may_not_change(api_as, request, national_coordinator, persona_name):
    crisis_id = declare(api_as(national_coordinator)).json()["id"]
    client = api_as(request.getfixturevalue(persona_name))
    assert client.get("/api/v1/crises/").status_code == 200
    assert client.get(f"/api/v1/crises/{crisis_id}/").status_code == 200
    assert declare(client).status_code == 403
    assert client.post(f"/api/v1/crises/{crisis_id}/activate/").status_code == 403
    assert Crisis.objects.get(pk=crisis_id).active is False


def test_outsider_may_not_read(api_as, outsider):
    assert api_as(outsider).get("/api/v1/crises/").status_code == 403
