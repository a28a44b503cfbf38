from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccessLog
from registry.models import Profile, Reservist
from tests.factories import ReservistFactory, region

pytestmark = pytest.mark.django_db

URL = "/api/v1/reservists/"


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_regional_coordinator_sees_only_own_region(
    api_as, regional_coordinator, reservist_record, other_reservist
):
    client = api_as(regional_coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}
    assert ids(response) == {reservist_record.pk}
    other = other_reservist.reservist
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.get(f"{URL}{reservist_record.pk}/").status_code == 200


def test_national_sees_all(api_as, national_coordinator, reservist_record, other_reservist):
    response = api_as(national_coordinator).get(URL)
    assert ids(response) == {reservist_record.pk, other_reservist.reservist.pk}


@pytest.mark.parametrize(
    "persona_name", ["reservist", "care_org_user", "triangle_member", "outsider"]
)
def test_others_may_not_search_the_register(api_as, request, persona_name):
    user = request.getfixturevalue(persona_name)
    assert api_as(user).get(URL).status_code == 403


def test_detail_read_is_logged(api_as, regional_coordinator, reservist_record):
    response = api_as(regional_coordinator).get(f"{URL}{reservist_record.pk}/")
    data = response.json()
    assert data["postcode"] == "3511 AB" and data["home_region"] == "VR09"
    assert "deployable_reasons" in data
    log = AccessLog.objects.get(user=regional_coordinator, action="view")
    assert log.subject_type == "registry.reservist" and log.subject_id == str(reservist_record.pk)


def test_list_is_logged(api_as, regional_coordinator, reservist_record):
    api_as(regional_coordinator).get(URL)
    log = AccessLog.objects.get(user=regional_coordinator, action="list")
    assert log.count == 1 and log.subject_ids == [str(reservist_record.pk)]


def test_filters(api_as, national_coordinator):
    nurse = ReservistFactory(last_name="Pietersen", big_number="29876543210")
    carer = ReservistFactory(
        home_region=region("VR13"),
        ring=3,
        readiness="1w",
        status="paused",
        last_name="Klaassen",
        big_number="",
    )
    nurse.profiles.set([Profile.objects.get(code="vpk-algemeen")])
    client = api_as(national_coordinator)
    assert ids(client.get(URL, {"region": "VR09"})) == {nurse.pk}
    assert ids(client.get(URL, {"region": "VR13"})) == {carer.pk}
    assert ids(client.get(URL, {"ring": 3})) == {carer.pk}
    assert ids(client.get(URL, {"status": "active"})) == {nurse.pk}
    assert ids(client.get(URL, {"readiness": "1w"})) == {carer.pk}
    assert ids(client.get(URL, {"profile": "vpk-algemeen"})) == {nurse.pk}
    assert ids(client.get(URL, {"q": "pieters"})) == {nurse.pk}
    assert ids(client.get(URL, {"q": "2987654"})) == {nurse.pk}
    deployable = client.get(URL, {"deployable_on": timezone.localdate().isoformat()})
    assert carer.pk not in ids(deployable)  # paused
    assert client.get(URL, {"region": "VR99"}).status_code == 400
    assert client.get(URL, {"deployable_on": "gisteren"}).status_code == 400
    ordered = client.get(URL, {"sort": "-last_name"}).json()["results"]
    assert [r["id"] for r in ordered] == [nurse.pk, carer.pk]


def test_available_in_a_period_and_training_expiring(api_as, national_coordinator):
    from registry import services
    from training.models import Course, TrainingRecord

    a = ReservistFactory()
    b = ReservistFactory()
    monday = date.today() + timedelta(days=14)
    tz = timezone.get_current_timezone()
    start = timezone.datetime.combine(monday, timezone.datetime.min.time()).replace(tzinfo=tz)
    services.add_availability(a, start, start + timedelta(days=3), actor=a.user)
    client = api_as(national_coordinator)
    found = client.get(
        URL,
        {
            "available_from": monday.isoformat(),
            "available_until": (monday + timedelta(days=2)).isoformat(),
        },
    )
    assert ids(found) == {a.pk}
    bad = client.get(
        URL,
        {
            "available_from": monday.isoformat(),
            "available_until": (monday - timedelta(days=2)).isoformat(),
        },
    )
    assert bad.status_code == 400
    course = Course.objects.filter(validity_months__isnull=False).first()
    record = TrainingRecord.objects.create(reservist=b, course=course, completed_on=date.today())
    TrainingRecord.objects.filter(pk=record.pk).update(expires_on=date.today() + timedelta(days=10))
    assert ids(client.get(URL, {"training_expiring": 30})) == {b.pk}


def test_list_query_count_does_not_grow_with_the_page(api_as, national_coordinator):
    client = api_as(national_coordinator)
    profiles = list(Profile.objects.all()[:2])

    def make(n):
        for _ in range(n):
            r = ReservistFactory()
            r.profiles.set(profiles)
            r.regions.set([region("VR09"), region("VR13")])

    make(1)
    client.get(URL)  # warm caches (content types, scope)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).json()["count"] == 1
    make(19)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(URL).json()["count"] == 20
    assert len(one) == len(twenty), [q["sql"] for q in twenty.captured_queries]
    assert Reservist.objects.count() == 20
