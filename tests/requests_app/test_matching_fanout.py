"""Matching after approval fans out: one task per shift, soonest first (issue 9)."""

import pytest

from outbox.models import OutboxMessage
from requests_app.models import Invitation
from requests_app.tasks import match_request
from tests.requests_app.factories import at, make_candidate, make_request

pytestmark = pytest.mark.django_db


def test_matching_invites_for_the_soonest_shift_and_enqueues_one_task_per_later_shift(
    organisation, django_capture_on_commit_callbacks
):
    req = make_request(
        organisation,
        shifts=[
            (at(5, 7), at(5, 15), 1, "verzorgende"),
            (at(2, 7), at(2, 15), 1, "verzorgende"),
            (at(3, 15), at(3, 23), 1, "verzorgende"),
        ],
    )
    for _ in range(4):
        make_candidate()
    soonest, middle, latest = req.shifts.order_by("start")

    with django_capture_on_commit_callbacks(execute=False):
        match_request(req.pk)

    # Only the soonest shift is matched in this task; the others are queued, soonest first.
    assert set(Invitation.objects.values_list("shift_id", flat=True)) == {soonest.pk}
    assert Invitation.objects.filter(shift=soonest).count() == 3
    queued = OutboxMessage.objects.filter(task__endswith="next_wave").order_by("pk")
    assert [m.args for m in queued] == [[middle.pk], [latest.pk]]


def test_fanned_out_matching_invites_every_shift_once_even_when_run_twice(
    organisation, django_capture_on_commit_callbacks
):
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(4, 7), at(4, 15), 1, "verzorgende")],
    )
    for _ in range(4):
        make_candidate()

    for _ in range(2):  # a retried or duplicated job
        with django_capture_on_commit_callbacks(execute=True):
            match_request(req.pk)

    for shift in req.shifts.all():
        invited = list(
            Invitation.objects.filter(shift=shift).values_list("reservist_id", flat=True)
        )
        assert len(invited) == 3
        assert len(set(invited)) == len(invited)


def test_matching_skips_started_shifts_and_requests_not_open_for_matching(organisation):
    req = make_request(
        organisation,
        shifts=[(at(-1, 7), at(-1, 15), 1, "verzorgende"), (at(2, 7), at(2, 15), 1, "verzorgende")],
    )
    closed = make_request(organisation, status="submitted")
    for _ in range(3):
        make_candidate()

    match_request(req.pk)
    match_request(closed.pk)

    future = req.shifts.get(start=at(2, 7))
    assert set(Invitation.objects.values_list("shift_id", flat=True)) == {future.pk}
    assert not OutboxMessage.objects.filter(task__endswith="next_wave").exists()
