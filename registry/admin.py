from django.contrib import admin

from registry.models import (
    Availability,
    Municipality,
    Profession,
    Profile,
    Region,
    RegionGroup,
    RegionGroupMember,
    Reservist,
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


@admin.register(Reservist)
class ReservistAdmin(admin.ModelAdmin):
    list_display = ["__str__", "home_region", "profession", "ring", "readiness", "status"]
    list_filter = ["status", "ring", "readiness", "home_region"]
    search_fields = ["last_name", "first_name", "big_number", "user__email"]
    readonly_fields = ["ring", "created_at", "updated_at", "anonymised_at"]
    autocomplete_fields = ["municipality", "home_region"]
    filter_horizontal = ["regions", "profiles"]
    inlines = [AvailabilityInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("home_region", "profession")
        )
