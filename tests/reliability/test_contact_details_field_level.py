"""Field level: a care organisation sees a reservist's contact details only for a reservist
booked on its own shift (confirmed or worked). Not for invited-not-booked, declined,
cancelled or no-show, nor for anyone booked on another organisation's shift."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app.models import Assignment, Invitation
from requests_app.serializers import AssignmentPersonSerializer
from tests.factories import ReservistFactory
from tests.requests_app.factories import at, invite, make_request

PHONES = {
    "booked": "0611111111",
    "completed": "0622222222",
    "invited": "0633333333",
    "declined": "0644444444",
    "cancelled": "0655555555",
    "no_show": "0666666666",
    "other_org": "0677777777",
}
VISIBLE = {"booked", "completed"}
HIDDEN = set(PHONES) - VISIBLE


def _book(shift, reservist, status="confirmed", no_show=False):
    return Assignment.objects.create(
        shift=shift,
        reservist=reservist,
        status=status,
        no_show=no_show,
        start=shift.start,
        end=shift.end,
    )


@pytest.fixture
def world(organisation, other_organisation):
    people = {k: ReservistFactory(phone=v, user__password=None) for k, v in PHONES.items()}
    past = timezone.now() - timedelta(days=3)
    req = make_request(
        organisation,
        shifts=[
            (at(2, 7), at(2, 15), 6, "verzorgende"),
            (past, past + timedelta(hours=8), 2, "verzorgende"),
        ],
    )
    future, worked = req.shifts.order_by("start")[1], req.shifts.order_by("start")[0]
    _book(future, people["booked"])
    _book(worked, people["completed"], status="completed")
    invite(future, people["invited"])
    declined = invite(future, people["declined"])
    Invitation.objects.filter(pk=declined.pk).update(status="declined")
    _book(future, people["cancelled"], status="cancelled")
    _book(worked, people["no_show"], status="cancelled", no_show=True)
    other = make_request(other_organisation, shifts=[(at(3, 7), at(3, 15), 1, "verzorgende")])
    _book(other.shifts.get(), people["other_org"])
    return {"request": req, "other": other, "people": people}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status,no_show,visible",
    [
        ("confirmed", False, True),
        ("completed", False, True),
        ("cancelled", False, False),
        ("cancelled", True, False),
    ],
)
def test_serializer_shows_the_phone_only_for_a_booking_that_holds(
    organisation, status, no_show, visible
):
    req = make_request(organisation)
    assignment = _book(
        req.shifts.get(), ReservistFactory(phone="0698765432"), status=status, no_show=no_show
    )
    phone = AssignmentPersonSerializer(assignment).data["phone"]
    assert phone == ("0698765432" if visible else "")


@pytest.mark.django_db
def test_api_request_detail_shows_contact_only_for_own_booked_reservists(
    api_as, care_org_user, world
):
    response = api_as(care_org_user).get(f"/api/v1/requests/{world['request'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    for key in VISIBLE:
        assert PHONES[key] in body, key
    for key in HIDDEN:
        assert PHONES[key] not in body, key
    # No e-mail address of any reservist either.
    for person in world["people"].values():
        assert person.user.email not in body


@pytest.mark.django_db
def test_api_other_organisations_booking_is_invisible(api_as, care_org_user, world):
    response = api_as(care_org_user).get(f"/api/v1/requests/{world['other'].pk}/")
    assert response.status_code == 404
    listing = api_as(care_org_user).get("/api/v1/requests/").content.decode()
    assert PHONES["other_org"] not in listing


@pytest.mark.django_db
def test_web_request_page_shows_contact_only_for_own_booked_reservists(
    client, care_org_user, world
):
    client.force_login(care_org_user)
    response = client.get(reverse("requests_app:request_detail", args=[world["request"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for key in VISIBLE:
        assert PHONES[key] in html, key
    for key in HIDDEN:
        assert PHONES[key] not in html, key
    for person in world["people"].values():
        assert person.user.email not in html


@pytest.mark.django_db
def test_web_other_organisations_request_page_is_a_404(client, care_org_user, world):
    client.force_login(care_org_user)
    response = client.get(reverse("requests_app:request_detail", args=[world["other"].pk]))
    assert response.status_code == 404
    assert PHONES["other_org"] not in response.content.decode()
    home = client.get(reverse("requests_app:home")).content.decode()
    assert PHONES["other_org"] not in home
