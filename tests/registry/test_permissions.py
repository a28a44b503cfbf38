"""Permission matrix: role x URL x method -> expected status."""

import pytest

pytestmark = pytest.mark.django_db

COORD = {"regional_coordinator", "other_region_coordinator", "national_coordinator"}

# (method, url, api?, {persona: status}, default status)
MATRIX = [
    ("get", "/api/v1/me/", True, {"reservist": 200}, 404),
    ("get", "/api/v1/me/availability/", True, {"reservist": 200}, 200),
    ("get", "/api/v1/me/export/", True, {"reservist": 200}, 404),
    ("get", "/api/v1/reservists/", True, dict.fromkeys(COORD, 200), 403),
    ("get", "/register/reservists/", False, dict.fromkeys(COORD, 200), 403),
    ("get", "/register/reservists/export/?format=csv", False, dict.fromkeys(COORD, 200), 403),
    ("get", "/register/me/", False, {"reservist": 200}, 403),
    ("get", "/register/me/availability/", False, {"reservist": 200}, 403),
    ("get", "/register/me/data/", False, {"reservist": 200}, 403),
    ("get", "/register/welcome/", False, {"outsider": 200}, 302),
]


@pytest.mark.parametrize("method, url, is_api, expected, default", MATRIX)
def test_permission_matrix(persona, api_as, client, method, url, is_api, expected, default):
    name, user = persona
    if is_api:
        response = getattr(api_as(user), method)(url)
    else:
        client.force_login(user)
        response = getattr(client, method)(url)
    want = expected.get(name, default)
    assert response.status_code == want, (name, url, response.status_code)


def test_me_availability_is_empty_for_non_reservists(api_as, regional_coordinator):
    assert api_as(regional_coordinator).get("/api/v1/me/availability/").json()["count"] == 0


def test_anonymous_is_refused(api, client):
    assert api.get("/api/v1/me/").status_code in (401, 403)
    assert api.get("/api/v1/reservists/").status_code in (401, 403)
    assert client.get("/register/reservists/").status_code == 302
