from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from registry import services
from registry.availability import available_between, is_available
from registry.errors import PeriodError
from registry.models import Availability, Reservist, WeeklyAvailability

pytestmark = pytest.mark.django_db


def at(day, hour=0):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def test_inverted_period_is_refused(reservist_record, monday):
    with pytest.raises(PeriodError) as exc:
        services.add_availability(
            reservist_record, at(monday, 12), at(monday, 8), actor=reservist_record.user
        )
    assert exc.value.field == "end"
    assert not Availability.objects.exists()


def test_overlapping_period_of_same_kind_is_refused_with_clear_message(reservist_record, monday):
    user = reservist_record.user
    services.add_availability(
        reservist_record, at(monday), at(monday + timedelta(days=5)), actor=user
    )
    with pytest.raises(PeriodError) as exc, translation.override("en"):
        services.add_availability(
            reservist_record,
            at(monday + timedelta(days=2)),
            at(monday + timedelta(days=9)),
            actor=user,
        )
    assert exc.value.code == "overlap"
    assert "overlaps" in str(exc.value)
    # an absence inside an available period is fine
    services.add_availability(
        reservist_record, at(monday, 1), at(monday, 5), Availability.Kind.ABSENT, actor=user
    )
    assert Availability.objects.count() == 2


def test_weekly_pattern_overlap_and_inversion(reservist_record):
    user = reservist_record.user
    services.add_weekly(reservist_record, 0, time(8), time(12), actor=user)
    with pytest.raises(PeriodError):
        services.add_weekly(reservist_record, 0, time(11), time(14), actor=user)
    with pytest.raises(PeriodError) as exc:
        services.add_weekly(reservist_record, 1, time(14), time(11), actor=user)
    assert exc.value.field == "end_time"
    services.add_weekly(reservist_record, 0, time(12), time(16), actor=user)  # touching is fine
    assert WeeklyAvailability.objects.count() == 2


def test_available_between_uses_periods_weekly_pattern_and_absences(
    reservist_record, other_reservist, monday
):
    other = other_reservist.reservist
    user = reservist_record.user
    services.add_weekly(reservist_record, 0, time(7), time(19), actor=user)
    services.add_availability(
        other, at(monday), at(monday + timedelta(days=3)), actor=other_reservist
    )
    qs = Reservist.objects.all()
    window = (at(monday, 8), at(monday, 16))
    assert set(available_between(qs, *window)) == {reservist_record, other}
    # outside the weekly hours
    assert set(available_between(qs, at(monday, 6), at(monday, 10))) == {other}
    # an absence overlapping the window removes the reservist
    services.add_availability(
        reservist_record, at(monday, 12), at(monday, 13), Availability.Kind.ABSENT, actor=user
    )
    assert not is_available(reservist_record, *window)
    assert is_available(other, *window)


def test_availability_page_shows_overlap_error_next_to_field(client, reservist, monday):
    client.force_login(reservist)
    url = reverse("registry:availability")
    data = {
        "add_period": "1",
        "period-kind": "available",
        "period-start_date": monday.isoformat(),
        "period-end_date": (monday + timedelta(days=3)).isoformat(),
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    assert 'id="id_period-start_date_error"' in response.content.decode()
    inverted = {**data, "period-end_date": (monday - timedelta(days=3)).isoformat()}
    response = client.post(url, inverted)
    assert 'id="id_period-end_date_error"' in response.content.decode()
    assert Availability.objects.count() == 1


def test_weekly_form_on_page(client, reservist):
    client.force_login(reservist)
    url = reverse("registry:availability")
    data = {
        "add_weekly": "1",
        "weekly-weekday": "2",
        "weekly-start_time": "09:00",
        "weekly-end_time": "08:00",
    }
    response = client.post(url, data)
    assert 'id="id_weekly-end_time_error"' in response.content.decode()
    data["weekly-end_time"] = "17:00"
    assert client.post(url, data).status_code == 302
    slot = WeeklyAvailability.objects.get()
    response = client.post(reverse("registry:weekly_delete", args=[slot.pk]))
    assert response.status_code == 302 and not WeeklyAvailability.objects.exists()


def test_yearly_confirmation_page(client, reservist, reservist_record):
    client.force_login(reservist)
    assert client.get(reverse("registry:confirm")).status_code == 200
    client.post(reverse("registry:confirm"), {"answer": "yes"})
    reservist_record.refresh_from_db()
    assert reservist_record.availability_confirmed_on == timezone.localdate()
