from django.contrib import admin

from escalation.models import LadderStep


@admin.register(LadderStep)
class LadderStepAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name", "before_reserve", "active"]
    list_editable = ["before_reserve", "active"]
    ordering = ["order"]
