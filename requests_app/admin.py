from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts.admin_logging import PersonalDataAdminMixin
from accounts.errors import DomainError
from requests_app import services
from requests_app.models import (
    Assignment,
    CareOrganisation,
    DeploymentRequest,
    Invitation,
    LadderAttestation,
    Shift,
)


@admin.register(CareOrganisation)
class CareOrganisationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["name", "sector", "region", "status", "created_at"]
    list_filter = ["status", "sector", "region"]
    search_fields = ["name", "kvk", "agb"]
    autocomplete_fields = ["municipality", "region"]
    readonly_fields = ["status", "registered_by", "decided_at", "decision_reason"]
    actions = ["approve"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.action(description=_("Approve the selected organisations"))
    def approve(self, request, queryset):
        done = 0
        for org in queryset.filter(status=CareOrganisation.Status.PENDING):
            try:
                services.approve_organisation(org, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{org}: {exc}", messages.ERROR)
        self.message_user(request, _("%(n)d organisation(s) approved.") % {"n": done})


class LadderInline(admin.TabularInline):
    model = LadderAttestation
    extra = 0
    can_delete = False
    readonly_fields = ["step", "taken_on", "evidence"]

    def has_add_permission(self, request, obj=None):
        return False


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0
    can_delete = False
    readonly_fields = ["profile", "start", "end", "count", "cancelled_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DeploymentRequest)
class DeploymentRequestAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """Read-only in the admin: changes go through the services (web pages and API)."""

    list_display = ["id", "organisation", "category", "status", "region", "submitted_at"]
    list_filter = ["status", "category", "region"]
    search_fields = ["organisation__name", "postcode"]
    inlines = [ShiftInline, LadderInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("organisation", "region")
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["id", "shift", "reservist", "status", "wave", "expires_at"]
    list_filter = ["status"]
    raw_id_fields = ["shift", "reservist"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Assignment)
class AssignmentAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["id", "shift", "reservist", "status", "hours_worked", "no_show"]
    list_filter = ["status", "no_show"]
    raw_id_fields = ["shift", "reservist"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
