"""Index for matching (issue 9): the reservists willing to work in a region.

Matching joins the reservists of a profile with those willing to work in the
request's region; (region_id, reservist_id) on the regions through table gives that
list from the index alone instead of a bitmap heap scan per shift.
"""

from django.db import migrations

REGION_INDEX = "registry_res_regions_region_reservist"


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_search_composite_indexes")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {REGION_INDEX} "
            "ON registry_reservist_regions (region_id, reservist_id)",
            f"DROP INDEX IF EXISTS {REGION_INDEX}",
            elidable=False,
        ),
    ]
