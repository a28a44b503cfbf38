from django.contrib import admin

from accounts.audit import log_action, log_list, log_read
from accounts.models import AccessLog
from registry.models import (
    Availability,
    Municipality,
    Profession,
    Profile,
    Region,
    RegionGroup,
    RegionGroupMember,
    Reservist,
    ReservistStatusChange,
    WeeklyAvailability,
    derive_ring,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class RegionGroupMemberInline(admin.TabularInline):
    model = RegionGroupMember
    extra = 0


@admin.register(RegionGroup)
class RegionGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    inlines = [RegionGroupMemberInline]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "valid_from", "valid_until"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Profession)
class ProfessionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "big_registered", "is_nurse", "order"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "rings", "active", "order"]
    filter_horizontal = ["professions"]
    search_fields = ["code", "name"]


class AvailabilityInline(admin.TabularInline):
    model = Availability
    extra = 0


class WeeklyAvailabilityInline(admin.TabularInline):
    model = WeeklyAvailability
    extra = 0


class StatusChangeInline(admin.TabularInline):
    """Read-only: the status changes only through registry.services.change_status."""

    model = ReservistStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reservist)
class ReservistAdmin(admin.ModelAdmin):
    list_display = ["__str__", "home_region", "profession", "ring", "readiness", "status"]
    list_filter = ["status", "ring", "readiness", "home_region"]
    search_fields = ["last_name", "first_name", "big_number", "user__email"]
    # status: only through the service (history, guards); ring: derived.
    readonly_fields = ["status", "ring", "created_at", "updated_at", "anonymised_at"]
    autocomplete_fields = ["municipality", "home_region"]
    filter_horizontal = ["regions", "profiles"]
    inlines = [StatusChangeInline, WeeklyAvailabilityInline, AvailabilityInline]

    def save_model(self, request, obj, form, change):
        if obj.municipality_id:
            obj.home_region = obj.municipality.region
        obj.ring = derive_ring(obj.profession, obj.level, obj.is_student, bool(obj.big_number))
        super().save_model(request, obj, form, change)
        log_action(obj, "reservist.admin_changed", request.user, fields=list(form.changed_data))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            log_read(request, request.user, obj, AccessLog.Action.VIEW, "admin: change view")
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (
            getattr(response, "context_data", {}).get("cl")
            if hasattr(response, "context_data")
            else None
        )
        if changelist is not None:
            ids = [obj.pk for obj in changelist.result_list]
            log_list(request, request.user, Reservist, ids, detail="admin: change list")
        return response

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("home_region", "profession")
        )
