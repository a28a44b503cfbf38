from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLog, User
from accounts.scope import forget_scope, scope_of
from registry import services
from registry.errors import AlreadyLeft
from registry.models import Availability, Reservist
from training.models import Course, TrainingRecord

pytestmark = pytest.mark.django_db


def test_leaving_erases_personal_data_and_keeps_statistics_rows(reservist_record):
    user = reservist_record.user
    course = Course.objects.first()
    TrainingRecord.objects.create(
        reservist=reservist_record, course=course, completed_on=date(2026, 1, 5)
    )
    now = timezone.now()
    services.add_availability(reservist_record, now, now + timedelta(days=2), actor=user)
    ring, region_id, profession_id = (
        reservist_record.ring,
        reservist_record.home_region_id,
        reservist_record.profession_id,
    )
    services.leave(reservist_record, actor=user, reason="Met pensioen")

    r = Reservist.objects.get(pk=reservist_record.pk)
    assert r.first_name == r.last_name == r.phone == r.postcode == r.big_number == ""
    assert r.date_of_birth is None and r.big_valid_until is None and r.user_id is None
    assert r.anonymised_at is not None and r.status == "left"
    # kept for statistics
    assert (r.ring, r.home_region_id, r.profession_id) == (ring, region_id, profession_id)
    assert TrainingRecord.objects.filter(reservist=r).count() == 1
    assert r.status_changes.filter(to_status="left").exists()
    assert not Availability.objects.filter(reservist=r).exists()
    # the account is closed
    user = User.objects.get(pk=user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@anonymised.invalid") and user.first_name == ""
    forget_scope(user)
    assert scope_of(user).is_reservist is False or not user.is_active
    with pytest.raises(AlreadyLeft):
        services.leave(r, actor=None)


def test_leave_page(client, reservist, reservist_record):
    client.force_login(reservist)
    url = reverse("registry:leave")
    response = client.post(url, {})
    assert 'id="id_confirm_error"' in response.content.decode()
    assert Reservist.objects.get(pk=reservist_record.pk).anonymised_at is None
    response = client.post(url, {"confirm": "on", "reason": ""})
    assert response.status_code == 302
    assert Reservist.objects.get(pk=reservist_record.pk).anonymised_at is not None
    # signed out
    assert client.get(reverse("registry:me")).status_code == 302


def test_my_data_page_and_download(client, reservist, reservist_record):
    client.force_login(reservist)
    page = client.get(reverse("registry:my_data"))
    assert page.status_code == 200
    assert reservist_record.big_number in page.content.decode()
    download = client.get(reverse("registry:my_data_download"))
    assert download["Content-Disposition"].startswith("attachment")
    data = download.json()
    assert data["profile"]["big_number"] == reservist_record.big_number
    assert AccessLog.objects.filter(
        user=reservist, subject_id=str(reservist_record.pk), action="export"
    ).exists()


def test_api_export_has_one_key_per_kind_of_data(api_as, reservist, reservist_record):
    course = Course.objects.first()
    TrainingRecord.objects.create(
        reservist=reservist_record, course=course, completed_on=date(2026, 1, 5)
    )
    response = api_as(reservist).get("/api/v1/me/export/")
    assert response.status_code == 200
    data = response.json()
    for key in ("account", "profile", "status_history", "availability", "weekly_availability"):
        assert key in data
    assert data["account"]["email"] == reservist.email
    assert len(data["training_records"]) == 1  # another app's data, found generically
    assert data["profile"]["regions"] == [r.code for r in reservist_record.regions.all()]


def test_profile_correction_page(client, reservist, reservist_record):
    client.force_login(reservist)
    url = reverse("registry:profile_edit")
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"first_name": ""})
    assert response.status_code == 200
    assert 'id="id_first_name_error"' in response.content.decode()
    reservist_record.refresh_from_db()
    assert reservist_record.first_name != ""
