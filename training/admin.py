from django.contrib import admin

from training.models import Course, CourseRequirement, TrainingRecord


class CourseRequirementInline(admin.TabularInline):
    model = CourseRequirement
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "validity_months", "active"]
    search_fields = ["code", "name"]
    inlines = [CourseRequirementInline]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(admin.ModelAdmin):
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
