"""A booking's round trips are budgeted: the lock path stays short, nothing runs after
the commit, and the confirmation e-mail is an outbox message that the relay publishes
and a worker renders and sends (issue 9: > 200 bookings/s on 2 cores)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from outbox.models import OutboxMessage
from outbox.relay import relay_pending
from requests_app.errors import OverlapError, ShiftFullError
from requests_app.models import Assignment, Invitation
from requests_app.services.booking import accept_invitation
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = pytest.mark.django_db(transaction=True)

# BEGIN, lock timeout, reservist lock, the reservist's bookings, shift lock, invitation
# lock, request + recount, the new assignment's key; insert, invitation update, the 2
# audit rows (one INSERT), the outbox row of the confirmation, COMMIT: 2 round trips (the
# booking that fills its shift adds 3 statements and a round trip for the fill state).
BUDGET = 13


@pytest.fixture(autouse=True)
def _with_a_broker(settings):
    """These tests are about the deployed set-up (a broker and beat's relay); tasks still
    run in-process (eager), so nothing connects to this address."""
    settings.CELERY_BROKER_URL = settings.CELERY_BROKER_URL or "redis://127.0.0.1:6379/0"


def _statements(ctx):
    return [q["sql"] for q in ctx.captured_queries if "django_content_type" not in q["sql"]]


def _until_commit(statements):
    return statements[: statements.index("COMMIT") + 1]


def test_an_accept_stays_within_its_round_trip_budget_and_mails_through_the_outbox(
    organisation,
):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 3, "verzorgende")])
    shift = req.shifts.get()
    first, second = make_candidate(), make_candidate()
    warm, measured = invite(shift, first), invite(shift, second)
    accept_invitation(warm, actor=first.user)  # per-process caches (content types)
    relay_pending(min_age=timedelta(0))
    mail.outbox.clear()

    with CaptureQueriesContext(connection) as ctx:
        assignment = accept_invitation(measured, actor=second.user)

    statements = _statements(ctx)
    assert len(statements) <= BUDGET, statements
    assert statements[-1] == "COMMIT"  # nothing after the commit: no e-mail, no publish
    assert sum('INSERT INTO "outbox_outboxmessage"' in s for s in statements) == 1
    assert mail.outbox == []
    [message] = [
        m
        for m in OutboxMessage.objects.filter(task="requests_app.tasks.confirm_assignment")
        if m.args == [assignment.pk]
    ]
    assert message.processed_at is None

    # The relay publishes it (a worker runs it; eager in tests): one e-mail, once.
    relay_pending(min_age=timedelta(0))
    relay_pending(min_age=timedelta(0))
    message.refresh_from_db()
    assert message.processed_at is not None
    assert [m.to for m in mail.outbox] == [[second.user.email]]
    assert f"{shift.profile.name} – {organisation.name}" in mail.outbox[0].body
    assert Assignment.objects.filter(shift=shift, status="confirmed").count() == 2


def test_the_booking_that_fills_its_shift_adds_only_the_fill_state(organisation):
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(3, 7), at(3, 15), 1, "verzorgende")],
    )
    first_shift, second_shift = req.shifts.order_by("start")
    people = [make_candidate() for _ in range(3)]
    warm = invite(first_shift, people[0])
    fills_request, waiting = invite(second_shift, people[1]), invite(second_shift, people[2])
    accept_invitation(warm, actor=people[0].user)  # fills the first shift (and warms caches)
    req.refresh_from_db()
    assert req.status == "approved"  # the second shift is still open

    with CaptureQueriesContext(connection) as ctx:
        accept_invitation(fills_request, actor=people[1].user)

    statements = _until_commit(_statements(ctx))
    # withdraw the open invitations, lock the request, is a shift still open; then the
    # request is filled: its status and its audit entry (once per request)
    assert len(statements) <= BUDGET + 3 + 2, statements
    req.refresh_from_db()
    waiting.refresh_from_db()
    assert req.status == "filled" and req.filled_at is not None
    assert waiting.status == "withdrawn"


def _prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements")
def test_a_refused_accept_commits_and_keeps_the_prepared_statements(organisation):
    """A full shift is the common answer in a crisis: it writes nothing, and it ends with
    a COMMIT, not a ROLLBACK (after which psycopg would prepare every statement again)."""
    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 1, "verzorgende"), (at(3, 7), at(3, 15), 1, "verzorgende")],
    )
    shift = req.shifts.order_by("start").first()  # the request stays open: the other shift
    first, second = make_candidate(), make_candidate()
    booked, late = invite(shift, first), invite(shift, second)
    accept_invitation(booked, actor=first.user)
    Invitation.objects.filter(pk=late.pk).update(status="pending")  # as if not withdrawn
    prepared = _prepared()
    assert prepared

    with CaptureQueriesContext(connection) as ctx, pytest.raises(ShiftFullError):
        accept_invitation(late, actor=second.user)

    statements = _statements(ctx)
    assert statements[-1] == "COMMIT" and "ROLLBACK" not in statements, statements
    assert not any(s.startswith(("INSERT", "UPDATE")) for s in statements), statements
    assert _prepared() == prepared
    late.refresh_from_db()
    assert late.status == "pending"
    assert Assignment.objects.filter(shift=shift).count() == 1


def test_a_check_that_misses_an_overlap_is_caught_at_the_commit(organisation, monkeypatch):
    """The constraints are the last line: should the checks in Python miss an overlap,
    the exclusion constraint refuses the writes that go with the COMMIT; the answer is
    the overlap error and nothing of the booking is left."""
    from requests_app.services import booking

    req = make_request(
        organisation,
        shifts=[(at(2, 7), at(2, 15), 2, "verzorgende"), (at(2, 14), at(2, 22), 2, "verzorgende")],
    )
    early, late = req.shifts.order_by("start")
    reservist = make_candidate()
    accept_invitation(invite(early, reservist), actor=reservist.user)
    invitation = invite(late, reservist)
    audit_before = AuditEntry.objects.count()
    outbox_before = OutboxMessage.objects.count()
    monkeypatch.setattr(booking, "fit_error", lambda shift, bookings: None)

    with pytest.raises(OverlapError):
        accept_invitation(invitation, actor=reservist.user)

    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Assignment.objects.filter(shift=late).exists()
    assert AuditEntry.objects.count() == audit_before
    assert OutboxMessage.objects.count() == outbox_before


def test_the_confirmation_task_sends_nothing_for_a_cancelled_assignment(organisation):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 3, "verzorgende")])
    shift = req.shifts.get()
    candidate = make_candidate()
    assignment = accept_invitation(invite(shift, candidate), actor=candidate.user)
    mail.outbox.clear()
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.CANCELLED)

    from requests_app.tasks import confirm_assignment

    assert confirm_assignment(assignment.pk) is False
    assert confirm_assignment(10**9) is False
    assert mail.outbox == []


def test_without_a_broker_the_confirmation_goes_out_at_the_commit(organisation, settings):
    """`make run` has no broker and no beat, so no relay: the e-mail must not wait for one."""
    settings.CELERY_BROKER_URL = ""
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 3, "verzorgende")])
    candidate = make_candidate()
    mail.outbox.clear()
    accept_invitation(invite(req.shifts.get(), candidate), actor=candidate.user)
    assert [m.to for m in mail.outbox] == [[candidate.user.email]]
