"""A booking's round trips are budgeted: the lock path stays short and the confirmation
e-mail needs no query after commit (issue 9: > 200 bookings/s on 2 cores)."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.models import Assignment
from requests_app.services.booking import accept_invitation
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = pytest.mark.django_db(transaction=True)

# BEGIN, lock timeout, 2 locks, invitation, request, recount, fit, insert, 2 audit rows,
# invitation update, COMMIT (the filling booking adds a handful for the fill state).
BUDGET = 14


def _statements(ctx):
    return [q["sql"] for q in ctx.captured_queries if "django_content_type" not in q["sql"]]


def test_an_accept_stays_within_its_round_trip_budget_and_mails_without_queries(organisation):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 3, "verzorgende")])
    shift = req.shifts.get()
    first, second = make_candidate(), make_candidate()
    warm, measured = invite(shift, first), invite(shift, second)
    accept_invitation(warm, actor=first.user)  # per-process caches (content types)
    mail.outbox.clear()

    with CaptureQueriesContext(connection) as ctx:
        accept_invitation(measured, actor=second.user)

    statements = _statements(ctx)
    assert len(statements) <= BUDGET, statements
    assert statements[-1] == "COMMIT"  # the confirmation e-mail is built from loaded rows
    assert [m.to for m in mail.outbox] == [[second.user.email]]
    assert f"{shift.profile.name} – {organisation.name}" in mail.outbox[0].body
    assert Assignment.objects.filter(shift=shift, status="confirmed").count() == 2
