"""Every person a list or export entry of the access log names, one row each
(``AccessLogSubject``; the entry's ``detail`` used to keep the first 60 ids).

Append-only like ``accounts_accesslog`` (migration 0004): the same trigger functions
refuse UPDATE, and DELETE or TRUNCATE outside ``nzr.access_log_maintenance``; their
message now names the table it came from. SQLite (``make run``) has no triggers.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

FUNCTIONS = """
CREATE OR REPLACE FUNCTION accounts_accesslog_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND coalesce(current_setting('nzr.access_log_maintenance', true), '') = 'on' THEN
        RETURN NULL;  -- statement triggers ignore the result; see the row trigger below
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
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
        MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$;
"""

FORWARD = """
DROP TRIGGER IF EXISTS accounts_accesslogsubject_append_only ON accounts_accesslogsubject;
CREATE TRIGGER accounts_accesslogsubject_append_only
    BEFORE UPDATE OR DELETE ON accounts_accesslogsubject
    FOR EACH ROW EXECUTE FUNCTION accounts_accesslog_refuse_row_change();

DROP TRIGGER IF EXISTS accounts_accesslogsubject_no_truncate ON accounts_accesslogsubject;
CREATE TRIGGER accounts_accesslogsubject_no_truncate
    BEFORE TRUNCATE ON accounts_accesslogsubject
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_accesslog_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_accesslogsubject_append_only ON accounts_accesslogsubject;
DROP TRIGGER IF EXISTS accounts_accesslogsubject_no_truncate ON accounts_accesslogsubject;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS + FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_drop_redundant_fk_indexes")]

    operations = [
        migrations.CreateModel(
            name="AccessLogSubject",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("subject_id", models.CharField(max_length=64)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "entry",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="subjects",
                        to="accounts.accesslog",
                    ),
                ),
            ],
            options={
                "verbose_name": "person in an access log entry",
                "verbose_name_plural": "people in access log entries",
                "indexes": [
                    models.Index(fields=["entry", "subject_id"], name="accesslogsubject_entry"),
                    models.Index(
                        fields=["subject_id", "at"], name="accesslogsubject_subject_at"
                    ),
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
