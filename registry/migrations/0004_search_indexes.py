"""Indexes for the register search over 100,000+ reservists (PostgreSQL only).

- trigram GIN indexes on UPPER(first_name) / UPPER(last_name): the name search
  (``icontains``) uses them instead of a sequential scan;
- a pattern-ops index on big_number for the BIG-number prefix search.
Skipped on SQLite (the embedded default for a first local run).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_res_last_trgm ON registry_reservist "
    "USING gin (UPPER(last_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS registry_res_first_trgm ON registry_reservist "
    "USING gin (UPPER(first_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS registry_res_big_like ON registry_reservist "
    "(big_number varchar_pattern_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS registry_res_last_trgm",
    "DROP INDEX IF EXISTS registry_res_first_trgm",
    "DROP INDEX IF EXISTS registry_res_big_like",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_reservist_note")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
