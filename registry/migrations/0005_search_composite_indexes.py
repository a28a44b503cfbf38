"""Composite indexes for the register search (issue 9).

- reservist (home_region, status, ring) replaces (home_region, status): the search
  filters region + status + ring together (one index range instead of a BitmapAnd
  of two indexes over tens of thousands of rows);
- profiles through table (profile_id, reservist_id): the profile filter reads the
  reservist ids of a profile from the index alone.
"""

from django.db import migrations, models

PROFILE_INDEX = "registry_res_profiles_profile_reservist"


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_search_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="reservist", name="registry_re_home_re_ea5b2b_idx"),
        migrations.AddIndex(
            model_name="reservist",
            index=models.Index(
                fields=["home_region", "status", "ring"], name="registry_re_home_re_bcb1f8_idx"
            ),
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {PROFILE_INDEX} "
            "ON registry_reservist_profiles (profile_id, reservist_id)",
            f"DROP INDEX IF EXISTS {PROFILE_INDEX}",
            elidable=False,
        ),
    ]
