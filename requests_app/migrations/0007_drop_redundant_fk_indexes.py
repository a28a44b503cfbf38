"""Drop the single-column indexes of four foreign keys that composite indexes already lead
with (issue 9: a booking inserts into every index of the assignment table):

- assignment.shift: (shift, status) and one_live_assignment_per_shift (shift, reservist);
- assignment.reservist: (reservist, status, start);
- invitation.shift: one_invitation_per_shift (shift, reservist);
- invitation.reservist: (reservist, status).

Only the indexes go. Django's own AlterField would also drop and re-add each foreign-key
constraint, which re-validates every row of a table of millions under a lock.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    ("requests_app_assignment_reservist_id_f803e1be", "requests_app_assignment", "reservist_id"),
    ("requests_app_assignment_shift_id_01c361f2", "requests_app_assignment", "shift_id"),
    ("requests_app_invitation_reservist_id_2e3059e5", "requests_app_invitation", "reservist_id"),
    ("requests_app_invitation_shift_id_fc873bf1", "requests_app_invitation", "shift_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_regions_through_index"),
        ("requests_app", "0006_assignment_no_overlap_confirmed_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="reservist",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="registry.reservist",
                    ),
                ),
                migrations.AlterField(
                    model_name="assignment",
                    name="shift",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="requests_app.shift",
                    ),
                ),
                migrations.AlterField(
                    model_name="invitation",
                    name="reservist",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="registry.reservist",
                    ),
                ),
                migrations.AlterField(
                    model_name="invitation",
                    name="shift",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="requests_app.shift",
                    ),
                ),
            ],
        )
    ]
