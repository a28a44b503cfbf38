"""Role x page -> status for the pages of regions and training (GET)."""

import pytest

pytestmark = pytest.mark.django_db

COORDINATOR_PAGES = [
    "/region/",
    "/region/candidates/",
    "/region/candidates/new/",
    "/region/imports/new/",
    "/region/messages/",
    "/training/sessions/new/",
]
EXPECTED = {
    "regional_coordinator": 200,
    "national_coordinator": 200,
    "reservist": 403,
    "care_org_user": 403,
    "triangle_member": 403,
    "outsider": 403,
}


@pytest.mark.parametrize("url", COORDINATOR_PAGES)
@pytest.mark.parametrize("persona_name", sorted(EXPECTED))
def test_coordinator_pages(client, request, url, persona_name):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get(url).status_code == EXPECTED[persona_name]


@pytest.mark.parametrize("url", [*COORDINATOR_PAGES, "/training/", "/region/inbox/"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona_name", "status"),
    [("reservist", 200), ("regional_coordinator", 200), ("care_org_user", 403), ("outsider", 403)],
)
def test_session_list(client, request, persona_name, status):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get("/training/").status_code == status


@pytest.mark.parametrize(
    ("persona_name", "status"),
    [("reservist", 200), ("regional_coordinator", 403), ("care_org_user", 403)],
)
def test_inbox(client, request, persona_name, status):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get("/region/inbox/").status_code == status
