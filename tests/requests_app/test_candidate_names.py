"""A shift's candidate list names only reservists in the viewer's register: page, API and
the register detail agree (requests_app.candidates)."""

import pytest

from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(organisation):
    """An approved shift in VR09 with a VR09 candidate and a VR13 one willing to work in VR09."""
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")])
    make_candidate(first_name="Anna", last_name="Thuis")
    make_candidate(
        first_name="Bram",
        last_name="Elders",
        home="VR13",
        regions=("VR09", "VR13"),
        postcode="1011 AB",
    )
    return req.shifts.get()


def _register_answers(client, api, reservist_id):
    return (
        client.get(f"/register/reservists/{reservist_id}/").status_code,
        api.get(f"/api/v1/reservists/{reservist_id}/").status_code,
    )


@pytest.mark.parametrize(
    ("role", "named_homes"),
    [("regional_coordinator", {"VR09"}), ("national_coordinator", {"VR09", "VR13"})],
)
def test_every_candidate_named_is_one_the_register_shows(
    request, client, api_as, shift, role, named_homes
):
    user = request.getfixturevalue(role)
    api = api_as(user)
    client.force_login(user)
    rows = api.get(f"/api/v1/shifts/{shift.pk}/candidates/").json()["results"]
    assert {r["home_region"] for r in rows} == {"VR09", "VR13"}
    for row in rows:
        shown = _register_answers(client, api, row["reservist"])
        if row["name"] is None:
            assert shown == (404, 404), row
        else:
            assert shown == (200, 200), row
    assert {r["home_region"] for r in rows if r["name"] is not None} == named_homes


def test_regional_page_shows_the_other_regions_candidate_without_a_name(
    client, regional_coordinator, shift
):
    client.force_login(regional_coordinator)
    html = client.get(f"/requests/shifts/{shift.pk}/candidates/").content.decode()
    assert "Anna Thuis" in html
    assert "Bram" not in html and "Elders" not in html
    assert "Een reservist uit VR13" in html


def test_national_page_names_every_candidate(client, national_coordinator, shift):
    client.force_login(national_coordinator)
    html = client.get(f"/requests/shifts/{shift.pk}/candidates/").content.decode()
    assert "Anna Thuis" in html and "Bram Elders" in html
    assert "Een reservist uit" not in html
