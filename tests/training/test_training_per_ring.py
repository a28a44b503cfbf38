"""Training per ring (issue 21 part 4): the CNO's table as data, course × ring × repeat
interval; a record's expiry, deployability and reminders follow the reservist's ring,
with the course's own validity as the fallback."""

import io
import random
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from registry.deployability import deployable, reasons_not_deployable
from registry.models import Profile, Reservist
from tests.factories import ReservistFactory
from tests.regions.factories import pass_all
from tests.training.factories import train
from training import expiry, reminders
from training.models import Course, CourseRequirement, ReminderSent, TrainingRecord
from training.reference import RING_TABLE

pytestmark = pytest.mark.django_db


def course(code):
    return Course.objects.get(code=code)


def row(code, ring):
    return CourseRequirement.objects.get(course__code=code, ring=ring, profile=None)


def records_url(reservist):
    return f"/api/v1/reservists/{reservist.pk}/training-records/"


def test_defaults_follow_the_advice_shape_and_reload_keeps_edits(db):
    for ring, table in RING_TABLE.items():
        for code, months in table.items():
            assert row(code, ring).repeat_months == months
    # The rings differ: students repeat infection prevention more often than nurses.
    assert row("infectiepreventie", 4).repeat_months < row("infectiepreventie", 1).repeat_months
    edited = row("bls", 3)
    edited.repeat_months = 18
    edited.save()
    before = CourseRequirement.objects.count()
    call_command("load_reference_data", verbosity=0, stdout=io.StringIO())
    assert CourseRequirement.objects.count() == before  # idempotent
    assert row("bls", 3).repeat_months == 18  # an edit in the admin stays


def test_ring_interval_sets_expires_on_via_the_api(api_as, regional_coordinator):
    nurse = ReservistFactory(ring=1)
    student = ReservistFactory(ring=4, is_student=True)
    client = api_as(regional_coordinator)
    body = {"course": "infectiepreventie", "completed_on": "2026-03-01"}
    nurse_record = client.post(records_url(nurse), body, format="json")
    student_record = client.post(records_url(student), body, format="json")
    assert nurse_record.status_code == student_record.status_code == 201
    assert nurse_record.json()["expires_on"] == "2027-03-01"  # ring 1: 12 months
    assert student_record.json()["expires_on"] == "2026-09-01"  # ring 4: 6 months


def test_ring_without_its_own_interval_falls_back_to_the_course(db):
    carer = ReservistFactory(ring=3)
    bls_row = row("bls", 3)
    bls_row.repeat_months = None
    bls_row.save()
    bls = course("bls")
    bls.validity_months = 30
    bls.save()
    [record] = train(carer, completed_on=date(2026, 1, 31), courses=[bls])
    assert record.expires_on == date(2028, 7, 31)
    assert bls.expiry_for(date(2026, 1, 31)) == date(2028, 7, 31)  # no ring: the course


def _trained(ring, completed_on, **kwargs):
    reservist = ReservistFactory(ring=ring, **kwargs)
    pass_all(reservist)
    train(reservist, completed_on=completed_on)
    return reservist


def _bulk(reservist, on, profile=None):
    return deployable(Reservist.objects.filter(pk=reservist.pk), on, profile).exists()


def test_ring_interval_decides_deployability(db):
    done = timezone.localdate() - timedelta(days=30)
    nurse = _trained(1, done)
    student = _trained(4, done, is_student=True)
    on = done + relativedelta(months=7)
    assert reasons_not_deployable(nurse, on) == [] and _bulk(nurse, on)
    reasons = reasons_not_deployable(student, on)
    expired = (done + relativedelta(months=6)).strftime("%d-%m-%Y")
    assert len(reasons) == 1
    assert "Infectiepreventie en PBM" in reasons[0] and expired in reasons[0]
    assert not _bulk(student, on)


def test_a_changed_ring_recomputes_the_expiry(db):
    done = date(2026, 2, 1)
    reservist = _trained(1, done)
    ip = TrainingRecord.objects.get(reservist=reservist, course__code="infectiepreventie")
    assert ip.expires_on == date(2027, 2, 1)
    reservist.ring = 4
    reservist.save()
    ip.refresh_from_db()
    assert ip.expires_on == date(2026, 8, 1)
    on = date(2026, 9, 1)
    assert reasons_not_deployable(reservist, on) and not _bulk(reservist, on)
    reservist.ring = 1
    reservist.save(update_fields=["ring"])
    ip.refresh_from_db()
    assert ip.expires_on == date(2027, 2, 1)


def test_an_edited_interval_recomputes_that_course(db, django_capture_on_commit_callbacks):
    carer = _trained(3, date(2026, 1, 15))
    nurse = _trained(1, date(2026, 1, 15))
    edited = row("bls", 3)
    edited.repeat_months = 6
    with django_capture_on_commit_callbacks(execute=True):
        edited.save()
    bls_of = lambda r: TrainingRecord.objects.get(reservist=r, course__code="bls").expires_on  # noqa: E731
    assert bls_of(carer) == date(2026, 7, 15)
    assert bls_of(nurse) == date(2027, 1, 15)  # another ring: unchanged
    with django_capture_on_commit_callbacks(execute=True):
        edited.delete()  # the ring no longer requires it: the course's validity
    assert bls_of(carer) == date(2027, 1, 15)


def test_admin_edits_the_table_and_refuses_an_interval_on_a_profile_row(
    client, django_capture_on_commit_callbacks
):
    from tests.factories import make_persona

    admin_user = make_persona("superuser")
    client.force_login(admin_user)
    carer = _trained(3, date(2026, 1, 15))
    target = row("bls", 3)
    response = client.get("/admin/training/courserequirement/")
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/training/courserequirement/{target.pk}/change/",
            {"course": target.course_id, "ring": 3, "profile": "", "repeat_months": 9},
        )
    assert response.status_code == 302, response.content
    assert TrainingRecord.objects.get(reservist=carer, course__code="bls").expires_on == date(
        2026, 10, 15
    )
    profile_row = CourseRequirement(
        course=course("ic-basis"), profile=Profile.objects.first(), repeat_months=12
    )
    with pytest.raises(ValidationError):
        profile_row.full_clean()


def test_reminders_follow_the_ring_interval(regional_coordinator):
    today = timezone.localdate()
    done = today - relativedelta(months=6) + timedelta(days=20)  # student: 20 days left
    ip = [course("infectiepreventie")]
    student = ReservistFactory(ring=4, is_student=True)
    nurse = ReservistFactory(ring=1)
    train(student, completed_on=done, courses=ip)
    train(nurse, completed_on=done, courses=ip)
    assert reminders.send_expiry_reminders(today) == 1
    assert ReminderSent.objects.filter(reservist=student).count() == 1
    assert not ReminderSent.objects.filter(reservist=nurse).exists()
    assert reminders.send_expiry_reminders(today) == 0  # once


def test_bulk_path_agrees_with_the_per_reservist_path(db):
    """Generated data: every ring, completion dates around month ends, several days."""
    rng = random.Random(21)
    ip = row("infectiepreventie", 2)
    ip.repeat_months = 3  # a third interval in the mix
    ip.save()
    base = date(2025, 11, 30)
    people = []
    for _ in range(40):
        ring = rng.choice([1, 2, 3, 4, 5])
        reservist = ReservistFactory(ring=ring, is_student=ring == 4)
        pass_all(reservist)
        for code in RING_TABLE[ring]:
            if rng.random() < 0.9:
                done = base - timedelta(days=rng.randrange(0, 800))
                train(reservist, completed_on=done, courses=[course(code)])
        people.append(reservist)
    days = [base + timedelta(days=d) for d in (0, 1, 31, 92, 181, 365, 400)]
    profile = Profile.objects.get(code="vpk-algemeen")
    disagreements = []
    seen = set()
    for on in days:
        for wanted in (None, profile):
            found = set(
                deployable(
                    Reservist.objects.filter(pk__in=[p.pk for p in people]), on, wanted
                ).values_list("pk", flat=True)
            )
            for reservist in people:
                single = not reasons_not_deployable(reservist, on, wanted)
                seen.add(single)
                if single != (reservist.pk in found):
                    disagreements.append((reservist.pk, reservist.ring, on, wanted))
    assert disagreements == []
    assert seen == {True, False}  # the data has both answers


def test_refresh_writes_only_changed_rows(db):
    reservist = _trained(1, date(2026, 1, 1))
    assert expiry.refresh_reservist(reservist.pk) == 0
    Reservist.objects.filter(pk=reservist.pk).update(ring=4)  # behind the model's back
    assert expiry.refresh_reservist(reservist.pk) == 1  # infection prevention only
