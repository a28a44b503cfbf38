from django.contrib import admin

from accounts.admin_logging import PersonalDataAdminMixin
from accounts.audit import log_action
from registry.models import (
    Availability,
    FactChange,
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


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data that reservists' rows refer to is not deleted here: the references
    protect it anyway, and the delete confirmation would list those people by name (an
    unlogged read). Profiles are switched off (``active``), municipalities end
    (``valid_until``)."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
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
class MunicipalityAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "region", "valid_from", "valid_until"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Profession)
class ProfessionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "big_registered", "is_nurse", "order"]


@admin.register(Profile)
class ProfileAdmin(ReferenceDataAdmin):
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


class FactChangeInline(admin.TabularInline):
    """Read-only: changes of verified facts are decided in the region's work queue
    (regions.verification), which applies them and logs."""

    model = FactChange
    extra = 0
    can_delete = False
    fields = ["field", "value", "requested_at", "status", "decided_by", "decided_at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reservist)
class ReservistAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "home_region", "profession", "ring", "readiness", "status"]
    list_filter = ["status", "ring", "readiness", "home_region"]
    search_fields = ["last_name", "first_name", "big_number", "user__email"]
    # status: only through the service (history, guards); ring: derived.
    readonly_fields = ["status", "ring", "created_at", "updated_at", "anonymised_at"]
    autocomplete_fields = ["municipality", "home_region"]
    filter_horizontal = ["regions", "profiles"]
    inlines = [StatusChangeInline, FactChangeInline, WeeklyAvailabilityInline, AvailabilityInline]

    def save_model(self, request, obj, form, change):
        if obj.municipality_id:
            obj.home_region = obj.municipality.region
        obj.ring = derive_ring(obj.profession, obj.level, obj.is_student, bool(obj.big_number))
        super().save_model(request, obj, form, change)
        log_action(obj, "reservist.admin_changed", request.user, fields=list(form.changed_data))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("home_region", "profession")
        )
