from django.contrib import admin

from accounts.admin_logging import PersonalDataAdminMixin
from training.models import (
    Course,
    CourseRequirement,
    SessionSignup,
    TrainingRecord,
    TrainingSession,
)


class CourseRequirementInline(admin.TabularInline):
    model = CourseRequirement
    extra = 0
    fields = ["ring", "profile", "repeat_months"]


@admin.register(CourseRequirement)
class CourseRequirementAdmin(admin.ModelAdmin):
    """The CNO's table as it is: course × ring (and profile) × how often repeated. A
    change recomputes the expiry of that course's records (``training.signals``)."""

    list_display = ["course", "ring", "profile", "repeat_months"]
    list_editable = ["repeat_months"]
    list_filter = ["ring", "course", "profile"]
    list_select_related = ["course", "profile"]
    ordering = ["ring", "course__name", "profile__name"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    """Courses are switched off (``active``), not deleted: the training records refer to
    them, and the delete confirmation would list those reservists by name."""

    list_display = ["code", "name", "validity_months", "active"]
    search_fields = ["code", "name"]
    inlines = [CourseRequirementInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TrainingRecord)
class TrainingRecordAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["reservist", "course", "completed_on", "expires_on"]
    list_filter = ["course"]
    autocomplete_fields = ["reservist"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("reservist", "course")
        )


class SessionSignupInline(admin.TabularInline):
    model = SessionSignup
    extra = 0
    readonly_fields = ["reservist", "status", "signed_up_at", "record"]

    def has_add_permission(self, request, obj=None):
        return False  # sign-ups go through the service (capacity under a lock)


@admin.register(TrainingSession)
class TrainingSessionAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["course", "region", "starts_at", "place", "capacity", "cancelled"]
    list_select_related = ["course", "region"]  # region may be empty (a national session)
    list_filter = ["course", "region", "cancelled"]
    inlines = [SessionSignupInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
