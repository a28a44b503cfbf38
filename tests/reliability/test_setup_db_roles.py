"""`manage.py setup_db_roles` (used by docker-compose's migrate service) creates the app's
login role and applies scripts/db_roles.sql: the role can use the app's tables but cannot
change or remove access-log rows. Runs inside the test's transaction (roles are
transactional in PostgreSQL), so nothing is left behind."""

import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from accounts.audit import log_read
from accounts.models import AccessLog
from tests.reliability.conftest import needs_postgres

pytestmark = [needs_postgres, pytest.mark.django_db]


@pytest.fixture
def role_name():
    return f"nzr_app_cmd_{uuid.uuid4().hex[:8]}"


def _can_login(role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
    return row and row[0]


def test_creates_a_login_role_that_may_insert_but_not_change_the_log(
    monkeypatch, role_name, regional_coordinator, reservist
):
    monkeypatch.setenv("NZR_APP_DB_PASSWORD", "a-long-enough-password")
    call_command("setup_db_roles", app_role=role_name)
    assert _can_login(role_name)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role_name}")
    entry = log_read(None, regional_coordinator, reservist.reservist)
    assert AccessLog.objects.filter(pk=entry.pk).exists()
    with (
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_accesslog SET path = 'x'")
    with (
        pytest.raises(DatabaseError, match="permission denied"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM accounts_accesslog")
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


def test_a_second_run_only_updates_the_role(monkeypatch, role_name):
    monkeypatch.setenv("NZR_APP_DB_PASSWORD", "a-long-enough-password")
    call_command("setup_db_roles", app_role=role_name)
    monkeypatch.setenv("NZR_APP_DB_PASSWORD", "another-long-password")
    call_command("setup_db_roles", app_role=role_name)
    assert _can_login(role_name)


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [
        ("nzr_app_x", "short", "at least 12"),
        ("nzr_app_x", "", "at least 12"),
        ("Robert'); DROP TABLE x;--", "a-long-enough-password", "lower-case"),
    ],
)
def test_refuses_a_weak_password_or_an_odd_role_name(monkeypatch, role, password, message):
    monkeypatch.setenv("NZR_APP_DB_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("setup_db_roles", app_role=role)
    assert not _can_login(role)
