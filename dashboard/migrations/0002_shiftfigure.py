from django.db import migrations, models


def install(apps, schema_editor):
    from dashboard import rollup

    rollup.install(schema_editor)
    rollup.rebuild(schema_editor)


def uninstall(apps, schema_editor):
    from dashboard import rollup

    rollup.uninstall(schema_editor)


class Migration(migrations.Migration):
    """Shift figures per day, region and profile, kept by triggers (``dashboard.rollup``).
    A later change of the triggers needs a migration of its own that installs them again."""

    dependencies = [
        ("dashboard", "0001_initial"),
        ("requests_app", "0008_assignment_booked_start_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="ShiftFigure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(verbose_name="day")),
                ("region_id", models.IntegerField(null=True, verbose_name="region")),
                ("profile_id", models.IntegerField(null=True, verbose_name="profile")),
                ("requested", models.IntegerField(default=0, verbose_name="requested")),
                ("planned", models.IntegerField(default=0, verbose_name="planned")),
                ("deployed", models.IntegerField(default=0, verbose_name="deployed")),
            ],
            options={
                "verbose_name": "shift figure",
                "verbose_name_plural": "shift figures",
                "indexes": [models.Index(fields=["day", "region_id"], name="shiftfigure_day_region")],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
