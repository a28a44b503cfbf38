"""The access log is append-only for the application (NEN 7513).

PostgreSQL refuses every UPDATE and DELETE of a row and every TRUNCATE of
``accounts_accesslog`` with an exception, whoever is connected (the table
owner and a superuser too), so no bug and no admin action can rewrite it.

One narrow exception, for maintenance only: DELETE and TRUNCATE pass when the
transaction has set ``nzr.access_log_maintenance = 'on'`` (``SET LOCAL``). The
test runner uses it to empty the database between transactional tests
(Django's flush is a TRUNCATE), and a DBA may use it to purge rows after the
log's own retention period. UPDATE never passes. The application code never
sets it; in production the application's role has no UPDATE, DELETE or
TRUNCATE privilege on the table at all (docs/reliability.md,
scripts/db_roles.sql), so the exception does not open a door for it.

SQLite (``make run``) has no such triggers; the migration does nothing there.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_accesslog_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('nzr.access_log_maintenance', true), '') = 'on' THEN
        RETURN NULL;  -- statement triggers ignore the result; see the row trigger below
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'accounts_accesslog is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION accounts_accesslog_refuse_row_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND coalesce(current_setting('nzr.access_log_maintenance', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = 'accounts_accesslog is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS accounts_accesslog_append_only ON accounts_accesslog;
CREATE TRIGGER accounts_accesslog_append_only
    BEFORE UPDATE OR DELETE ON accounts_accesslog
    FOR EACH ROW EXECUTE FUNCTION accounts_accesslog_refuse_row_change();

DROP TRIGGER IF EXISTS accounts_accesslog_no_truncate ON accounts_accesslog;
CREATE TRIGGER accounts_accesslog_no_truncate
    BEFORE TRUNCATE ON accounts_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_accesslog_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_accesslog_append_only ON accounts_accesslog;
DROP TRIGGER IF EXISTS accounts_accesslog_no_truncate ON accounts_accesslog;
DROP FUNCTION IF EXISTS accounts_accesslog_refuse_row_change();
DROP FUNCTION IF EXISTS accounts_accesslog_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_accesslog_denied_fields")]

    operations = [migrations.RunPython(forward, backward)]
