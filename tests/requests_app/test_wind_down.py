"""Scaling down: a deactivated crisis, a cancelled request or shift stops its matching,
withdraws its pending invitations and tells the reservists (in Dutch, after the commit)."""

import pytest

from escalation.services import deactivate_crisis
from requests_app.models import Invitation
from requests_app.rematch import rematch_reservist
from requests_app.services.invitations import send_wave
from requests_app.services.requests import cancel_request, cancel_shift
from requests_app.tasks import invitation_tick, match_request, next_wave
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shifts(organisation):
    req = make_request(
        organisation,
        shifts=[(at(3, 7), at(3, 15), 1, "verzorgende"), (at(5, 7), at(5, 15), 1, "verzorgende")],
    )
    return req, list(req.shifts.order_by("start"))


def statuses(*invitations):
    return [Invitation.objects.get(pk=i.pk).status for i in invitations]


def withdrawn_mail(mailoutbox, reservist):
    return [
        m for m in mailoutbox if reservist.email in m.to and m.subject.startswith("Ingetrokken")
    ]


def test_crisis_deactivated_withdraws_and_stops_matching(
    two_shifts, crisis, national_coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    req, (first, second) = two_shifts
    a, b = make_candidate(), make_candidate()
    ia, ib = invite(first, a), invite(second, b)
    Invitation.objects.filter(pk=ib.pk).update(status="declined")
    spare = make_candidate()
    with django_capture_on_commit_callbacks(execute=True):
        deactivate_crisis(req.crisis, actor=national_coordinator, reason="Crisis voorbij")
    assert statuses(ia, ib) == ["withdrawn", "declined"]  # answered ones stay as they are
    [message] = withdrawn_mail(mailoutbox, a)
    assert "ingetrokken" in message.body and "u hoeft" in message.body
    assert "Crisis voorbij" in message.body
    assert not withdrawn_mail(mailoutbox, b)
    # no more matching of its shifts, by any path
    assert match_request(req.pk) == 0
    assert next_wave(first.pk) == 0
    assert invitation_tick() == 0
    assert rematch_reservist(spare.pk) == []
    assert not Invitation.objects.filter(reservist=spare).exists()


def test_request_cancelled_withdraws_and_tells(
    two_shifts, care_org_user, django_capture_on_commit_callbacks, mailoutbox
):
    req, (first, second) = two_shifts
    a, b = make_candidate(), make_candidate()
    ia, ib = invite(first, a), invite(second, b)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_request(req, actor=care_org_user, reason="Personeel gevonden")
    assert statuses(ia, ib) == ["withdrawn", "withdrawn"]
    assert withdrawn_mail(mailoutbox, a) and withdrawn_mail(mailoutbox, b)
    spare = make_candidate()
    assert rematch_reservist(spare.pk) == []
    assert send_wave(first) == []


def test_shift_cancelled_withdraws_only_its_invitations(
    two_shifts, care_org_user, django_capture_on_commit_callbacks, mailoutbox
):
    req, (first, second) = two_shifts
    a, b = make_candidate(), make_candidate()
    ia, ib = invite(first, a), invite(second, b)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_shift(first, actor=care_org_user, reason="Afdeling gesloten")
    assert statuses(ia, ib) == ["withdrawn", "pending"]
    assert withdrawn_mail(mailoutbox, a) and not withdrawn_mail(mailoutbox, b)
    spare = make_candidate()
    invitations = rematch_reservist(spare.pk)
    assert [i.shift_id for i in invitations] == [second.pk]  # the live shift only
    assert next_wave(first.pk) == 0


@pytest.mark.parametrize("how", ["crisis", "request", "shift"])
def test_winding_down_closes_the_wait_lists_and_tells_who_waited(
    how,
    two_shifts,
    national_coordinator,
    care_org_user,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    from requests_app.models import WaitlistEntry

    req, (first, second) = two_shifts
    waiting = make_candidate()
    entry = WaitlistEntry.objects.create(shift=first, reservist=waiting)
    with django_capture_on_commit_callbacks(execute=True):
        if how == "crisis":
            deactivate_crisis(req.crisis, actor=national_coordinator, reason="Crisis voorbij")
        elif how == "request":
            cancel_request(req, actor=care_org_user, reason="Personeel gevonden")
        else:
            cancel_shift(first, actor=care_org_user, reason="Afdeling gesloten")
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WITHDRAWN
    assert any(waiting.email in m.to for m in mailoutbox)
