"""Drop the single-column index of auditentry.content_type: the (content_type, object_id,
at) index leads with it (one index less per audit row; issue 9). Only the index goes, not
the foreign-key constraint (Django's AlterField would drop and re-validate it)."""

import django.db.models.deletion
from django.db import migrations, models

NAME = "accounts_auditentry_content_type_id_de2c4b14"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_accesslog_append_only"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{NAME}"',
                    reverse_sql=(
                        f'CREATE INDEX IF NOT EXISTS "{NAME}" '
                        'ON "accounts_auditentry" ("content_type_id")'
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                )
            ],
        )
    ]
