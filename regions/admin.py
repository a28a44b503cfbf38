from django.contrib import admin

from accounts.admin_logging import PersonalDataAdminMixin
from regions.models import Candidate, CandidateStatusChange, ImportJob, VettingCheck, VogRule


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class CandidateStatusChangeInline(admin.TabularInline):
    model = CandidateStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "reason", "actor", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Candidate)
class CandidateAdmin(PersonalDataAdminMixin, ScopedAdmin):
    list_display = ["__str__", "region", "source", "campaign", "status", "intake_planned_at"]
    list_filter = ["region", "source", "status"]
    search_fields = ["first_name", "last_name", "email", "big_number", "campaign"]
    readonly_fields = [
        "status",
        "reservist",
        "created_by",
        "created_at",
        "last_activity_at",
        "anonymised_at",
    ]
    inlines = [CandidateStatusChangeInline]


@admin.register(VettingCheck)
class VettingCheckAdmin(PersonalDataAdminMixin, ScopedAdmin):
    """Read-only: checks are recorded on the reservist page (through the service)."""

    list_display = ["reservist", "kind", "outcome", "checked_by", "checked_at"]
    list_select_related = ["reservist", "checked_by"]  # checked_by may be empty
    list_filter = ["kind", "outcome"]
    search_fields = ["reservist__last_name", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(PersonalDataAdminMixin, ScopedAdmin):
    """Without the file and the result per row: both hold the names of the people in the
    file, which no access-log entry could name (no ids); the region's import page shows
    them to its coordinators."""

    list_display = ["filename", "region", "kind", "status", "total_rows", "created_at"]
    list_filter = ["status", "kind", "region"]
    exclude = ["content", "rows"]
    readonly_fields = [
        f.name for f in ImportJob._meta.fields if f.name not in ("content", "rows", "id")
    ]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content", "rows")


@admin.register(VogRule)
class VogRuleAdmin(admin.ModelAdmin):
    """How long a VOG counts; the active rule applies to deployability and reminders."""

    list_display = ["name", "first_months", "renew_months", "active"]
