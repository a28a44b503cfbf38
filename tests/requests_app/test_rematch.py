"""Re-matching when supply changes: each trigger invites the reservist to the open shifts
they now fit, through the outbox and the task; nobody is invited twice to one shift."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from outbox.models import OutboxMessage
from regions.models import VettingCheck
from regions.services import record_vetting
from registry.models import Availability
from registry.services import add_availability, delete_availability
from requests_app.models import Assignment, Invitation
from requests_app.rematch import rematch_reservist
from requests_app.services.booking import decline_invitation
from requests_app.services.requests import cancel_shift
from tests.requests_app.factories import at, invite, make_candidate, make_request
from training.models import Course
from training.services import record_training

pytestmark = pytest.mark.django_db


@pytest.fixture
def shift(organisation):
    req = make_request(organisation, shifts=[(at(3, 7), at(3, 15), 2, "verzorgende")])
    return req.shifts.get()


def invited(shift, reservist):
    return Invitation.objects.filter(
        shift=shift, reservist=reservist, status=Invitation.Status.PENDING
    ).exists()


def test_availability_added_invites(shift, django_capture_on_commit_callbacks, mailoutbox):
    r = make_candidate()
    r.availability.all().delete()
    assert not invited(shift, r)
    with django_capture_on_commit_callbacks(execute=True):
        add_availability(r, at(3, 0), at(4, 0), actor=r.user)
    assert OutboxMessage.objects.filter(task="requests_app.tasks.rematch_reservist").exists()
    assert invited(shift, r)
    assert [r.email] in [m.to for m in mailoutbox]


def test_absence_removed_invites(shift, django_capture_on_commit_callbacks):
    r = make_candidate()
    absence = Availability.objects.create(reservist=r, kind="absent", start=at(3, 0), end=at(4, 0))
    with django_capture_on_commit_callbacks(execute=True):
        rematch_reservist(r.pk)
    assert not invited(shift, r)  # still absent
    with django_capture_on_commit_callbacks(execute=True):
        delete_availability(absence, actor=r.user)
    assert invited(shift, r)


def test_vetting_passed_invites(shift, national_coordinator, django_capture_on_commit_callbacks):
    r = make_candidate()
    VettingCheck.objects.create(reservist=r, kind="vog", outcome="fail", note="Verlopen")
    with django_capture_on_commit_callbacks(execute=True):
        record_vetting(r, "vog", "fail", "Nog steeds verlopen", actor=national_coordinator)
    assert not invited(shift, r)
    with django_capture_on_commit_callbacks(execute=True):
        record_vetting(r, "vog", "pass", actor=national_coordinator, issued_on=timezone.localdate())
    assert invited(shift, r)


def test_training_recorded_invites(shift, national_coordinator, django_capture_on_commit_callbacks):
    r = make_candidate()
    r.training_records.all().delete()
    assert rematch_reservist(r.pk) == []  # untrained: not deployable
    done = timezone.localdate() - timedelta(days=1)
    for course in Course.objects.filter(active=True):
        with django_capture_on_commit_callbacks(execute=True):
            record_training(r, course, done, actor=national_coordinator)
    assert invited(shift, r)


def test_cancelled_booking_frees_the_reservist(
    shift, other_organisation, other_care_org_user, django_capture_on_commit_callbacks
):
    other = make_request(other_organisation, shifts=[(at(3, 8), at(3, 12), 1, "verzorgende")])
    blocking = other.shifts.get()
    r = make_candidate()
    Assignment.objects.create(shift=blocking, reservist=r, start=blocking.start, end=blocking.end)
    with django_capture_on_commit_callbacks(execute=True):
        rematch_reservist(r.pk)
    assert not invited(shift, r)  # booked in an overlapping shift
    with django_capture_on_commit_callbacks(execute=True):
        cancel_shift(blocking, actor=other_care_org_user, reason="Toch niet nodig")
    assert invited(shift, r)


def test_a_rolled_back_change_rematches_nobody(shift):
    r = make_candidate()
    r.availability.all().delete()
    from registry.errors import PeriodError

    with pytest.raises(PeriodError):
        add_availability(r, at(4, 0), at(3, 0), actor=r.user)
    assert not OutboxMessage.objects.filter(task="requests_app.tasks.rematch_reservist").exists()


def test_not_eligible_full_or_asked_before_is_not_invited(organisation):
    req = make_request(
        organisation,
        shifts=[(at(3, 7), at(3, 15), 1, "verzorgende"), (at(5, 7), at(5, 15), 1, "verzorgende")],
    )
    first, second = req.shifts.order_by("start")
    wrong_profile = make_candidate(profiles=("arts",))
    assert rematch_reservist(wrong_profile.pk) == []
    # the first shift is full, the second was declined before by this reservist
    booked = make_candidate()
    Assignment.objects.create(shift=first, reservist=booked, start=first.start, end=first.end)
    r = make_candidate()
    declined = invite(second, r)
    decline_invitation(declined, actor=r.user)
    assert rematch_reservist(r.pk) == []
    assert not invited(first, r)
    assert Invitation.objects.get(shift=second, reservist=r).status == "declined"


def test_rematch_twice_invites_once(shift):
    r = make_candidate()
    assert len(rematch_reservist(r.pk)) == 1
    assert rematch_reservist(r.pk) == []
    assert Invitation.objects.filter(shift=shift, reservist=r).count() == 1


def test_a_withdrawn_invitation_is_asked_again_on_its_row(shift):
    r = make_candidate()
    row = invite(shift, r)
    Invitation.objects.filter(pk=row.pk).update(status="withdrawn")
    [again] = rematch_reservist(r.pk)
    assert again.pk == row.pk and again.status == "pending"


def test_decline_tops_the_wave_up_at_once(organisation, django_capture_on_commit_callbacks):
    req = make_request(organisation, shifts=[(at(3, 7), at(3, 15), 1, "verzorgende")])
    shift = req.shifts.get()
    people = [make_candidate() for _ in range(4)]
    asked = [invite(shift, p) for p in people[:3]]
    with django_capture_on_commit_callbacks(execute=True):
        decline_invitation(asked[0], actor=people[0].user)
    assert invited(shift, people[3])


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_invite_once(organisation):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real threads against row locks")
    from requests_app.services.invitations import send_wave
    from tests.requests_app.test_booking_concurrency import run_together

    req = make_request(
        organisation,
        shifts=[(at(3, 7), at(3, 15), 3, "verzorgende"), (at(5, 7), at(5, 15), 3, "verzorgende")],
    )
    shifts = list(req.shifts.all())
    people = [make_candidate() for _ in range(4)]
    jobs = [(lambda p=p: rematch_reservist(p.pk)) for p in people for _ in range(4)]
    jobs += [(lambda s=s: send_wave(s)) for s in shifts for _ in range(2)]
    results = run_together(jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    for s in shifts:
        rows = list(Invitation.objects.filter(shift=s).values_list("reservist_id", flat=True))
        assert sorted(rows) == sorted({p.pk for p in people})  # each exactly once
