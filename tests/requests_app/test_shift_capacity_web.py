"""The web side of changing a shift's places: the form on the request page, the page
with errors next to the field, and who may use it."""

import pytest
from django.urls import reverse

from requests_app.models import Assignment
from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(organisation):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 3, "verzorgende")])
    return req.shifts.get()


def _url(shift):
    return reverse("requests_app:shift_capacity", args=[shift.pk])


def test_the_request_page_offers_the_form_to_the_organisation(client, care_org_user, shift):
    client.force_login(care_org_user)
    html = client.get(reverse("requests_app:request_detail", args=[shift.request_id])).content
    html = html.decode()
    assert _url(shift) in html
    assert f'<label class="nzr-label" for="places-{shift.pk}">' in html
    assert "Aantal benodigde reservisten" in html, "Dutch first"


def test_the_request_page_shows_no_form_to_the_triangle(client, triangle_member, shift):
    client.force_login(triangle_member)
    html = client.get(reverse("requests_app:request_detail", args=[shift.request_id])).content
    assert _url(shift) not in html.decode()


def test_organisation_changes_the_places(client, care_org_user, shift):
    client.force_login(care_org_user)
    response = client.post(_url(shift), {"count": "5", "reason": "Extra afdeling"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "requests_app:request_detail", args=[shift.request_id]
    )
    shift.refresh_from_db()
    assert shift.count == 5
    assert "5 reservisten" in response.content.decode()


def test_below_the_booked_places_the_error_is_next_to_the_field(client, care_org_user, shift):
    for _ in range(2):
        Assignment.objects.create(
            shift=shift, reservist=make_candidate(), start=shift.start, end=shift.end
        )
    client.force_login(care_org_user)
    response = client.post(_url(shift), {"count": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_count_error"' in html
    error = html.split('id="id_count_error"', 1)[1].split("</div>", 1)[0]
    assert "Er zijn al 2 reservisten ingeroosterd" in error
    shift.refresh_from_db()
    assert shift.count == 3


@pytest.mark.parametrize("count", ["0", "", "veel", "501"])
def test_a_bad_number_is_an_error_next_to_the_field(client, care_org_user, shift, count):
    client.force_login(care_org_user)
    response = client.post(_url(shift), {"count": count})
    assert response.status_code == 200
    assert 'id="id_count_error"' in response.content.decode()
    shift.refresh_from_db()
    assert shift.count == 3


def test_the_page_without_javascript_shows_the_current_number(client, care_org_user, shift):
    client.force_login(care_org_user)
    html = client.get(_url(shift)).content.decode()
    assert 'name="count"' in html and 'value="3"' in html
    assert '<label class="utrecht-form-label nzr-label" for="id_count">' in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("care_org_user", 302),
        ("other_care_org_user", 404),
        ("regional_coordinator", 302),
        ("other_region_coordinator", 404),
        ("national_coordinator", 302),
        ("triangle_member", 403),
        ("reservist", 403),
    ],
)
def test_who_may_change_the_places_on_the_web(request, client, shift, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(_url(shift), {"count": "4"})
    assert response.status_code == expected
    shift.refresh_from_db()
    assert shift.count == (4 if expected == 302 else 3)
