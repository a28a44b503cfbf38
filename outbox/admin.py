from django.contrib import admin

from outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "task",
        "created_at",
        "sent_at",
        "started_at",
        "processed_at",
        "attempts",
        "runs",
        "failures",
        "dead_at",
    ]
    list_filter = ["task"]
    search_fields = ["task", "dedup_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
