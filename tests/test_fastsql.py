"""``nzr.fastsql``: constant SQL for hot paths writes the same rows as the ORM, and on
PostgreSQL its statements are prepared (what the booking's throughput rests on)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.audit import history_of, log_action, log_actions
from accounts.models import AuditEntry
from nzr import fastsql
from outbox.models import OutboxMessage
from requests_app.services.booking import accept_invitation
from tests.requests_app.factories import at, invite, make_candidate, make_request

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _columns(obj):
    return {
        f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if not f.primary_key
    }


def test_create_writes_the_row_the_orm_writes():
    moment = timezone.now()
    fields = dict(task="nzr.test", args=[1, "x"], kwargs={"a": {"b": None}}, queue="q")
    fast = fastsql.create(OutboxMessage, created_at=moment, available_at=moment, **fields)
    orm = OutboxMessage.objects.create(created_at=moment, available_at=moment, **fields)

    assert fast.pk is not None and fast.pk != orm.pk
    assert fast._state.adding is False
    fast_row, orm_row = (OutboxMessage.objects.get(pk=pk) for pk in (fast.pk, orm.pk))
    differ = {
        name for name, value in _columns(fast_row).items() if value != _columns(orm_row)[name]
    }
    assert differ == {"dedup_key"}  # a fresh random key per row, as the field's default
    assert fast_row.args == [1, "x"] and fast_row.kwargs == {"a": {"b": None}}
    assert fast_row.sent_at is None and fast_row.attempts == 0


def test_create_fills_auto_now_add_and_callable_defaults(organisation):
    req = make_request(organisation)
    shift = req.shifts.get()
    reservist = make_candidate()
    from requests_app.models import Invitation

    before = timezone.now()
    fast = fastsql.create(
        Invitation, shift_id=shift.pk, reservist_id=reservist.pk, expires_at=at(1, 9)
    )
    row = Invitation.objects.get(pk=fast.pk)
    assert row.created_at >= before  # auto_now_add
    assert row.status == "pending" and row.wave == 1 and row.rank == 0  # field defaults
    assert row.expires_at == at(1, 9)


def test_bulk_create_writes_every_row_in_one_statement(regional_coordinator):
    entries = [
        AuditEntry(
            content_type=ContentType.objects.get_for_model(type(regional_coordinator)),
            object_id=str(regional_coordinator.pk),
            action=f"test.step{i}",
            data={"i": i},
        )
        for i in range(3)
    ]
    with CaptureQueriesContext(connection) as ctx:
        saved = fastsql.bulk_create(entries)
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("INSERT")]) == 1
    assert len({e.pk for e in saved}) == 3
    assert [
        (e.action, e.data) for e in AuditEntry.objects.filter(pk__in=[e.pk for e in saved])
    ] == [(f"test.step{i}", {"i": i}) for i in (2, 1, 0)]  # newest first (ordering)
    assert fastsql.bulk_create([]) == []


def test_log_actions_records_each_change_with_its_actor_in_one_insert(regional_coordinator):
    target = regional_coordinator
    log_actions(target, [(target, "test.first", {"n": 1}), (target, "test.second", {})], "why")
    log_action(target, "test.third", None, n=3)
    got = [(e.action, e.actor_id, e.reason, e.data) for e in history_of(target)]
    assert got == [
        ("test.third", None, "", {"n": 3}),
        ("test.second", target.pk, "why", {}),
        ("test.first", target.pk, "why", {"n": 1}),
    ]


def test_aware_reads_datetimes_of_either_database():
    naive = datetime(2026, 12, 1, 10, 30)  # what SQLite's driver gives
    expected = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    assert fastsql.aware(naive) == expected
    assert fastsql.aware("2026-12-01 10:30:00") == expected
    assert fastsql.aware(expected + timedelta(hours=1)) == expected + timedelta(hours=1)
    assert fastsql.aware(None) is None


def test_locking_keeps_for_update_where_rows_can_be_locked():
    sql = "SELECT 1 FROM requests_app_shift WHERE id = %s FOR UPDATE"
    if connection.features.has_select_for_update:
        assert fastsql.locking(sql) == sql
    else:
        assert fastsql.locking(sql) == "SELECT 1 FROM requests_app_shift WHERE id = %s"


@postgres_only
def test_the_booking_statements_are_prepared_once_per_connection(organisation):
    req = make_request(organisation, shifts=[(at(2, 7), at(2, 15), 5, "verzorgende")])
    shift = req.shifts.get()
    people = [make_candidate() for _ in range(3)]
    invitations = [invite(shift, p) for p in people]

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cursor.fetchall()}

    accept_invitation(invitations[0], actor=people[0].user)
    after_first = prepared()
    assert any("FROM registry_reservist WHERE id = $1 FOR UPDATE" in s for s in after_first)
    assert any('INSERT INTO "requests_app_assignment"' in s for s in after_first)
    accept_invitation(invitations[1], actor=people[1].user)
    accept_invitation(invitations[2], actor=people[2].user)
    assert prepared() == after_first  # reused, not prepared again per booking
    assert shift.assignments.filter(status="confirmed").count() == 3
