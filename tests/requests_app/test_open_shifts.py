"""Open shifts a reservist signs up for themself (issue 20 part 1): the list holds exactly
the shifts the booking would take, and a sign-up answers as the booking does."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.models import Municipality
from requests_app.models import Assignment, Invitation, Shift
from requests_app.open_shifts import distance_km, open_shifts_for
from tests.factories import CareOrganisationFactory, region
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/open-shifts/"


def sign_up_url(shift_id):
    return f"/api/v1/me/open-shifts/{shift_id}/sign-up/"


def municipality(code):
    return Municipality.objects.filter(code=code).first()


@pytest.fixture
def org():
    return CareOrganisationFactory(region=region("VR09"), municipality=municipality("GM0344"))


def book(reservist, start, end, org):
    """A live booking of ``reservist`` on a new one-place shift (set-up)."""
    req = make_request(org, shifts=[(start, end, 1, "verzorgende")])
    shift = req.shifts.get()
    return Assignment.objects.create(shift=shift, reservist=reservist, start=start, end=end)


def ids(reservist, **kw):
    return [row.id for row in open_shifts_for(reservist, **kw)]


def test_an_open_shift_is_listed_with_its_fields(api_as, org):
    r = make_candidate()
    r.municipality = municipality("GM0363")  # Amsterdam; the shift is in Utrecht
    r.save()
    shift = make_request(org, shifts=[(at(2, 7), at(2, 15), 3, "verzorgende")]).shifts.get()
    Assignment.objects.create(
        shift=shift, reservist=make_candidate(), start=shift.start, end=shift.end
    )

    response = api_as(r.user).get(URL)

    assert response.status_code == 200, response.content
    (row,) = response.json()
    assert row["id"] == shift.pk
    assert row["profile"] == "verzorgende"
    assert row["places_left"] == 2
    assert row["organisation"] == org.name
    assert row["region"] == "VR09"
    assert 30 <= row["distance_km"] <= 40  # Amsterdam to Utrecht, centroid to centroid
    assert row["start"] and row["end"]


def test_distance_is_zero_within_a_municipality_and_none_when_unknown():
    assert distance_km("GM0344", "GM0344") == 0
    assert 150 <= distance_km("GM0014", "GM0344") <= 175  # Groningen to Utrecht
    assert distance_km("GM0344", None) is None
    assert distance_km("GM9999", "GM0344") is None


@pytest.mark.parametrize(
    "change, reason",
    [
        ("other_profile", "not_open"),
        ("other_region", "not_open"),
        ("other_sector", "not_open"),
        ("not_deployable", "not_open"),
        ("request_submitted", "not_open"),
        ("cancelled", "not_open"),
        ("full", "full"),
        ("overlap", "overlap"),
        ("rest", "rest"),
        ("week_hours", "hours"),
    ],
)
def test_a_shift_left_out_of_the_list_is_refused_with_the_same_reason(api_as, org, change, reason):
    r = make_candidate(profiles=("verzorgende",), regions=("VR09",))
    shift = make_request(org, shifts=[(at(3, 7), at(3, 15), 1, "verzorgende")]).shifts.get()
    if change == "other_profile":
        r.profiles.clear()
    elif change == "other_region":
        r.regions.set([region("VR13")])
    elif change == "other_sector":
        r.sectors = ["hospital"]
        r.save()
    elif change == "not_deployable":
        r.status = "paused"
        r.save()
    elif change == "request_submitted":
        shift.request.status = "submitted"
        shift.request.save()
    elif change == "cancelled":
        Shift.objects.filter(pk=shift.pk).update(cancelled_at=timezone.now())
    elif change == "full":
        other = make_candidate()
        Assignment.objects.create(shift=shift, reservist=other, start=shift.start, end=shift.end)
    elif change == "overlap":
        book(r, at(3, 12), at(3, 20), org)
    elif change == "rest":
        book(r, at(2, 15), at(2, 23), org)  # ends 8 hours before the shift starts
    elif change == "week_hours":
        # 56 hours elsewhere in the same ISO week, by days of 8 hours (48 + 8 = 56)
        week_start = timezone.localtime(shift.start) - timedelta(
            days=timezone.localtime(shift.start).weekday()
        )
        day0 = (week_start.date() - timezone.localdate()).days
        booked = 0
        for d in range(7):
            if d == timezone.localtime(shift.start).weekday() or booked >= 56:
                continue
            if day0 + d == 2 or day0 + d == 4:  # keep the rest time around the shift
                continue
            book(r, at(day0 + d, 7), at(day0 + d, 19), org)
            booked += 12
        assert booked > 60 - 8, "the set-up must leave fewer hours than the shift's 8"

    assert shift.pk not in ids(r)

    response = api_as(r.user).post(sign_up_url(shift.pk))
    if reason == "not_open":
        assert response.status_code == 404, response.content
    else:
        assert response.status_code == 409, response.content
        assert response.json()["reason"] == reason
    assert not Assignment.objects.filter(shift=shift, reservist=r).exists()


def test_signing_up_books_the_shift_and_answers_an_open_invitation(api_as, org):
    r = make_candidate()
    shift = make_request(org, shifts=[(at(2, 7), at(2, 15), 2, "verzorgende")]).shifts.get()
    invitation = invite(shift, r)

    response = api_as(r.user).post(sign_up_url(shift.pk))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["shift"] == shift.pk and body["status"] == "confirmed"
    assert Assignment.objects.filter(shift=shift, reservist=r, status="confirmed").count() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert shift.pk not in ids(r)
    again = api_as(r.user).post(sign_up_url(shift.pk))
    assert again.status_code == 409 and again.json()["reason"] == "overlap"


def test_the_filters_narrow_the_list(api_as, org):
    far = CareOrganisationFactory(
        region=region("VR13"), municipality=municipality("GM0363"), sector="vvt"
    )
    r = make_candidate(profiles=("verzorgende", "vpk-ic-ondersteuning"), regions=("VR09", "VR13"))
    r.municipality = municipality("GM0344")
    r.save()
    near_early = make_request(org, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")]).shifts.get()
    far_late = make_request(far, shifts=[(at(9, 7), at(9, 15), 1, "verzorgende")]).shifts.get()

    assert ids(r) == [near_early.pk, far_late.pk]
    day = timezone.localdate()
    assert ids(r, date_from=day + timedelta(days=5)) == [far_late.pk]
    assert ids(r, date_to=day + timedelta(days=5)) == [near_early.pk]
    assert ids(r, region="VR13") == [far_late.pk]
    assert ids(r, max_km=10) == [near_early.pk]
    assert ids(r, profile="vpk-ic-ondersteuning") == []
    response = api_as(r.user).get(URL, {"region": "VR13", "max_km": 100})
    assert [row["id"] for row in response.json()] == [far_late.pk]
    bad = api_as(r.user).get(URL, {"max_km": "ver", "from": "gisteren"})
    assert bad.status_code == 400
    assert set(bad.json()) >= {"max_km", "from"}


def test_only_reservists_use_the_open_shift_endpoints(api_as, care_org_user, org):
    shift = make_request(org).shifts.get()
    client = api_as(care_org_user)
    assert client.get(URL).status_code == 403
    assert client.post(sign_up_url(shift.pk)).status_code == 403


def _refusal_code(response):
    if response.status_code == 201:
        return None
    if response.status_code == 404:
        return "not_open"
    return response.json()["reason"]


def test_the_list_agrees_with_the_booking_on_generated_data(api_as):
    """Random shifts (profiles, regions, sectors, times, places) and random bookings: a
    shift is listed exactly when a sign-up books it; a shift left out is refused."""
    rng = random.Random(20)
    orgs = [
        CareOrganisationFactory(region=region(code), sector=sector)
        for code in ("VR09", "VR09", "VR13")
        for sector in ("vvt", "hospital", "disability")
    ]
    r = make_candidate(profiles=("verzorgende",), regions=("VR09",))
    r.sectors = ["vvt", "hospital"]
    r.save()
    shifts = []
    for _ in range(60):
        day, hour = rng.randint(1, 9), rng.choice([0, 6, 7, 14, 15, 22])
        length = rng.choice([4, 8, 12])
        start = at(day, hour)
        profile = rng.choice(["verzorgende", "verzorgende", "vpk-ic-ondersteuning"])
        req = make_request(
            rng.choice(orgs),
            status=rng.choice(["approved", "approved", "escalated", "submitted"]),
            shifts=[(start, start + timedelta(hours=length), rng.randint(1, 2), profile)],
        )
        shifts.append(req.shifts.get())
    for s in rng.sample(shifts, 12):  # some bookings of the reservist itself
        bookable = s.request.status in ("approved", "escalated") and s.profile.code == "verzorgende"
        clash = Assignment.objects.filter(
            reservist=r, status="confirmed", start__lt=s.end, end__gt=s.start
        ).exists()
        if bookable and not clash:
            Assignment.objects.create(shift=s, reservist=r, start=s.start, end=s.end)
    for s in rng.sample(shifts, 10):  # and of others, filling places
        Assignment.objects.get_or_create(
            shift=s, reservist=make_candidate(), defaults={"start": s.start, "end": s.end}
        )

    listed = set(ids(r, date_to=timezone.localdate() + timedelta(days=10)))
    client = api_as(r.user)
    seen = {"listed": 0}
    for s in shifts:
        response = client.post(sign_up_url(s.pk))
        code = _refusal_code(response)
        if s.pk in listed:
            assert code is None, (s, response.content)
            seen["listed"] += 1
            Assignment.objects.filter(shift=s, reservist=r, status="confirmed").delete()
        else:
            assert code is not None, s
            seen[code] = seen.get(code, 0) + 1
    # the data exercise the rules: some listed, some refused for being closed to them, full,
    # overlapping or too close to a booking
    assert seen["listed"] >= 3 and seen["not_open"] >= 10, seen
    assert seen.get("full", 0) + seen.get("overlap", 0) + seen.get("rest", 0) >= 3, seen


def test_the_page_lists_the_shift_and_signs_up_with_a_dutch_message(client, org):
    r = make_candidate()
    shift = make_request(org, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")]).shifts.get()
    client.force_login(r.user)

    page = client.get(reverse("requests_app:open_shifts"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Open diensten" in html
    assert reverse("requests_app:open_shift_sign_up", args=[shift.pk]) in html
    week = client.get(reverse("requests_app:open_shifts"), {"view": "week"})
    assert reverse("requests_app:open_shift_sign_up", args=[shift.pk]) in week.content.decode()

    done = client.post(reverse("requests_app:open_shift_sign_up", args=[shift.pk]), follow=True)
    assert Assignment.objects.filter(shift=shift, reservist=r, status="confirmed").exists()
    assert "U bent ingeroosterd. Bedankt!" in done.content.decode()
