"""The production role setup (scripts/db_roles.sql): the app's role may read and insert
access-log rows, never UPDATE, DELETE or TRUNCATE them, while it keeps full use of the
other tables. Runs the script in a rolled-back transaction (roles are transactional)."""

import re
import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.audit import log_list, log_read
from accounts.models import AccessLog, AccessLogSubject, AuditEntry
from tests.reliability.conftest import needs_postgres

pytestmark = needs_postgres
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "db_roles.sql"


def _statements(app_role: str, owner_role: str) -> list[str]:
    text = re.sub(r"--[^\n]*", "", SCRIPT.read_text())
    text = text.replace(":app_role", app_role).replace(":owner_role", owner_role)
    return [s.strip() for s in text.split(";") if s.strip()]


@pytest.fixture
def as_app_role(db):
    """Inside a savepoint: create a throw-away app role, run the script, SET ROLE to it."""
    role = f"nzr_app_test_{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
            cursor.execute(f"CREATE ROLE {role} NOLOGIN")
            for statement in _statements(role, owner):
                cursor.execute(statement)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"SET LOCAL ROLE {role}")
        yield role
        transaction.set_rollback(True)  # drops the role, its grants and the SET ROLE


def _denied(sql):
    with (
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


@pytest.mark.django_db
def test_app_role_may_insert_and_read_but_not_change_the_access_log(
    regional_coordinator, reservist, as_app_role
):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == as_app_role
    entry = log_read(None, regional_coordinator, reservist.reservist)
    assert AccessLog.objects.filter(pk=entry.pk).exists()
    _denied("UPDATE accounts_accesslog SET detail = 'x'")
    _denied("DELETE FROM accounts_accesslog")
    _denied("TRUNCATE accounts_accesslog")
    # The persons an entry names (one row each) are as fixed as the entry.
    listed = log_list(
        None, regional_coordinator, type(reservist.reservist), [reservist.reservist.pk]
    )
    assert AccessLogSubject.objects.filter(entry_id=listed.pk).count() == 1
    _denied("UPDATE accounts_accesslogsubject SET subject_id = 0")
    _denied("DELETE FROM accounts_accesslogsubject")
    _denied("TRUNCATE accounts_accesslogsubject")
    # Not even with the maintenance flag: the privilege is checked first.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL nzr.access_log_maintenance = 'on'")
    _denied("DELETE FROM accounts_accesslog")


@pytest.mark.django_db
def test_app_role_keeps_full_use_of_the_other_tables(regional_coordinator, as_app_role):
    from accounts.audit import log_action

    entry = log_action(regional_coordinator, "test.touched", regional_coordinator)
    AuditEntry.objects.filter(pk=entry.pk).update(reason="changed")
    assert AuditEntry.objects.get(pk=entry.pk).reason == "changed"
    regional_coordinator.first_name = "Gewijzigd"
    regional_coordinator.save(update_fields=["first_name"])
