"""The register list builds its rows from plain values (``reservist_list_data``), not
with the serializer. Each row must be what the detail endpoint (``ReservistSerializer``)
says of that reservist, field for field and in the same order, less the reasons."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from registry import api
from registry.models import Municipality, Profession, Profile, Reservist
from tests.factories import ReservistFactory, region

pytestmark = pytest.mark.django_db

URL = "/api/v1/reservists/"


@pytest.fixture
def varied(reference):
    """Reservists that differ in every way a field can: with and without an account,
    null relations and dates, a wrong BIG check digit, several regions and profiles."""
    today = timezone.localdate()
    profiles = list(Profile.objects.filter(active=True).order_by("-code")[:2])
    full = ReservistFactory(
        big_number="89012345601",  # a right check digit
        municipality=Municipality.objects.filter(region__code="VR09").first(),
        date_of_birth=date(1958, 3, 7),
        specialisations=["IC", "SEH"],
        diplomas="Verpleegkunde (2001)\nIC-verpleegkunde",
        years_experience=31,
        last_worked_in_care=date(2024, 6, 30),
        availability_confirmed_on=today,
        consent_at=datetime(2026, 7, 1, 22, 30, 15, 123456, tzinfo=UTC),  # summer time
    )
    full.regions.set([region("VR13"), region("VR09"), region("VR01")])
    full.profiles.set(profiles)
    bare = ReservistFactory(
        user=None,
        profession=None,
        big_number="",
        big_valid_until=None,
        level="",
        ring=3,
        sectors=[],
        consent_at=None,
        status=Reservist.Status.PAUSED,
    )
    wrong_digit = ReservistFactory(
        big_number="19012345601",  # the check digit should be 8
        consent_at=datetime(2026, 1, 15, 9, 0, tzinfo=UTC),  # winter time
        profession=Profession.objects.get(code="helpende"),
        ring=2,
        is_student=True,
    )
    expired = ReservistFactory(big_valid_until=today - timedelta(days=1))
    return [full, bare, wrong_digit, expired]


def _detail(client, pk):
    data = client.get(f"{URL}{pk}/").json()
    deployable = not data.pop("deployable_reasons")
    data.pop("pending_changes")  # the detail's own: changes waiting for the coordinator
    assert data["deployable"] is deployable
    return data


def _compare(client, reservists, query=""):
    rows = {row["id"]: row for row in client.get(f"{URL}?page_size=100{query}").json()["results"]}
    for reservist in reservists:
        expected = _detail(client, reservist.pk)
        assert list(rows[reservist.pk].items()) == list(expected.items()), reservist
    return rows


@pytest.mark.parametrize("language", ["nl", "en"])
def test_list_rows_are_the_detail_less_the_reasons(api_as, national_coordinator, varied, language):
    client = api_as(national_coordinator)
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"],
        HTTP_ACCEPT_LANGUAGE=language,
    )
    rows = _compare(client, varied)
    full, bare, wrong_digit, expired = (rows[r.pk] for r in varied)
    # The cases the fixture is for, so that the comparison above compared something.
    assert full["regions"] == ["VR01", "VR09", "VR13"] and len(full["profiles"]) == 2
    assert full["consent_at"].endswith("+02:00") and wrong_digit["consent_at"].endswith("+01:00")
    assert full["date_of_birth"] == "1958-03-07" and full["specialisations"] == ["IC", "SEH"]
    assert bare["email"] == "" and bare["profession"] is None and bare["municipality"] is None
    assert bare["big_check_digit_ok"] is None and bare["consent_at"] is None
    assert wrong_digit["big_check_digit_ok"] is False and full["big_check_digit_ok"] is True
    assert full["deployable"] is False  # no training recorded
    assert expired["deployable"] is False and bare["deployable"] is False


def test_deployable_on_rows_are_the_detail_less_the_reasons(api_as, national_coordinator, varied):
    """With ?deployable_on= the filter keeps only those deployable that day, so every row
    says deployable; the detail (for today) must agree for a reservist who is."""
    from training.models import Course, TrainingRecord

    today = timezone.localdate()
    fit = varied[0]
    for course in Course.objects.filter(active=True):
        TrainingRecord.objects.create(
            reservist=fit, course=course, completed_on=today - timedelta(days=1)
        )
    client = api_as(national_coordinator)
    rows = _compare(client, [fit], f"&deployable_on={today.isoformat()}")
    assert rows[fit.pk]["deployable"] is True
    assert set(rows) == {fit.pk}


def test_without_array_subqueries_the_rows_are_the_same(
    api_as, national_coordinator, varied, monkeypatch
):
    """Other databases (SQLite for ``make run``) read the codes with one query per
    relation; the rows must not differ."""
    client = api_as(national_coordinator)
    in_one = client.get(f"{URL}?page_size=100").json()["results"]
    monkeypatch.setattr(api.connection, "vendor", "sqlite")
    assert client.get(f"{URL}?page_size=100").json()["results"] == in_one
