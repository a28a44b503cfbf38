"""Permission matrix: role x endpoint -> status (404 outside scope, 403 forbidden action)."""

import pytest

from tests.requests_app.factories import make_request

pytestmark = pytest.mark.django_db

# persona -> expected status per (method, path template)
MATRIX = {
    ("get", "/api/v1/requests/{id}/"): {
        "reservist": 404,
        "care_org_user": 200,
        "regional_coordinator": 200,
        "other_region_coordinator": 404,
        "national_coordinator": 200,
        "triangle_member": 200,
        "outsider": 404,
    },
    ("post", "/api/v1/requests/{id}/approve/"): {
        "reservist": 404,
        "care_org_user": 403,
        "regional_coordinator": 403,
        "other_region_coordinator": 404,
        "national_coordinator": 200,
        "triangle_member": 403,
        "outsider": 404,
    },
    ("post", "/api/v1/requests/{id}/cancel/"): {
        "reservist": 404,
        "care_org_user": 200,
        "regional_coordinator": 403,
        "other_region_coordinator": 404,
        "national_coordinator": 200,
        "triangle_member": 403,
        "outsider": 404,
    },
    ("get", "/api/v1/requests/queue/"): {
        "reservist": 403,
        "care_org_user": 403,
        "regional_coordinator": 200,
        "other_region_coordinator": 200,
        "national_coordinator": 200,
        "triangle_member": 200,
        "outsider": 403,
    },
    ("get", "/api/v1/shifts/{shift}/candidates/"): {
        "reservist": 403,
        "care_org_user": 403,
        "regional_coordinator": 200,
        "other_region_coordinator": 404,
        "national_coordinator": 200,
        "triangle_member": 403,
        "outsider": 403,
    },
    ("get", "/api/v1/me/invitations/"): {
        "reservist": 200,
        "care_org_user": 403,
        "regional_coordinator": 403,
        "other_region_coordinator": 403,
        "national_coordinator": 403,
        "triangle_member": 403,
        "outsider": 403,
    },
}


@pytest.mark.parametrize(("method", "template"), list(MATRIX))
def test_permission_matrix(api_as, persona, organisation, crisis, method, template):
    name, user = persona
    req = make_request(organisation, status="submitted", crisis=crisis)
    url = template.format(id=req.pk, shift=req.shifts.first().pk)
    response = getattr(api_as(user), method)(url, {}, format="json")
    assert response.status_code == MATRIX[(method, template)][name], (name, response.content[:200])


def test_anonymous_gets_401(api, organisation):
    req = make_request(organisation)
    assert api.get(f"/api/v1/requests/{req.pk}/").status_code == 401
    assert api.get("/api/v1/me/invitations/").status_code == 401
