"""Last line against double booking: no reservist in two overlapping live assignments.

A PostgreSQL exclusion constraint (btree_gist) on reservist + time range; the
services already lock and check, this catches anything that slips past them.
SQLite (the embedded first-run default) has no exclusion constraints: skipped there.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
ALTER TABLE requests_app_assignment
    ADD CONSTRAINT assignment_no_overlap_per_reservist
    EXCLUDE USING gist (reservist_id WITH =, tstzrange("start", "end", '[)') WITH &&)
    WHERE (status <> 'cancelled')
""",
]
DROP = "ALTER TABLE requests_app_assignment DROP CONSTRAINT IF EXISTS assignment_no_overlap_per_reservist;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0003_request_vetting_fields")]

    operations = [migrations.RunPython(forwards, backwards)]
