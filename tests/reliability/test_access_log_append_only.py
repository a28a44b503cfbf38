"""The access log is append-only for the application (NEN 7513), enforced by PostgreSQL."""

import pytest
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from accounts.audit import log_read
from accounts.models import AccessLog
from registry import services as registry_services
from tests.reliability.conftest import needs_postgres

pytestmark = needs_postgres


@pytest.fixture
def entry(regional_coordinator, reservist):
    return log_read(None, regional_coordinator, reservist.reservist, detail="profile")


def _refused(fn):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        # Run the deferred foreign-key checks of the rows inserted in this test now, or
        # PostgreSQL refuses a TRUNCATE for "pending trigger events" instead of our rule.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        fn()


@pytest.mark.django_db
def test_inserting_still_works(regional_coordinator, reservist):
    before = AccessLog.objects.count()
    log_read(None, regional_coordinator, reservist.reservist)
    log_read(None, regional_coordinator, reservist.reservist)
    assert AccessLog.objects.count() == before + 2


@pytest.mark.django_db
def test_orm_save_of_an_existing_entry_is_refused(entry):
    entry.detail = "rewritten"
    _refused(entry.save)
    entry.refresh_from_db()
    assert entry.detail == "profile"


@pytest.mark.django_db
def test_orm_queryset_update_and_delete_are_refused(entry):
    _refused(lambda: AccessLog.objects.filter(pk=entry.pk).update(detail="x"))
    _refused(lambda: AccessLog.objects.filter(pk=entry.pk).delete())
    _refused(entry.delete)
    assert AccessLog.objects.filter(pk=entry.pk, detail="profile").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_accesslog SET detail = 'x'",
        "UPDATE accounts_accesslog SET user_id = NULL",
        "DELETE FROM accounts_accesslog",
        "TRUNCATE accounts_accesslog",
        "TRUNCATE accounts_accesslog CASCADE",
    ],
)
def test_raw_sql_changes_are_refused_even_for_the_table_owner(entry, sql):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql)

    _refused(run)
    assert AccessLog.objects.filter(pk=entry.pk, detail="profile").exists()


@pytest.mark.django_db
def test_maintenance_setting_allows_delete_but_never_update(entry):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL nzr.access_log_maintenance = 'on'")
        _refused(lambda: AccessLog.objects.filter(pk=entry.pk).update(detail="x"))
        transaction.set_rollback(True)  # (a savepoint here: rolling it back ends the SET)
    _refused(lambda: AccessLog.objects.filter(pk=entry.pk).delete())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL nzr.access_log_maintenance = 'on'")
        AccessLog.objects.filter(pk=entry.pk).delete()
    assert not AccessLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_the_test_runners_flush_may_empty_the_table(entry):
    """Django's flush (TRUNCATE) between transactional tests runs as maintenance."""
    sql = connection.ops.sql_flush(no_style(), ["accounts_accesslog"])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connection.ops.execute_sql_flush(sql)
        assert AccessLog.objects.count() == 0
        transaction.set_rollback(True)
    assert AccessLog.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_can_write_the_log(regional_coordinator, reservist):
    """Its teardown flushes the database; were the TRUNCATE refused, the teardown errors."""
    log_read(None, regional_coordinator, reservist.reservist)
    assert AccessLog.objects.filter(user=regional_coordinator).count() == 1


@pytest.mark.django_db
def test_a_user_with_access_log_rows_cannot_be_deleted(entry, regional_coordinator):
    with pytest.raises(ProtectedError):
        regional_coordinator.delete()
    assert AccessLog.objects.filter(pk=entry.pk, user=regional_coordinator).exists()


@pytest.mark.django_db
def test_gdpr_erasure_keeps_the_access_log(reservist, regional_coordinator, national_coordinator):
    subject = reservist.reservist
    log_read(None, regional_coordinator, subject, detail="profile")
    # The reservist read something too (their own export): they are a "who" in the log.
    own = log_read(None, reservist, subject, action=AccessLog.Action.EXPORT)
    before = list(
        AccessLog.objects.order_by("pk").values_list("pk", "user_id", "subject_id", "detail")
    )

    registry_services.leave(subject, actor=national_coordinator, reason="test")

    after = list(
        AccessLog.objects.order_by("pk").values_list("pk", "user_id", "subject_id", "detail")
    )
    assert after == before
    assert AccessLog.objects.get(pk=own.pk).user_id == reservist.pk
