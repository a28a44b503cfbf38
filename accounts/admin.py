from allauth.usersessions.admin import UserSessionAdmin as BaseUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessLog, AuditEntry, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["region", "organisation"]
    fields = ["role", "region", "organisation", "party", "valid_from", "valid_until"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups",)


# allauth's own admin searches ``user__username``, a field this User model does not have:
# every search of the sessions list was a 500 (FieldError).
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(BaseUserSessionAdmin):
    search_fields = ["user__email", "ip"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "content_type", "object_id", "actor", "reason"]
    # The actor may be empty, and the admin's own select_related() follows only the
    # foreign keys that may not: name both, or the list loads each actor by itself.
    list_select_related = ["content_type", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_id", "reason", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(AuditEntryAdmin):
    list_display = [
        "at",
        "user",
        "action",
        "subject_type",
        "subject_id",
        "count",
        "method",
        "path",
        "status_code",
        "ip",
    ]
    list_select_related = ["user"]  # may be empty: not followed by the admin's default
    list_filter = ["action", "subject_type", "status_code"]
    search_fields = ["subject_id", "user__email", "detail", "path"]
