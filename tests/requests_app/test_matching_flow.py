"""Approval starts matching: eligible reservists, invitations in waves, booking, filled."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from outbox.relay import relay_pending
from registry.models import Availability
from requests_app import services
from requests_app.matching import candidates_for_shift
from requests_app.models import Assignment, DeploymentRequest, Invitation
from requests_app.services.invitations import expire_invitations
from requests_app.tasks import invitation_tick, match_request
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = pytest.mark.django_db


def ids(candidates):
    return {c.reservist_id for c in candidates}


def test_eligibility_rules(organisation, other_organisation):
    req = make_request(organisation, shifts=[(at(3, 7), at(3, 15), 1, "verzorgende")])
    shift = req.shifts.get()
    ok = make_candidate()
    wrong_profile = make_candidate(profiles=("arts",))
    not_willing_region = make_candidate(regions=("VR13",))
    wrong_sector = make_candidate(sectors=["ggd"])
    paused = make_candidate(status="paused")
    absent = make_candidate()
    Availability.objects.create(reservist=absent, kind="absent", start=at(3, 0), end=at(4, 0))
    no_availability = make_candidate()
    no_availability.availability.all().delete()
    untrained = make_candidate()
    untrained.training_records.all().delete()
    # booked elsewhere overlapping; and one with too little rest (ends 22:00 the day before)
    other = make_request(
        other_organisation,
        shifts=[(at(3, 8), at(3, 12), 1, "verzorgende"), (at(2, 14), at(2, 22), 1, "verzorgende")],
    )
    overlap_shift, late_shift = other.shifts.order_by("start").reverse()
    busy = make_candidate()
    Assignment.objects.create(
        shift=overlap_shift, reservist=busy, start=overlap_shift.start, end=overlap_shift.end
    )
    tired = make_candidate()
    Assignment.objects.create(
        shift=late_shift, reservist=tired, start=late_shift.start, end=late_shift.end
    )
    assert ids(candidates_for_shift(shift)) == {ok.pk}
    del wrong_profile, not_willing_region, wrong_sector, paused


def test_week_limit_of_60_hours(organisation, other_organisation):
    # a Monday-to-Sunday week far enough ahead
    base = timezone.localdate() + timedelta(days=14 - timezone.localdate().weekday())
    day = (base - timezone.localdate()).days
    req = make_request(organisation, shifts=[(at(day + 6, 8), at(day + 6, 20), 1, "verzorgende")])
    shift = req.shifts.get()
    worker = make_candidate()
    worker.availability.update(end=timezone.now() + timedelta(days=40))
    earlier = make_request(
        other_organisation,
        shifts=[(at(day + d, 8), at(day + d, 20), 1, "verzorgende") for d in range(5)],
    )
    for s in earlier.shifts.all():
        Assignment.objects.create(shift=s, reservist=worker, start=s.start, end=s.end)
    # 5 x 12 h = 60 h already: one more 12-hour shift that week is too much
    assert worker.pk not in ids(candidates_for_shift(shift))


def test_approval_sends_a_first_wave_of_three_times_the_places(
    api_as, national_coordinator, organisation, django_capture_on_commit_callbacks
):
    req = make_request(
        organisation, status="submitted", shifts=[(at(2, 7), at(2, 15), 2, "verzorgende")]
    )
    people = [make_candidate() for _ in range(8)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_as(national_coordinator).post(
            f"/api/v1/requests/{req.pk}/approve/", {}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert callbacks  # matching went out on commit
    invitations = Invitation.objects.filter(shift__request=req)
    assert invitations.count() == 6
    assert set(invitations.values_list("wave", flat=True)) == {1}
    invited = set(invitations.values_list("reservist_id", flat=True))
    assert invited <= {p.pk for p in people}
    invited_emails = {p.user.email for p in people if p.pk in invited}
    assert invited_emails <= {addr for m in mail.outbox for addr in m.to}


def test_matching_job_is_idempotent(organisation):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")])
    for _ in range(4):
        make_candidate()
    match_request(req.pk)
    match_request(req.pk)  # a retried job invites nobody twice
    assert Invitation.objects.filter(shift__request=req).count() == 3


def test_accept_books_and_fills_the_request(
    api_as, organisation, django_capture_on_commit_callbacks
):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")])
    first, second = make_candidate(), make_candidate()
    shift = req.shifts.get()
    a, b = invite(shift, first), invite(shift, second)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(first.user).post(f"/api/v1/me/invitations/{a.pk}/accept/")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "confirmed"
    assert response.json()["shift"] == shift.pk
    req.refresh_from_db()
    assert req.status == "filled" and req.filled_at is not None
    b.refresh_from_db()
    assert b.status == "withdrawn"  # open invitations are withdrawn when it fills
    late = api_as(second.user).post(f"/api/v1/me/invitations/{b.pk}/accept/")
    assert late.status_code == 409
    assert late.json()["code"] == "full"
    mine = api_as(first.user).get("/api/v1/me/assignments/").json()
    assert mine["count"] == 1 and mine["results"][0]["status"] == "confirmed"
    if settings.CELERY_BROKER_URL:
        # The confirmation e-mail waits in the outbox for the relay (off the request path).
        assert not any(first.user.email in m.to for m in mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            relay_pending(min_age=timedelta(0))
    # Without a broker (a laptop: no beat, so no relay) it went out at the commit.
    assert [m.to for m in mail.outbox if first.user.email in m.to] == [[first.user.email]]


def test_accept_overlapping_shift_answers_409(api_as, organisation):
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(2, 12), at(2, 20), 1, "verzorgende")],
    )
    one, two = req.shifts.order_by("start")
    r = make_candidate()
    a, b = invite(one, r), invite(two, r)
    client = api_as(r.user)
    assert client.post(f"/api/v1/me/invitations/{a.pk}/accept/").status_code == 201
    response = client.post(f"/api/v1/me/invitations/{b.pk}/accept/")
    assert response.status_code == 409
    assert response.json()["code"] == "overlap"


def test_accept_without_rest_answers_409(api_as, organisation):
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(2, 22), at(3, 6), 1, "verzorgende")],
    )
    one, two = req.shifts.order_by("start")
    r = make_candidate()
    client = api_as(r.user)
    assert client.post(f"/api/v1/me/invitations/{invite(one, r).pk}/accept/").status_code == 201
    response = client.post(f"/api/v1/me/invitations/{invite(two, r).pk}/accept/")
    assert response.status_code == 409
    assert response.json()["code"] == "rest"
    assert "11" in response.json()["detail"]


def test_expired_invitation_answers_409(api_as, organisation):
    req = make_request(organisation)
    r = make_candidate()
    inv = invite(req.shifts.get(), r, hours=-1)
    response = api_as(r.user).post(f"/api/v1/me/invitations/{inv.pk}/accept/")
    assert response.status_code == 409
    assert response.json()["code"] == "expired"


def test_someone_elses_invitation_is_404(api_as, organisation):
    req = make_request(organisation)
    r, other = make_candidate(), make_candidate()
    inv = invite(req.shifts.get(), r)
    assert api_as(other.user).post(f"/api/v1/me/invitations/{inv.pk}/accept/").status_code == 404
    assert api_as(other.user).get("/api/v1/me/invitations/").json()["count"] == 0
    assert api_as(r.user).get("/api/v1/me/invitations/").json()["results"][0]["id"] == inv.pk


def test_decline_sends_the_next_wave(api_as, organisation, django_capture_on_commit_callbacks):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")])
    people = [make_candidate() for _ in range(5)]
    match_request(req.pk)
    shift = req.shifts.get()
    first_wave = list(Invitation.objects.filter(shift=shift))
    assert len(first_wave) == 3
    declining = first_wave[0]
    user = next(p.user for p in people if p.pk == declining.reservist_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(user).post(f"/api/v1/me/invitations/{declining.pk}/decline/")
    assert response.status_code == 200 and response.json()["status"] == "declined"
    second = Invitation.objects.filter(shift=shift, wave=2)
    assert second.count() == 1
    assert second.get().reservist_id not in {i.reservist_id for i in first_wave}


def test_expiry_beat_expires_and_tops_up(organisation):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")])
    for _ in range(6):
        make_candidate()
    match_request(req.pk)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert len(expire_invitations()) == 1
    assert Invitation.objects.filter(status="expired").count() == 3
    Invitation.objects.filter(status="expired").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    invitation_tick()
    assert Invitation.objects.filter(status="pending", wave=2).count() == 3


def test_candidates_api_ranks_with_reasons(
    api_as, national_coordinator, care_org_user, organisation
):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")])
    far = make_candidate(home="VR13", regions=("VR09", "VR13"), postcode="1011 AB")
    near = make_candidate()
    shift = req.shifts.get()
    body = api_as(national_coordinator).get(f"/api/v1/shifts/{shift.pk}/candidates/").json()
    assert [r["reservist"] for r in body["results"]] == [near.pk, far.pk]
    assert body["results"][0]["position"] == 1 and body["results"][0]["reasons"]
    assert api_as(care_org_user).get(f"/api/v1/shifts/{shift.pk}/candidates/").status_code == 403


def test_national_assigns_by_hand(api_as, national_coordinator, regional_coordinator, organisation):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")])
    r = make_candidate()
    shift = req.shifts.get()
    assert (
        api_as(regional_coordinator)
        .post(f"/api/v1/shifts/{shift.pk}/assign/", {"reservist": r.pk}, format="json")
        .status_code
        == 403
    )
    response = api_as(national_coordinator).post(
        f"/api/v1/shifts/{shift.pk}/assign/", {"reservist": r.pk}, format="json"
    )
    assert response.status_code == 201
    assert Assignment.objects.get(shift=shift).reservist == r
    again = api_as(national_coordinator).post(
        f"/api/v1/shifts/{shift.pk}/assign/", {"reservist": make_candidate().pk}, format="json"
    )
    assert again.status_code == 409


def test_hours_confirmation(api_as, care_org_user, other_care_org_user, organisation):
    req = make_request(
        organisation, status="filled", shifts=[(at(-1, 7), at(-1, 15), 1, "verzorgende")]
    )
    shift = req.shifts.get()
    a = Assignment.objects.create(
        shift=shift, reservist=make_candidate(), start=shift.start, end=shift.end
    )
    url = f"/api/v1/assignments/{a.pk}/hours/"
    assert (
        api_as(other_care_org_user).post(url, {"hours_worked": "8"}, format="json").status_code
        == 404
    )
    assert api_as(care_org_user).post(url, {"hours_worked": "40"}, format="json").status_code == 400
    response = api_as(care_org_user).post(url, {"hours_worked": "7.5"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "completed" and response.json()["hours_worked"] == "7.50"
    req.refresh_from_db()
    assert req.status == DeploymentRequest.Status.COMPLETED


def test_no_show(api_as, care_org_user, organisation):
    req = make_request(organisation, shifts=[(at(-1, 7), at(-1, 15), 1, "verzorgende")])
    shift = req.shifts.get()
    a = Assignment.objects.create(
        shift=shift, reservist=make_candidate(), start=shift.start, end=shift.end
    )
    response = api_as(care_org_user).post(
        f"/api/v1/assignments/{a.pk}/hours/", {"no_show": True}, format="json"
    )
    assert response.status_code == 200
    a.refresh_from_db()
    assert a.no_show and a.status == "cancelled"


def test_hours_before_the_shift_is_a_conflict(api_as, care_org_user, organisation):
    req = make_request(organisation)
    shift = req.shifts.get()
    a = Assignment.objects.create(
        shift=shift, reservist=make_candidate(), start=shift.start, end=shift.end
    )
    response = api_as(care_org_user).post(
        f"/api/v1/assignments/{a.pk}/hours/", {"hours_worked": "8"}, format="json"
    )
    assert response.status_code == 409


def test_cancelling_a_shift_tells_the_booked_reservists(
    care_org_user, organisation, django_capture_on_commit_callbacks
):
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 2, "verzorgende"), (at(3, 7), at(3, 15), 1, "verzorgende")],
    )
    shift = req.shifts.order_by("start").first()
    booked = [make_candidate(), make_candidate()]
    for r in booked:
        Assignment.objects.create(shift=shift, reservist=r, start=shift.start, end=shift.end)
    waiting = make_candidate()
    pending = invite(shift, waiting)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_shift(shift, actor=care_org_user, reason="Afdeling gesloten")
    told = {addr for m in mail.outbox for addr in m.to}
    assert {r.user.email for r in booked} <= told
    # The invited one is told the invitation was withdrawn (issue 20, part 5), not that a
    # booking was cancelled.
    to_waiting = [m.subject for m in mail.outbox if waiting.user.email in m.to]
    assert any(s.startswith("Ingetrokken") for s in to_waiting), to_waiting
    assert not any(s.startswith("Geannuleerd") for s in to_waiting), to_waiting
    assert any("Afdeling gesloten" in m.body for m in mail.outbox)
    assert set(Assignment.objects.filter(shift=shift).values_list("status", flat=True)) == {
        "cancelled"
    }
    pending.refresh_from_db()
    assert pending.status == "withdrawn"
    req.refresh_from_db()
    assert req.status == "approved"  # the other shift is still open


def test_cancelling_the_request_tells_everyone_booked(
    api_as, care_org_user, organisation, django_capture_on_commit_callbacks
):
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(4, 7), at(4, 15), 1, "verzorgende")],
    )
    people = []
    for shift in req.shifts.all():
        r = make_candidate()
        people.append(r)
        Assignment.objects.create(shift=shift, reservist=r, start=shift.start, end=shift.end)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(care_org_user).post(
            f"/api/v1/requests/{req.pk}/cancel/", {"reason": "Crisis voorbij"}, format="json"
        )
    assert response.status_code == 200
    told = {addr for m in mail.outbox for addr in m.to}
    assert {r.user.email for r in people} <= told


def test_escalation_referred_back_approves_again(
    national_coordinator, triangle_member, organisation
):
    from escalation.signals import escalation_decided

    req = make_request(organisation, status="approved")
    services.escalate_request(req, actor=national_coordinator, reason="Niet te vullen")
    escalation = req.escalations.get() if hasattr(req, "escalations") else None
    from escalation.models import Escalation

    escalation = Escalation.objects.get(request=req)
    escalation_decided.send(
        sender=Escalation, escalation=escalation, decision="referred_back", actor=triangle_member
    )
    req.refresh_from_db()
    assert req.status == "approved"


def test_crisis_call_answer_feeds_the_ranking(organisation, crisis):
    from escalation.models import CrisisAvailabilityCall, CrisisResponse

    req = make_request(
        organisation, crisis=crisis, shifts=[(at(2, 7), at(2, 15), 1, "verzorgende")]
    )
    quiet, keen = make_candidate(last_name="Aarts"), make_candidate(last_name="Zwart")
    call = CrisisAvailabilityCall.objects.create(
        crisis=crisis, wave=1, readiness="24h", due_at=timezone.now()
    )
    CrisisResponse.objects.create(crisis=crisis, call=call, reservist=keen, answer="available")
    from requests_app.matching import ranked_for_shift

    ranked = ranked_for_shift(req.shifts.get())
    assert [r.candidate.reservist_id for r in ranked] == [keen.pk, quiet.pk]
