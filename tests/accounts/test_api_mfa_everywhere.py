"""Staff without MFA reach no API operation, whatever the view's permission classes.

Every operation of the OpenAPI schema (drf-spectacular's generator, in-process) plus the
schema and docs themselves, for each staff role without a second factor, by API token
and by session: 403 with ``code: mfa_required``. The API has no public operation (the
schema and docs are open to anonymous users in development only, nzr.api_docs), so there
is no exception to list. With MFA the same staff work; reservists and care organisations
(no MFA required) are not affected.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import AccessLog, Membership
from tests.factories import enrol_mfa, make_persona, region

Role = Membership.Role
METHODS = ("get", "post", "put", "patch", "delete")
STAFF = {
    "national": (Role.NATIONAL, {}),
    "regional": (Role.REGIONAL, {"region": "VR09"}),
    "triangle": (Role.TRIANGLE, {"party": Membership.Party.DEFENSIE}),
    "superuser": ("superuser", {}),
}
NOT_IN_THE_SCHEMA = [("get", "/api/v1/schema/?format=json"), ("get", "/api/v1/docs/")]


def api_operations():
    """(method, URL) of every operation in the schema, path parameters filled with 1."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for path, items in schema["paths"].items()
        for method in items
        if method in METHODS
    ]
    return operations + NOT_IN_THE_SCHEMA


def staff_without_mfa(name):
    role, scope = STAFF[name]
    if "region" in scope:
        scope = {"region": region(scope["region"])}
    return make_persona(role, mfa=False, **scope)


def call(client, method, url):
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, {}, format="json")


def refusals_other_than_mfa_required(client, operations):
    wrong = []
    for method, url in operations:
        response = call(client, method, url)
        if url.startswith("/api/v1/docs/"):
            # An HTML page: the 403 has no JSON body.
            if response.status_code != 403:
                wrong.append((method, url, response.status_code))
        elif response.status_code != 403 or response.json().get("code") != "mfa_required":
            wrong.append((method, url, response.status_code, response.content[:120]))
    return wrong


def test_the_schema_covers_the_endpoints_of_the_hostile_round():
    operations = set(api_operations())
    assert ("post", "/api/v1/crises/") in operations
    assert ("post", "/api/v1/crises/1/deactivate/") in operations
    assert ("get", "/api/v1/escalations/1/") in operations
    assert ("post", "/api/v1/escalations/1/decide/") in operations
    assert len(operations) >= 50


@pytest.mark.parametrize("name", STAFF)
def test_staff_token_without_mfa_gets_mfa_required_on_every_operation(api_as, reference, name):
    client = api_as(staff_without_mfa(name))
    assert refusals_other_than_mfa_required(client, api_operations()) == []


@pytest.mark.parametrize("name", ["national", "superuser"])
def test_staff_session_without_mfa_gets_mfa_required_on_every_operation(reference, name):
    client = APIClient()
    client.force_login(staff_without_mfa(name))
    assert refusals_other_than_mfa_required(client, api_operations()) == []


def test_the_refusal_body_is_the_one_of_mfa_satisfied(api_as, reference):
    response = api_as(staff_without_mfa("national")).post(
        "/api/v1/crises/", {"name": "Hittegolf", "kind": "disaster"}, format="json"
    )
    assert response.status_code == 403
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == "mfa_required"
    assert "twee stappen" in body["detail"]  # Dutch first: what to do, not just "no"


def test_the_refusal_is_logged_with_the_user_who_was_refused(api_as, reference):
    user = staff_without_mfa("triangle")
    api_as(user).post("/api/v1/escalations/1/decide/", {}, format="json")
    entry = AccessLog.objects.filter(action=AccessLog.Action.DENIED).latest("at")
    assert (entry.user, entry.detail, entry.status_code) == (user, "mfa_required", 403)
    assert entry.path == "/api/v1/escalations/1/decide/"


def test_staff_with_mfa_still_work(api_as, reference):
    national = staff_without_mfa("national")
    enrol_mfa(national)
    client = api_as(national)
    created = client.post(
        "/api/v1/crises/", {"name": "Hittegolf", "kind": "disaster"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert client.post(f"/api/v1/crises/{created.json()['id']}/activate/").status_code == 200
    triangle = staff_without_mfa("triangle")
    enrol_mfa(triangle)
    assert api_as(triangle).get("/api/v1/escalations/").status_code == 200
    regional = staff_without_mfa("regional")
    enrol_mfa(regional)
    assert api_as(regional).get("/api/v1/reservists/").status_code == 200
    superuser = staff_without_mfa("superuser")
    enrol_mfa(superuser)
    assert api_as(superuser).get("/api/v1/crises/").status_code == 200
    assert api_as(superuser).get("/api/v1/schema/?format=json").status_code == 200


def test_reservists_and_care_organisations_need_no_mfa(api_as, reservist, care_org_user):
    assert api_as(reservist).get("/api/v1/me/").status_code == 200
    assert api_as(reservist).get("/api/v1/crises/").status_code == 200
    assert api_as(care_org_user).get("/api/v1/requests/").status_code == 200
    session = APIClient()
    session.force_login(care_org_user)
    assert session.get("/api/v1/requests/").status_code == 200
