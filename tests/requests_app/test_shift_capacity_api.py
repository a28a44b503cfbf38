"""PATCH /api/v1/shifts/{id}/ {count, reason}: 200 with the shift, 400 field errors,
403 / 404 by role and scope, 409 below the booked places or on a closed shift."""

import pytest
from django.utils import timezone

from requests_app.models import Assignment, Shift
from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(organisation):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 3, "verzorgende")])
    return req.shifts.get()


def _url(shift):
    return f"/api/v1/shifts/{shift.pk}/"


def _book(shift, n):
    for _ in range(n):
        Assignment.objects.create(
            shift=shift, reservist=make_candidate(), start=shift.start, end=shift.end
        )


def test_owner_changes_the_places_and_gets_the_shift_back(api_as, care_org_user, shift):
    _book(shift, 1)
    response = api_as(care_org_user).patch(
        _url(shift), {"count": 5, "reason": "Extra afdeling open"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == shift.pk
    assert body["count"] == 5
    assert body["confirmed"] == 1
    assert body["profile"] == "verzorgende"
    assert body["start"] and body["end"]
    shift.refresh_from_db()
    assert shift.count == 5


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("care_org_user", 200),
        ("other_care_org_user", 404),
        ("regional_coordinator", 200),
        ("other_region_coordinator", 404),
        ("national_coordinator", 200),
        ("triangle_member", 403),
        ("reservist", 404),
        ("outsider", 404),
    ],
)
def test_who_may_patch_a_shift(request, api_as, shift, persona, expected):
    user = request.getfixturevalue(persona)
    response = api_as(user).patch(_url(shift), {"count": 4}, format="json")
    assert response.status_code == expected, response.content
    shift.refresh_from_db()
    assert shift.count == (4 if expected == 200 else 3)


def test_anonymous_gets_no_shift(api, shift):
    response = api.patch(_url(shift), {"count": 4}, format="json")
    assert response.status_code in (401, 403)
    shift.refresh_from_db()
    assert shift.count == 3


def test_out_of_scope_is_the_same_404_as_a_missing_shift(api_as, other_care_org_user, shift):
    client = api_as(other_care_org_user)
    hidden = client.patch(_url(shift), {"count": 4}, format="json")
    missing = client.patch("/api/v1/shifts/999999/", {"count": 4}, format="json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("count", [0, -3, 501, "veel", None, 2.5])
def test_a_bad_count_is_a_400_on_the_field(api_as, care_org_user, shift, count):
    response = api_as(care_org_user).patch(_url(shift), {"count": count}, format="json")
    assert response.status_code == 400
    assert response.json()["count"], response.json()
    shift.refresh_from_db()
    assert shift.count == 3


def test_the_field_error_is_in_dutch_when_asked(api_as, care_org_user, shift):
    response = api_as(care_org_user).patch(
        _url(shift), {"count": 0}, format="json", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 400
    assert "groter is dan of gelijk is aan 1" in response.json()["count"][0]


def test_below_the_booked_places_is_a_409(api_as, care_org_user, shift):
    _book(shift, 2)
    response = api_as(care_org_user).patch(
        _url(shift), {"count": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "below_bookings"
    assert "2 reservists are already booked" in body["detail"]
    shift.refresh_from_db()
    assert shift.count == 3


def test_a_cancelled_shift_is_a_409(api_as, care_org_user, shift):
    Shift.objects.filter(pk=shift.pk).update(cancelled_at=timezone.now())
    response = api_as(care_org_user).patch(_url(shift), {"count": 4}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "state"


def test_patch_without_count_changes_nothing(api_as, care_org_user, triangle_member, shift):
    response = api_as(care_org_user).patch(_url(shift), {"reason": "alleen uitleg"}, format="json")
    assert response.status_code == 200
    assert response.json()["count"] == 3
    forbidden = api_as(triangle_member).patch(_url(shift), {}, format="json")
    assert forbidden.status_code == 403


def test_put_and_get_are_not_offered(api_as, national_coordinator, shift):
    client = api_as(national_coordinator)
    assert client.put(_url(shift), {"count": 4}, format="json").status_code == 405
    assert client.get(_url(shift)).status_code == 405


def test_the_schema_documents_the_patch(api_as, national_coordinator):
    schema = api_as(national_coordinator).get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/shifts/{id}/"]["patch"]
    assert set(operation["responses"]) >= {"200", "400", "403", "404", "409"}
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert body["properties"]["count"]["minimum"] == 1
    assert "reason" in body["properties"]
    shift_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][shift_ref.rsplit("/", 1)[1]]["properties"]
    assert {"id", "profile", "start", "end", "count", "confirmed"} <= set(fields)


def test_a_patch_takes_the_same_queries_with_many_bookings(api_as, care_org_user, organisation):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(booked):
        req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 30, "verzorgende")])
        s = req.shifts.get()
        _book(s, booked)
        client = api_as(care_org_user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.patch(_url(s), {"count": 40, "reason": "meer"}, format="json")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    queries(0)  # warm the per-process caches (content types, token)
    few, many = queries(1), queries(20)
    assert few == many
