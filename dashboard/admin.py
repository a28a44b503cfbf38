from django.contrib import admin

from dashboard.models import PoolSnapshot


@admin.register(PoolSnapshot)
class PoolSnapshotAdmin(admin.ModelAdmin):
    """Read-only: the snapshots are written by the "dashboard refresh" task."""

    list_display = ["week", "region", "active", "deployable", "expiring_30d", "readiness_24h"]
    list_select_related = ["region"]  # may be empty (reservists without a home region)
    list_filter = ["region"]
    date_hierarchy = "week"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
