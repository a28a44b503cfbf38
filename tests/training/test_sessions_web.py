"""Training sessions in the browser: plan, sign up, attendance -> training record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import region
from tests.training.factories import make_session
from training import services
from training.errors import AlreadySignedUpError, SessionFullError
from training.models import SessionSignup, TrainingRecord, TrainingSession

pytestmark = pytest.mark.django_db


def test_coordinator_plans_a_session(client, regional_coordinator):
    client.force_login(regional_coordinator)
    assert client.get("/training/sessions/new/").status_code == 200
    start = timezone.localtime() + timedelta(days=5)
    data = {
        "course": TrainingSession._meta.get_field("course")
        .related_model.objects.get(code="bls")
        .pk,
        "region": region("VR09").pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "Zorgcampus",
        "trainer": "J. de Boer",
        "capacity": 0,
    }
    bad = client.post("/training/sessions/new/", data)
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "ends_at" in errors and "capacity" in errors
    assert not TrainingSession.objects.exists()
    data.update(ends_at=(start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"), capacity=8)
    good = client.post("/training/sessions/new/", data)
    session = TrainingSession.objects.get()
    assert good.status_code == 302 and session.capacity == 8 and session.region.code == "VR09"


def test_regional_coordinator_cannot_plan_in_another_region(client, regional_coordinator):
    client.force_login(regional_coordinator)
    start = timezone.localtime() + timedelta(days=5)
    response = client.post(
        "/training/sessions/new/",
        {
            "course": TrainingSession._meta.get_field("course")
            .related_model.objects.get(code="bls")
            .pk,
            "region": region("VR13").pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "X",
            "trainer": "Y",
            "capacity": 3,
        },
    )
    assert response.status_code == 400 and "region" in response.context["form"].errors


def test_reservist_signs_up_and_cancels(client, reservist, reservist_record):
    session = make_session(region("VR09"), capacity=1)
    client.force_login(reservist)
    listing = client.get("/training/")
    assert listing.status_code == 200 and session.place in listing.content.decode()
    assert client.get(f"/training/sessions/{session.pk}/").status_code == 200
    assert client.post(f"/training/sessions/{session.pk}/signup/").status_code == 302
    signup = SessionSignup.objects.get(session=session)
    assert signup.reservist == reservist_record and signup.status == "signed_up"
    with pytest.raises(AlreadySignedUpError):
        services.sign_up(session, reservist_record, actor=reservist)
    assert client.post(f"/training/sessions/{session.pk}/cancel/").status_code == 302
    signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_full_session_refuses_signup(reservist_record, other_reservist):
    from tests.factories import ReservistFactory

    session = make_session(region("VR09"), capacity=1)
    services.sign_up(session, reservist_record, actor=None)
    with pytest.raises(SessionFullError):
        services.sign_up(session, ReservistFactory(), actor=None)
    assert SessionSignup.objects.filter(session=session).count() == 1


def test_other_region_session_is_404_for_reservist(client, other_reservist):
    session = make_session(region("VR09"))
    client.force_login(other_reservist)
    assert client.get(f"/training/sessions/{session.pk}/").status_code == 404
    assert client.post(f"/training/sessions/{session.pk}/signup/").status_code == 404


def test_attendance_creates_training_records(client, regional_coordinator, reservist_record):
    from tests.factories import ReservistFactory

    absent = ReservistFactory()
    session = make_session(region("VR09"), capacity=5)
    services.sign_up(session, reservist_record, actor=None)
    services.sign_up(session, absent, actor=None)
    # The session took place yesterday.
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() - timedelta(days=1) + timedelta(hours=3),
    )
    client.force_login(regional_coordinator)
    page = client.get(f"/training/sessions/{session.pk}/")
    assert page.status_code == 200 and page.context["can_record_attendance"]
    response = client.post(
        f"/training/sessions/{session.pk}/attendance/", {"attended": [str(reservist_record.pk)]}
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get(reservist=reservist_record)
    yesterday = timezone.localdate() - timedelta(days=1)
    assert record.course.code == "bls" and record.completed_on == yesterday
    assert record.expires_on == yesterday.replace(year=yesterday.year + 1)
    assert not TrainingRecord.objects.filter(reservist=absent).exists()
    assert SessionSignup.objects.get(reservist=absent).status == "absent"
    bad = client.post(f"/training/sessions/{session.pk}/attendance/", {"attended": ["999999"]})
    assert bad.status_code == 400


def test_other_region_coordinator_cannot_see_session(client, other_region_coordinator):
    session = make_session(region("VR09"))
    client.force_login(other_region_coordinator)
    assert client.get(f"/training/sessions/{session.pk}/").status_code == 404
    assert client.post(f"/training/sessions/{session.pk}/attendance/", {}).status_code == 404


def test_training_fragment_and_record_form(client, regional_coordinator, reservist_record):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = regional_coordinator
    html = render_to_string(
        "training/fragments/reservist_training.html",
        {"reservist": reservist_record},
        request=request,
    )
    assert f"/training/reservists/{reservist_record.pk}/records/" in html
    assert "BLS / reanimatie" in html  # named as missing
    client.force_login(regional_coordinator)
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    client.post(
        f"/training/reservists/{reservist_record.pk}/records/",
        {"course": "bls", "completed_on": future},
    )
    assert not TrainingRecord.objects.exists()
    response = client.post(
        f"/training/reservists/{reservist_record.pk}/records/",
        {"course": "bls", "completed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert TrainingRecord.objects.filter(reservist=reservist_record, course__code="bls").exists()


def test_other_region_coordinator_cannot_record_training(
    client, other_region_coordinator, reservist_record
):
    client.force_login(other_region_coordinator)
    response = client.post(
        f"/training/reservists/{reservist_record.pk}/records/",
        {"course": "bls", "completed_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert not TrainingRecord.objects.exists()
